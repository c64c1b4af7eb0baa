-- CreateTable
CREATE TABLE "account_counts_daily" (
    "bucket" DATE NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "account_counts_daily_pkey" PRIMARY KEY ("bucket","account_id","caller_region","provider","channel","decision")
);

-- CreateIndex
CREATE INDEX "account_counts_daily_account_id_bucket_idx" ON "account_counts_daily"("account_id", "bucket");

-- Backfill from decisions already stored.
INSERT INTO "account_counts_daily" (bucket, account_id, caller_region, provider, channel, decision, count)
SELECT (occurred_at AT TIME ZONE 'UTC')::date, account_id, caller_region, provider, channel, decision, count(*)
  FROM "access_decisions" GROUP BY 1, 2, 3, 4, 5, 6;

ALTER TABLE "account_counts_daily" SET (fillfactor = 90);
