-- CreateEnum
CREATE TYPE "Decision" AS ENUM ('allowed', 'blocked');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'analyst', 'admin');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('processing', 'complete', 'failed', 'duplicate');

-- CreateEnum
CREATE TYPE "BatchFormat" AS ENUM ('csv', 'ndjson');

-- CreateEnum
CREATE TYPE "BatchSource" AS ENUM ('browser', 'api', 'cli', 'seed');

-- CreateEnum
CREATE TYPE "PolicyStatus" AS ENUM ('allowed', 'blocked');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('user', 'token', 'system');

-- CreateTable
CREATE TABLE "access_decisions" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "request_id" VARCHAR(128) NOT NULL,
    "account_id" VARCHAR(128) NOT NULL,
    "account_name" VARCHAR(256),
    "caller_region" CHAR(2) NOT NULL,
    "serving_region" VARCHAR(64),
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" VARCHAR(128),
    "policy_version" VARCHAR(64),
    "model" VARCHAR(128),
    "batch_id" INTEGER NOT NULL,
    "batch_line" INTEGER NOT NULL,

    CONSTRAINT "access_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" VARCHAR(128) NOT NULL,
    "name" VARCHAR(256),
    "name_seen_at" TIMESTAMPTZ(6),
    "first_seen" TIMESTAMPTZ(6) NOT NULL,
    "last_seen" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decision_counts_hourly" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" VARCHAR(128) NOT NULL DEFAULT '',
    "model" VARCHAR(128) NOT NULL DEFAULT '',
    "count" BIGINT NOT NULL,

    CONSTRAINT "decision_counts_hourly_pkey" PRIMARY KEY ("bucket","caller_region","provider","channel","decision","reason","model")
);

-- CreateTable
CREATE TABLE "decision_counts_daily" (
    "bucket" DATE NOT NULL,
    "caller_region" CHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" VARCHAR(128) NOT NULL DEFAULT '',
    "model" VARCHAR(128) NOT NULL DEFAULT '',
    "count" BIGINT NOT NULL,

    CONSTRAINT "decision_counts_daily_pkey" PRIMARY KEY ("bucket","caller_region","provider","channel","decision","reason","model")
);

-- CreateTable
CREATE TABLE "ingest_batches" (
    "id" SERIAL NOT NULL,
    "file_name" VARCHAR(512) NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "sha256" CHAR(64),
    "format" "BatchFormat",
    "compressed" BOOLEAN NOT NULL DEFAULT false,
    "strict" BOOLEAN NOT NULL DEFAULT false,
    "source" "BatchSource" NOT NULL,
    "status" "BatchStatus" NOT NULL DEFAULT 'processing',
    "failure_reason" TEXT,
    "duplicate_of_id" INTEGER,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "conflicts" INTEGER NOT NULL DEFAULT 0,
    "unknown_columns" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "uploaded_by_id" UUID,
    "token_id" UUID,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "duration_ms" INTEGER,

    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch_rejections" (
    "batch_id" INTEGER NOT NULL,
    "line" INTEGER NOT NULL,
    "error" TEXT NOT NULL,
    "original" JSONB NOT NULL,

    CONSTRAINT "batch_rejections_pkey" PRIMARY KEY ("batch_id","line")
);

-- CreateTable
CREATE TABLE "batch_conflicts" (
    "batch_id" INTEGER NOT NULL,
    "line" INTEGER NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "request_id" VARCHAR(128) NOT NULL,
    "stored_decision" "Decision" NOT NULL,
    "received_decision" "Decision" NOT NULL,

    CONSTRAINT "batch_conflicts_pkey" PRIMARY KEY ("batch_id","line")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(320) NOT NULL,
    "name" VARCHAR(200),
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(6),
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'UTC',

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_agent" VARCHAR(512),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "role" "Role" NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" VARCHAR(64),
    "actor_label" VARCHAR(320) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "target" VARCHAR(512),
    "details" JSONB NOT NULL DEFAULT '{}',
    "ip" VARCHAR(64),

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "region_policies" (
    "id" SERIAL NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64),
    "region" CHAR(2) NOT NULL,
    "status" "PolicyStatus" NOT NULL,
    "effective_from" TIMESTAMPTZ(6) NOT NULL,
    "effective_to" TIMESTAMPTZ(6),
    "note" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "region_policies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_decisions_account_time" ON "access_decisions"("account_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "access_decisions_time" ON "access_decisions"("occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "access_decisions_identity" ON "access_decisions"("provider", "request_id");

-- CreateIndex
CREATE INDEX "accounts_last_seen_idx" ON "accounts"("last_seen" DESC);

-- CreateIndex
CREATE INDEX "ingest_batches_started_at_idx" ON "ingest_batches"("started_at" DESC);

-- CreateIndex
CREATE INDEX "ingest_batches_sha256_idx" ON "ingest_batches"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at" DESC);

-- CreateIndex
CREATE INDEX "audit_events_action_at_idx" ON "audit_events"("action", "at" DESC);

-- CreateIndex
CREATE INDEX "region_policies_provider_region_effective_from_idx" ON "region_policies"("provider", "region", "effective_from");

-- AddForeignKey
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batch_rejections" ADD CONSTRAINT "batch_rejections_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "ingest_batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batch_conflicts" ADD CONSTRAINT "batch_conflicts_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "ingest_batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "region_policies" ADD CONSTRAINT "region_policies_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Not expressible in schema.prisma ---------------------------------------------------

-- The same bytes are ingested at most once: the backstop for two identical uploads racing.
CREATE UNIQUE INDEX "ingest_batches_sha256_complete" ON "ingest_batches"("sha256") WHERE "status" = 'complete';

-- Rollup and batch tables are rewritten at every ingest; leave room for HOT updates.
ALTER TABLE "decision_counts_hourly" SET (fillfactor = 90);
ALTER TABLE "decision_counts_daily" SET (fillfactor = 90);
