-- CreateTable
CREATE TABLE "account_routes" (
    "ordinal" SERIAL NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,

    CONSTRAINT "account_routes_pkey" PRIMARY KEY ("ordinal")
);

-- CreateTable
CREATE TABLE "account_route_daily_vectors" (
    "day" DATE NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_route_daily_vectors_pkey" PRIMARY KEY ("day","chunk")
);

-- CreateTable
CREATE TABLE "account_route_hourly_vectors" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" BYTEA NOT NULL,

    CONSTRAINT "account_route_hourly_vectors_pkey" PRIMARY KEY ("hour","chunk")
);

-- CreateIndex
CREATE UNIQUE INDEX "account_routes_account_id_caller_region_provider_channel_key" ON "account_routes"("account_id", "caller_region", "provider", "channel");

-- Not compressed, as the other vector tables: a batch rewrites the rows of its buckets.
ALTER TABLE "account_route_daily_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;
ALTER TABLE "account_route_hourly_vectors" ALTER COLUMN "counts" SET STORAGE EXTERNAL;

-- Created empty: lib/db/migrate.ts fills them from the stored decisions after migrating
-- (lib/rollups/backfill.ts).
