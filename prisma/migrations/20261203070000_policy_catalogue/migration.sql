-- Region policies become an effective-dated catalogue (lib/policy/catalogue.ts): statuses
-- named as providers publish them, who closed a version and when, which version a new one
-- supersedes, and no two versions of one key (provider, channel or every channel, region)
-- in force at the same instant.
ALTER TYPE "PolicyStatus" RENAME VALUE 'allowed' TO 'supported';
ALTER TYPE "PolicyStatus" RENAME VALUE 'blocked' TO 'unsupported';
ALTER TYPE "PolicyStatus" ADD VALUE 'restricted';

ALTER TABLE "region_policies" ADD COLUMN "supersedes_id" INTEGER,
ADD COLUMN "closed_at" TIMESTAMPTZ(6),
ADD COLUMN "closed_by_id" UUID;

ALTER TABLE "region_policies" ADD CONSTRAINT "region_policies_supersedes_id_fkey" FOREIGN KEY ("supersedes_id") REFERENCES "region_policies"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "region_policies" ADD CONSTRAINT "region_policies_closed_by_id_fkey" FOREIGN KEY ("closed_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Constraints Prisma cannot express (listed in tests/integration/schema-drift.test.ts).
ALTER TABLE "region_policies" ADD CONSTRAINT "region_policies_dates" CHECK ("effective_to" IS NULL OR "effective_to" > "effective_from");
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE "region_policies" ADD CONSTRAINT "region_policies_no_overlap" EXCLUDE USING gist (
  "provider" WITH =, (coalesce("channel", '')) WITH =, "region" WITH =,
  tstzrange("effective_from", "effective_to", '[)') WITH &&);

-- Decisions that contradict the policy in force when they were made
-- (lib/rollups/decision-violations.ts). Filled by the migrations runner for stored decisions.
CREATE TABLE "decision_violations" (
    "decision_id" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "policy_id" INTEGER NOT NULL,

    CONSTRAINT "decision_violations_pkey" PRIMARY KEY ("decision_id")
);

CREATE INDEX "decision_violations_occurred_at_idx" ON "decision_violations"("occurred_at");
CREATE INDEX "decision_violations_account_id_occurred_at_idx" ON "decision_violations"("account_id", "occurred_at");
CREATE INDEX "decision_violations_provider_caller_region_idx" ON "decision_violations"("provider", "caller_region");
