// Runs once when a Gatewatch server process starts (Next.js instrumentation hook).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { db } = await import('@/lib/db/client');
  const { recoverOrphanedBatches } = await import('@/lib/ingest/batch-record');
  // A batch left `processing` by a process that died (crash, kill -9) is marked failed
  // with its reason; its rows were never committed, so re-sending it is safe.
  const recovered = await recoverOrphanedBatches(db().pool).catch((error: unknown) => {
    console.error('[gatewatch] could not check for interrupted batches:', error);
    return [];
  });
  if (recovered.length) console.log(`[gatewatch] marked interrupted batches as failed: ${recovered.join(', ')}`);
}
