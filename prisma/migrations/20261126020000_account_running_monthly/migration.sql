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

-- Filled from the per-account daily counts already stored (the same statement as
-- runningRowsSql in lib/ingest/running.ts, frozen here as migrations are).
INSERT INTO "account_running_monthly"
WITH per_day AS (
  SELECT date_trunc('month', bucket)::date AS month, extract(day FROM bucket)::int AS d,
         account_id, caller_region, provider, channel,
         coalesce(sum(count) FILTER (WHERE decision = 'allowed'), 0) AS a,
         coalesce(sum(count) FILTER (WHERE decision = 'blocked'), 0) AS b
    FROM account_counts_daily GROUP BY 1, 2, 3, 4, 5, 6
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
