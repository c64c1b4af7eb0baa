-- CreateTable
CREATE TABLE "account_violation_daily_vectors" (
    "day" DATE NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_violation_daily_vectors_pkey" PRIMARY KEY ("day","chunk")
);

-- CreateTable
CREATE TABLE "account_violation_hourly_vectors" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_violation_hourly_vectors_pkey" PRIMARY KEY ("hour","chunk")
);

-- Not compressed, as the other vector tables: a batch rewrites the rows of its buckets.
ALTER TABLE "account_violation_daily_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;
ALTER TABLE "account_violation_hourly_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills them from the stored violations after migrating
-- (lib/rollups/backfill.ts).
