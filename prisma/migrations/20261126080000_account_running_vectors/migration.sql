-- CreateTable
CREATE TABLE "account_running_vectors" (
    "day" DATE NOT NULL,
    "chunk" INTEGER NOT NULL,
    "allowed" BYTEA NOT NULL,
    "blocked" BYTEA NOT NULL,

    CONSTRAINT "account_running_vectors_pkey" PRIMARY KEY ("day","chunk")
);

-- Out of line but not compressed: every batch rewrites rows of 2 x 32 KB, and compressing
-- them cost ~2 ms a row against ~0.3 ms stored as they are (lib/ingest/running-vectors.ts).
ALTER TABLE "account_running_vectors" ALTER COLUMN "allowed" SET STORAGE EXTERNAL, ALTER COLUMN "blocked" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills it from the stored decisions after migrating
-- (backfillRunningVectors), as for account_presence_daily.
