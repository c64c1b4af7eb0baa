-- AlterTable: existing accounts get ordinals in storage order.
ALTER TABLE "accounts" ADD COLUMN     "ordinal" SERIAL NOT NULL;

-- CreateTable
CREATE TABLE "account_presence_daily" (
    "bucket" DATE NOT NULL,
    "caller_region" VARCHAR(2) NOT NULL,
    "provider" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "decision" VARCHAR(16) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "bits" bit(8192) NOT NULL,

    CONSTRAINT "account_presence_daily_pkey" PRIMARY KEY ("bucket","caller_region","provider","channel","decision","chunk")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_ordinal_key" ON "accounts"("ordinal");

-- Filled for decisions already stored by lib/ingest/presence.ts (backfillPresence) when
-- migrations have been applied: building bitmaps is ~20x faster in Node than in SQL.
