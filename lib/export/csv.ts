// CSV output: RFC 4180 quoting, and spreadsheet safety per OWASP's CSV injection guidance.
// A value starting with = + - @ tab or carriage return would be read as a formula by
// Excel, LibreOffice or Sheets; it is prefixed with a single quote, which spreadsheets
// show as text and which keeps the original characters after it.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = neutraliseFormula(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** The UTF-8 byte order mark, which Excel needs to read UTF-8 CSV correctly. */
export const UTF8_BOM = '\uFEFF';
