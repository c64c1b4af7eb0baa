-- CreateTable
CREATE TABLE "account_running_vectors" (
    "day" DATE NOT NULL,
    "caller_region" VARCHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_running_vectors_pkey" PRIMARY KEY ("day","caller_region","provider","channel","chunk")
);

-- Out of line but not compressed: every batch rewrites rows of up to 80 KB, and
-- compressing 64 KB cost ~2 ms a row against ~0.3 ms stored as it is
-- (lib/ingest/running-vectors.ts).
ALTER TABLE "account_running_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills it from the stored decisions after migrating
-- (backfillRunningVectors), as for account_presence_daily.
