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
