-- The audit trail as a hash chain (lib/audit/chain.ts): each entry's position, the hash of
-- the entry before it, and the SHA-256 of its canonical serialisation. Entries written
-- before this migration are sealed onto the chain by the migrations runner (in id order).
ALTER TABLE "audit_events" ADD COLUMN "seq" BIGINT,
ADD COLUMN "prev_hash" CHAR(64),
ADD COLUMN "hash" CHAR(64);

-- API tokens may expire.
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" TIMESTAMPTZ(6);

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_seq_key" ON "audit_events"("seq");

-- CreateIndex
CREATE INDEX "audit_events_actor_label_at_idx" ON "audit_events"("actor_label", "at" DESC);
