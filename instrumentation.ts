// Runs once when a Gatewatch server process starts (Next.js instrumentation hook). Next.js
// awaits it before the server answers its first request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { db } = await import('@/lib/db/client');
  const { env } = await import('@/lib/env');
  const { recoverOrphanedBatches } = await import('@/lib/ingest/batch-record');
  const { warmUp } = await import('@/lib/analytics/warm-up');
  // A batch left `processing` by a process that died (crash, kill -9) is marked failed
  // with its reason; its rows were never committed, so re-sending it is safe.
  const recovered = await recoverOrphanedBatches(db().pool).catch((error: unknown) => {
    console.error('[gatewatch] could not check for interrupted batches:', error);
    return [];
  });
  if (recovered.length) console.log(`[gatewatch] marked interrupted batches as failed: ${recovered.join(', ')}`);
  // Awaited, and so before the first request: a first user who arrives during it waits for
  // it instead of competing with it for the same two cores.
  const budgetMs = env().GW_WARM_UP_SECONDS * 1000;
  const report = budgetMs === 0 ? null : await warmUp(db().prisma, { budgetMs }).catch((error: unknown) => {
    console.error('[gatewatch] could not warm up:', error);
    return null;
  });
  // Nothing to say for an empty database (the warm-up then runs nothing).
  if (report && report.ran + report.failed.length > 0) {
    console.log(`[gatewatch] warmed up in ${report.ms} ms: ${report.ran} queries`
      + (report.skipped.length ? `; budget spent, ranges not warmed: ${report.skipped.join(', ')}` : ''));
    for (const f of report.failed) console.error(`[gatewatch] warm-up: ${f.query} (${f.range}) failed: ${f.message}`);
  }
}
