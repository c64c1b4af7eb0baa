// A realistic CSV of N valid decisions for the benchmarks, written to a temporary file.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';

import { generateDemoDecisions } from '@/lib/demo/generate';
import type { DecisionRow } from '@/lib/ingest/validate';

const HEADER = [
  'occurred_at', 'request_id', 'account_id', 'account_name', 'caller_region', 'serving_region',
  'provider', 'channel', 'decision', 'reason', 'policy_version', 'model',
] as const;

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting: a field holding a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | undefined): string {
  if (value === undefined) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(row: DecisionRow): string {
  return [row.occurredAt, row.requestId, row.accountId, row.accountName, row.callerRegion, row.servingRegion,
    row.provider, row.channel, row.decision, row.reason, row.policyVersion, row.model].map(csvField).join(',');
}

/** Writes the file and returns its size in bytes. Rows are the demo seed's (deterministic for a given now). */
export async function writeDecisionsCsv(path: string, rows: number, now: Date): Promise<number> {
  const out = createWriteStream(path);
  try {
    out.write(`${HEADER.join(',')}\n`);
    for (const chunk of generateDemoDecisions({ rows, now })) {
      let text = '';
      for (const row of chunk) text += `${csvRecord(row)}\n`;
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    throw error;
  }
  return (await stat(path)).size;
}
