/** The record's fields, in the order of the spec's table (also the order errors are reported in). */
export const FIELD_NAMES = [
  'occurred_at',
  'request_id',
  'account_id',
  'account_name',
  'caller_region',
  'serving_region',
  'provider',
  'channel',
  'decision',
  'reason',
  'policy_version',
  'model',
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

export const REQUIRED_FIELDS: readonly FieldName[] = [
  'occurred_at',
  'request_id',
  'account_id',
  'caller_region',
  'provider',
  'channel',
  'decision',
];

/** Alternative header names / NDJSON keys the spec accepts, already normalised. */
export const FIELD_ALIASES: Readonly<Record<string, FieldName>> = {
  timestamp: 'occurred_at',
  time: 'occurred_at',
  ts: 'occurred_at',
  id: 'request_id',
  event_id: 'request_id',
  account: 'account_id',
  region: 'caller_region',
  country: 'caller_region',
  caller_country: 'caller_region',
  reseller: 'channel',
  reseller_channel: 'channel',
  action: 'decision',
  outcome: 'decision',
  result: 'decision',
};

// Lookups go through a Map: indexing the object literal would find inherited names
// ("constructor", "__proto__") for headers that happen to be spelled that way.
const FIELD_BY_NAME: ReadonlyMap<string, FieldName> = new Map<string, FieldName>([
  ...FIELD_NAMES.map((field) => [field, field] as const),
  ...Object.entries(FIELD_ALIASES),
]);
const SPACE_OR_HYPHEN = /[ -]/g;

/** Spec: trimmed, case-insensitive, spaces and hyphens read as underscores (`Request-ID` is `request_id`). */
export function normaliseHeaderName(name: string): string {
  return name.trim().toLowerCase().replace(SPACE_OR_HYPHEN, '_');
}

/** The field a header name or NDJSON key stands for, or null for an unknown name. */
export function fieldForName(name: string): FieldName | null {
  return FIELD_BY_NAME.get(normaliseHeaderName(name)) ?? null;
}

export interface HeaderMapping {
  /** For each column, the field it feeds, or null when the column is ignored. */
  fields: (FieldName | null)[];
  /** Ignored column names as written in the file, each once, in first-seen order. */
  unknownColumns: string[];
  /** Required fields no column maps to, in spec order. */
  missingRequired: FieldName[];
}

/**
 * Maps a CSV header row onto fields. When two columns name the same field (say
 * `timestamp` and `occurred_at`) the first wins and the later one is ignored like an
 * unknown column, so a value is never silently chosen from the right-most column.
 */
export function mapHeader(names: readonly string[]): HeaderMapping {
  const fields: (FieldName | null)[] = [];
  const taken = new Set<FieldName>();
  const unknown = new Set<string>();
  for (const name of names) {
    const field = fieldForName(name);
    if (field !== null && !taken.has(field)) {
      taken.add(field);
      fields.push(field);
    } else {
      unknown.add(name);
      fields.push(null);
    }
  }
  return {
    fields,
    unknownColumns: [...unknown],
    missingRequired: REQUIRED_FIELDS.filter((field) => !taken.has(field)),
  };
}
