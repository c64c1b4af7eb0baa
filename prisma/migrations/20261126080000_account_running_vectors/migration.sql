-- CreateTable
CREATE TABLE "account_running_vectors" (
    "day" DATE NOT NULL,
    "chunk" INTEGER NOT NULL,
    "allowed" BYTEA NOT NULL,
    "blocked" BYTEA NOT NULL,

    CONSTRAINT "account_running_vectors_pkey" PRIMARY KEY ("day","chunk")
);

-- Created empty: lib/db/migrate.ts fills it from the stored decisions after migrating
-- (backfillRunningVectors), as for account_presence_daily.
