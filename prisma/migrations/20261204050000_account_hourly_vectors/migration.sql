-- CreateTable
CREATE TABLE "account_hourly_vectors" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_hourly_vectors_pkey" PRIMARY KEY ("hour","chunk")
);

-- Not compressed, as account_running_vectors: a batch writes every hour it has decisions in.
ALTER TABLE "account_hourly_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills it from the stored decisions after migrating
-- (lib/rollups/backfill.ts), as for account_running_vectors.
