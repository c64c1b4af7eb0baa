-- Counts of the violations (lib/rollups/violation-counts.ts): running per-account totals
-- per UTC month, for the headline and the per-account table, and counts per UTC hour, for
-- the chart.
CREATE TABLE "account_violations_monthly" (
    "month" DATE NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "allowed" INTEGER[],
    "blocked" INTEGER[],

    CONSTRAINT "account_violations_monthly_pkey" PRIMARY KEY ("month","account_id","caller_region","provider","channel")
);

-- Filled from the violations already recorded (runningRowsSql of
-- lib/rollups/account-running-monthly.ts over them, frozen here as migrations are).
INSERT INTO "account_violations_monthly"
WITH per_day AS (
  SELECT date_trunc('month', (occurred_at AT TIME ZONE 'UTC')::date)::date AS month,
         extract(day FROM occurred_at AT TIME ZONE 'UTC')::int AS d,
         account_id, caller_region, provider, channel,
         count(*) FILTER (WHERE decision = 'allowed') AS a,
         count(*) FILTER (WHERE decision = 'blocked') AS b
    FROM decision_violations GROUP BY 1, 2, 3, 4, 5, 6
), running AS (
  SELECT month, account_id, caller_region, provider, channel, d, sum(a) OVER w AS ra, sum(b) OVER w AS rb,
         lead(d, 1, extract(day FROM month + interval '1 month' - interval '1 day')::int + 1) OVER w - d AS span
    FROM per_day
  WINDOW w AS (PARTITION BY month, account_id, caller_region, provider, channel ORDER BY d)
)
SELECT month, account_id, caller_region, provider, channel,
       ('{' || repeat('0,', min(d) - 1) || rtrim(string_agg(repeat(ra || ',', span), '' ORDER BY d), ',') || '}')::int[],
       ('{' || repeat('0,', min(d) - 1) || rtrim(string_agg(repeat(rb || ',', span), '' ORDER BY d), ',') || '}')::int[]
  FROM running GROUP BY month, account_id, caller_region, provider, channel
 ORDER BY month, account_id, caller_region, provider, channel;

CREATE TABLE "violation_counts_hourly" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "violation_counts_hourly_pkey" PRIMARY KEY ("bucket","caller_region","provider","channel","decision")
);

INSERT INTO "violation_counts_hourly"
SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', caller_region, provider, channel, decision, count(*)
  FROM decision_violations GROUP BY 1, 2, 3, 4, 5;
