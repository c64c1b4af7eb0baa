// Encoding for PostgreSQL's COPY text format: tab-separated, \N for NULL, backslash escapes.
// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
const SPECIAL = /[\\\t\n\r]/;

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
