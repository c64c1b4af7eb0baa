import { copyValue } from '@/lib/db/copy-format';

import type { DecisionRow } from './validate';

// COPY text of the rows ingestion stores: accepted decisions and rejected rows.

/** Text a value may hold that PostgreSQL text or jsonb cannot: NUL and lone surrogates. */
const UNSTORABLE = /[\0\uD800-\uDFFF]/;

/**
 * Makes arbitrary text storable (NUL and lone UTF-16 surrogates become U+FFFD), for the
 * original values of rejected rows, which are kept whatever they hold.
 */
export function storableText(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return (text.replace(/\0/g, '\uFFFD') as string & { toWellFormed(): string }).toWellFormed();
}

/** A rejected row's original values as storable JSON. */
export function storableOriginal(original: Record<string, string>): string {
  const storable = Object.create(null) as Record<string, string>; // a key may be "__proto__"
  for (const key of Object.keys(original)) storable[storableText(key)] = storableText(original[key]!);
  return JSON.stringify(storable);
}

/**
 * One accepted row as COPY text in DECISION_COLUMNS order (see merge.ts). Slugs, region,
 * decision and the normalised time never need escaping; free text may.
 */
export function decisionCopyLine(row: DecisionRow, batchId: number, line: number): string {
  return (
    `${row.occurredAt}\t${copyValue(row.requestId)}\t${copyValue(row.accountId)}\t${copyValue(row.accountName)}\t` +
    `${row.callerRegion}\t${copyValue(row.servingRegion)}\t${row.provider}\t${row.channel}\t${row.decision}\t` +
    `${copyValue(row.reason)}\t${copyValue(row.policyVersion)}\t${copyValue(row.model)}\t${batchId}\t${line}\n`
  );
}

/** One rejected row as COPY text for batch_rejections (batch_id, line, error, original). */
export function rejectionCopyLine(batchId: number, line: number, error: string, original: Record<string, string>): string {
  return `${batchId}\t${line}\t${copyValue(storableText(error))}\t${copyValue(storableOriginal(original))}\n`;
}

