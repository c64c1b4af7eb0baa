-- CreateTable
CREATE TABLE "violation_quarter_vectors" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "violation_quarter_vectors_pkey" PRIMARY KEY ("hour","chunk")
);

-- Not compressed, as the other vector tables: a batch rewrites the rows of its buckets.
ALTER TABLE "violation_quarter_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills it from the stored violations after migrating
-- (lib/rollups/backfill.ts).
