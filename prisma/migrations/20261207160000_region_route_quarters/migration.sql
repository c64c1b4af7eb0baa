-- CreateTable
CREATE TABLE "region_routes" (
    "ordinal" SERIAL NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,

    CONSTRAINT "region_routes_pkey" PRIMARY KEY ("ordinal")
);

-- CreateTable
CREATE TABLE "region_route_quarter_vectors" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "region_route_quarter_vectors_pkey" PRIMARY KEY ("hour","chunk")
);

-- CreateIndex
CREATE UNIQUE INDEX "region_routes_caller_region_provider_channel_key" ON "region_routes"("caller_region", "provider", "channel");

-- Not compressed, as the other vector tables: a batch rewrites the rows of its buckets.
ALTER TABLE "region_route_quarter_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills them from the stored decisions after migrating
-- (lib/rollups/backfill.ts).
