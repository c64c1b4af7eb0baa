-- Every route (provider/channel) each account and caller region has used
-- (lib/rollups/account-region-routes.ts): channel divergence starts from the pairs with two
-- or more, found through the partial index, instead of grouping every running row.
CREATE TABLE "account_region_routes" (
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "routes" TEXT[],

    CONSTRAINT "account_region_routes_pkey" PRIMARY KEY ("account_id","caller_region")
);

-- An index Prisma cannot express (listed in tests/integration/schema-drift.test.ts).
CREATE INDEX "account_region_routes_multi" ON "account_region_routes" ("caller_region", "account_id") WHERE cardinality("routes") > 1;

-- From the stored decisions' running rows, which name every account route.
INSERT INTO "account_region_routes" ("account_id", "caller_region", "routes")
SELECT "account_id", "caller_region", array_agg(DISTINCT "provider" || '/' || "channel")
  FROM "account_running_monthly" GROUP BY 1, 2;
