import { Prisma } from '@/lib/generated/prisma/client';

// COPY ... TO STDOUT takes no bind parameters, but it is the only way to stream millions of
// rows at PostgreSQL's own speed (the driver parses ~130k rows/s; COPY hands us bytes).
// So the parameters travel as transaction-local settings, bound with set_config($1, $2),
// and the query reads them back with current_setting() and an explicit cast. No value is
// ever spliced into SQL text.

function castFor(value: unknown): string {
  if (value instanceof Date) return 'timestamptz';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'float8';
  if (typeof value === 'boolean') return 'boolean';
  return 'text';
}

function serialise(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Replaces $1..$n outside quoted literals and identifiers. */
function replacePlaceholders(text: string, replace: (index: number) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    const m = c === '$' ? /^\$(\d+)/.exec(text.slice(i, i + 12)) : null;
    if (m) {
      out += replace(Number(m[1]));
      i += m[0].length;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

export interface CopyQuery {
  /** Statements to run first, in the same transaction. */
  setup: Prisma.Sql[];
  /** `COPY (<query>) TO STDOUT WITH (FORMAT csv)`, parameter-free. */
  copy: string;
}

export function toCopyQuery(query: Prisma.Sql): CopyQuery {
  const values = query.values;
  const setup = values.map((v, i) => Prisma.sql`SELECT set_config(${`gw_export.p${i + 1}`}, ${serialise(v)}, true)`);
  const text = replacePlaceholders(query.text, (n) => `current_setting('gw_export.p${n}')::${castFor(values[n - 1])}`);
  return { setup, copy: `COPY (${text}) TO STDOUT WITH (FORMAT csv)` };
}

/**
 * SQL for a text column made safe for spreadsheets (OWASP CSV injection): a value starting
 * with = + - @ tab or CR gets a leading single quote, the original text kept after it.
 * Mirrors csvField() in csv.ts for exports that PostgreSQL formats itself.
 */
export function spreadsheetSafe(column: string): Prisma.Sql {
  const c = Prisma.raw(column);
  return Prisma.sql`CASE WHEN left(${c}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${c} ELSE ${c} END`;
}
