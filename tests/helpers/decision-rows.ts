import type pg from 'pg';

import type { Filters } from '@/lib/analytics/filters';
import { ingest } from '@/lib/ingest/pipeline';
import type { RecordOutcome } from '@/lib/ingest/read-decisions';
import type { DecisionRow } from '@/lib/ingest/validate';

/** Ingests valid rows as one batch through the real pipeline (lines numbered as a CSV's). */
export async function ingestRows(pool: pg.Pool, fileName: string, rows: DecisionRow[]): Promise<Awaited<ReturnType<typeof ingest>>> {
  return ingest(pool, { fileName, source: 'cli', strict: false }, async () => ({
    outcomes: (async function* () {
      yield rows.map((row, i): RecordOutcome => ({ line: i + 2, ok: true, row }));
    })(),
    summary: () => ({ sha256: null, bytes: 0, format: 'csv' as const, compressed: false, unknownColumns: [] }),
  }), { strict: false });
}

/** Whether a row falls in the filters' range and dimensions: the naive model the queries are checked against. */
export function matchesFilters(r: DecisionRow, f: Filters): boolean {
  const t = Date.parse(r.occurredAt);
  if (t < f.from.getTime() || t >= f.to.getTime()) return false;
  const check = (value: string, d: { include: string[]; exclude: string[] }) =>
    (d.include.length === 0 || d.include.includes(value)) && !d.exclude.includes(value);
  return check(r.callerRegion, f.region) && check(r.provider, f.provider) && check(r.channel, f.channel) && check(r.decision, f.decision);
}

const ROUTES = [['openai', 'direct'], ['azure-openai', 'azure-china-21vianet'], ['azure-openai', 'azure-global']] as const;

/**
 * A valid decision for generated test data: `fields` as given, and from `random` a
 * provider and channel (three routes, one of them Azure's China channel), a caller region
 * from `regions`, and the decision (30% blocked).
 */
export function randomDecision(
  random: () => number,
  regions: readonly string[],
  fields: { requestId: string; accountId: string; accountName?: string; at: number },
): DecisionRow {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const [provider, channel] = pick(ROUTES);
  return {
    occurredAt: new Date(fields.at).toISOString(),
    requestId: fields.requestId,
    accountId: fields.accountId,
    accountName: fields.accountName,
    callerRegion: pick(regions),
    servingRegion: undefined,
    provider,
    channel,
    decision: random() < 0.3 ? 'blocked' : 'allowed',
    reason: undefined,
    policyVersion: undefined,
    model: undefined,
  };
}
