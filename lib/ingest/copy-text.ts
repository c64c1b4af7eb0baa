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
