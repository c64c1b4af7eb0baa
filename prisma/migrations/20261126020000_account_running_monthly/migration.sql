-- CreateTable
CREATE TABLE "account_running_monthly" (
    "month" DATE NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "allowed" INTEGER[],
    "blocked" INTEGER[],

    CONSTRAINT "account_running_monthly_pkey" PRIMARY KEY ("month","account_id","caller_region","provider","channel")
);

-- Filled from the decisions already stored (the same statement as runningRowsSql in
-- lib/ingest/running.ts, frozen here as migrations are): each active day's running total
-- is repeated up to the next active day.
INSERT INTO "account_running_monthly"
WITH per_day AS (
  SELECT date_trunc('month', (occurred_at AT TIME ZONE 'UTC')::date)::date AS month,
         extract(day FROM occurred_at AT TIME ZONE 'UTC')::int AS d,
         account_id, caller_region, provider, channel,
         count(*) FILTER (WHERE decision = 'allowed') AS a,
         count(*) FILTER (WHERE decision = 'blocked') AS b
    FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6
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

-- The running totals answer everything the per-account daily counts did (a day's count is
-- the difference of two neighbouring days). IF EXISTS: this migration may be replayed on a
-- database rebuilt without them.
DROP TABLE IF EXISTS "account_counts_daily";
