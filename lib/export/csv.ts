// CSV output: RFC 4180 quoting, and spreadsheet safety per OWASP's CSV injection guidance.
// A value starting with = + - @ tab or carriage return would be read as a formula by
// Excel, LibreOffice or Sheets; it is prefixed with a single quote, which spreadsheets
// show as text and which keeps the original characters after it.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

// Character codes that can start a formula: = + - @ tab CR.
const EQ = 61;
const PLUS = 43;
const MINUS = 45;
const AT = 64;
const TAB = 9;
const CR = 13;

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  if (value === '') return '';
  // Hot path of large exports: one charCode check instead of a regex for the common case.
  const first = value.charCodeAt(0);
  const safe = first === EQ || first === PLUS || first === MINUS || first === AT || first === TAB || first === CR ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** The UTF-8 byte order mark, which Excel needs to read UTF-8 CSV correctly. */
export const UTF8_BOM = '\uFEFF';
