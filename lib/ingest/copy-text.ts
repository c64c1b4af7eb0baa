import type { DecisionRow } from './validate';

// Encoding for PostgreSQL's COPY text format: tab-separated, \N for NULL, backslash escapes.
// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
const SPECIAL = /[\\\t\n\r]/;

/** A day index (days since 1970-01-01) as a date: the bucket of the daily tables. */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

export function copyLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return values.map(copyValue).join('\t') + '\n';
}

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

const ESCAPE = /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The values of one line of COPY text (without its line end); NULL is `null`. */
export function copyFields(line: string): Array<string | null> {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    if (!field.includes('\\')) return field;
    return field.replace(ESCAPE, (_, octal: string | undefined, hex: string | undefined, other: string) =>
      octal !== undefined
        ? String.fromCharCode(parseInt(octal, 8))
        : hex !== undefined
          ? String.fromCharCode(parseInt(hex, 16))
          : (SIMPLE_ESCAPES[other] ?? other),
    );
  });
}
