import type pg from 'pg';
import { z } from 'zod';

import { FilterError, parseInstant } from '@/lib/analytics/filters';
import { type AuditEntry, recordAuditOnConnection } from '@/lib/audit/record';
import { waitForMergeLock } from '@/lib/db/merge-lock';
import { normaliseHeaderName } from '@/lib/ingest/fields';
import { CsvTokenizer, type CsvRecord } from '@/lib/ingest/parse-csv';
import { normaliseCallerRegion } from '@/lib/ingest/regions';
import { SLUG } from '@/lib/ingest/validate';
import { type PolicyKey, rebuildViolations } from '@/lib/rollups/decision-violations';

import { POLICY_STATUSES, type PolicyStatus } from './in-force';

// The region-policy catalogue: which provider (optionally on one channel) serves callers
// of which region, over effective-dated spans. History is never rewritten: a version is
// closed at an instant (its span ends there) and a change of status is a new version that
// supersedes it from that instant. Each change runs in one transaction that takes the
// merge lock (so no batch derives violations from a half-changed catalogue), rebuilds the
// violations of the provider and region it touches, and appends its audit entry.

const slug = (what: string) =>
  z.string().trim().toLowerCase().regex(SLUG, `${what} must be a slug: lower-case letters, digits, '.', '_' or '-', up to 64 characters`);

/** An instant, read as the URL filters read one (a bare date or a time without offset is UTC). */
const instant = (what: string) =>
  z.union([z.date(), z.string().trim()]).transform((value, ctx) => {
    let at: Date;
    try {
      at = value instanceof Date ? value : parseInstant(what, value);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
    if (at.getUTCFullYear() < 2000 || at.getUTCFullYear() >= 2100) {
      ctx.addIssue({ code: 'custom', message: `${what} must fall between 2000 and 2100` });
      return z.NEVER;
    }
    return at;
  });

const optionalText = (max: number) =>
  z.string().trim().max(max).optional().nullable().transform((v) => (v ? v : null));

export const policyVersionSchema = z
  .object({
    provider: slug('provider'),
    channel: z.union([slug('channel'), z.literal('').transform(() => null), z.null()]).optional().transform((v) => v ?? null),
    region: z.string().trim().transform((r, ctx) => {
      const region = normaliseCallerRegion(r);
      if (region === null) ctx.addIssue({ code: 'custom', message: 'region must be an ISO 3166-1 alpha-2 code' });
      return region ?? z.NEVER;
    }),
    status: z.enum(POLICY_STATUSES, { message: `status must be one of ${POLICY_STATUSES.join(', ')}` }),
    effectiveFrom: instant('effective from'),
    effectiveTo: z.union([instant('effective to'), z.literal('').transform(() => null), z.null()]).optional().transform((v) => v ?? null),
    note: optionalText(2000),
  })
  .refine((p) => p.effectiveTo === null || p.effectiveTo > p.effectiveFrom, {
    message: 'effective to must be after effective from',
    path: ['effectiveTo'],
  });
export type PolicyVersionInput = z.input<typeof policyVersionSchema>;
export type PolicyVersion = z.output<typeof policyVersionSchema>;

export interface StoredPolicy extends PolicyVersion {
  id: number;
  supersedesId: number | null;
  closedAt: Date | null;
}

/** A change the catalogue refuses, with a message that names why. */
export class PolicyChangeError extends Error {
  constructor(
    readonly code: 'invalid' | 'overlap' | 'not_found' | 'not_open',
    message: string,
  ) {
    super(message);
    this.name = 'PolicyChangeError';
  }
}

const EXCLUSION_VIOLATION = '23P01';

const describeKey = (p: { provider: string; channel: string | null; region: string }) =>
  `${p.provider}${p.channel ? `/${p.channel}` : ' (every channel)'} in ${p.region}`;
const describeSpan = (from: Date, to: Date | null) => `${from.toISOString()} to ${to ? to.toISOString() : 'open end'}`;

const messages = (error: z.ZodError) => error.issues.map((i) => i.message).join('; ');

export function parsePolicyVersion(input: unknown): PolicyVersion {
  const parsed = policyVersionSchema.safeParse(input);
  if (!parsed.success) throw new PolicyChangeError('invalid', messages(parsed.error));
  return parsed.data;
}

type Actor = AuditEntry['actor'];

interface RowOf {
  id: number;
  provider: string;
  channel: string | null;
  region: string;
  status: PolicyStatus;
  effective_from: Date;
  effective_to: Date | null;
  note: string | null;
  supersedes_id: number | null;
  closed_at: Date | null;
}

const toStored = (r: RowOf): StoredPolicy => ({
  id: r.id, provider: r.provider, channel: r.channel, region: r.region, status: r.status,
  effectiveFrom: r.effective_from, effectiveTo: r.effective_to, note: r.note, supersedesId: r.supersedes_id, closedAt: r.closed_at,
});

/** Runs a catalogue change in its own transaction under the merge lock, then rebuilds violations. */
async function change<T>(
  pool: pg.Pool,
  run: (client: pg.PoolClient) => Promise<{ result: T; keys: PolicyKey[]; audit: Omit<AuditEntry, 'actor'> }>,
  actor: Actor,
  ip: string | null,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await waitForMergeLock(client);
    const { result, keys, audit } = await run(client);
    await rebuildViolations(client, keys);
    await recordAuditOnConnection(client, { ...audit, actor, ip });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const actorUserId = (actor: Actor) => (actor.kind === 'user' ? actor.user.id : actor.kind === 'userRef' ? actor.id : null);

async function insertVersion(client: pg.PoolClient, p: PolicyVersion, actor: Actor, supersedesId: number | null, line?: number): Promise<StoredPolicy> {
  await client.query('SAVEPOINT gw_policy');
  try {
    const { rows } = await client.query<RowOf>(
      `INSERT INTO region_policies (provider, channel, region, status, effective_from, effective_to, note, created_by_id, supersedes_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [p.provider, p.channel, p.region, p.status, p.effectiveFrom, p.effectiveTo, p.note, actorUserId(actor), supersedesId],
    );
    await client.query('RELEASE SAVEPOINT gw_policy');
    return toStored(rows[0]!);
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT gw_policy');
    if ((error as { code?: string }).code !== EXCLUSION_VIOLATION) throw error;
    const { rows } = await client.query<RowOf>(
      `SELECT * FROM region_policies
        WHERE provider = $1 AND coalesce(channel, '') = coalesce($2, '') AND region = $3
          AND tstzrange(effective_from, effective_to, '[)') && tstzrange($4, $5, '[)')
        ORDER BY effective_from LIMIT 1`,
      [p.provider, p.channel, p.region, p.effectiveFrom, p.effectiveTo],
    );
    const other = rows[0];
    throw new PolicyChangeError('overlap',
      `${line ? `Line ${line}: ` : ''}${describeKey(p)} from ${describeSpan(p.effectiveFrom, p.effectiveTo)} overlaps version #${other?.id} ` +
      `(${other?.status}, ${other ? describeSpan(other.effective_from, other.effective_to) : 'unknown span'}); ` +
      'close or supersede that version instead of adding one over it.');
  }
}

const versionDetails = (p: PolicyVersion) => ({
  provider: p.provider, channel: p.channel, region: p.region, status: p.status,
  effectiveFrom: p.effectiveFrom.toISOString(), effectiveTo: p.effectiveTo?.toISOString() ?? null, note: p.note,
});

/** Adds a version; refused when it overlaps one of the same key. */
export async function addPolicy(pool: pg.Pool, actor: Actor, input: unknown, ip: string | null = null): Promise<StoredPolicy> {
  const version = parsePolicyVersion(input);
  return change(pool, async (client) => {
    const stored = await insertVersion(client, version, actor, null);
    return { result: stored, keys: [version], audit: { action: 'policy.create', target: `policy:${stored.id}`, details: versionDetails(version) } };
  }, actor, ip);
}

async function lockVersion(client: pg.PoolClient, id: number): Promise<StoredPolicy> {
  const { rows } = await client.query<RowOf>('SELECT * FROM region_policies WHERE id = $1 FOR UPDATE', [id]);
  if (!rows[0]) throw new PolicyChangeError('not_found', `No policy version #${id}.`);
  return toStored(rows[0]);
}

/** Ends a version's span at `at` (which must fall inside it). */
async function endVersion(client: pg.PoolClient, old: StoredPolicy, at: Date, actor: Actor): Promise<void> {
  if (at <= old.effectiveFrom) {
    throw new PolicyChangeError('not_open',
      `Version #${old.id} starts ${old.effectiveFrom.toISOString()}: it can only be closed after that. To correct it, add a version for the dates it should cover.`);
  }
  if (old.effectiveTo !== null && at >= old.effectiveTo) {
    throw new PolicyChangeError('not_open', `Version #${old.id} already ended ${old.effectiveTo.toISOString()}.`);
  }
  await client.query('UPDATE region_policies SET effective_to = $2, closed_at = now(), closed_by_id = $3 WHERE id = $1',
    [old.id, at, actorUserId(actor)]);
}

const parseAt = (value: unknown) => {
  const parsed = instant('the closing time').safeParse(value);
  if (!parsed.success) throw new PolicyChangeError('invalid', messages(parsed.error));
  return parsed.data;
};

/** Closes a version at `at`: from then on no version of its key is in force (until one is added). */
export async function closePolicy(pool: pg.Pool, actor: Actor, id: number, atInput: unknown, ip: string | null = null): Promise<StoredPolicy> {
  const at = parseAt(atInput);
  return change(pool, async (client) => {
    const old = await lockVersion(client, id);
    await endVersion(client, old, at, actor);
    return {
      result: { ...old, effectiveTo: at },
      keys: [old],
      audit: { action: 'policy.close', target: `policy:${id}`, details: { ...versionDetails(old), closedAt: at.toISOString(), previousEffectiveTo: old.effectiveTo?.toISOString() ?? null } },
    };
  }, actor, ip);
}

/**
 * Supersedes a version from `at`: the old one ends there and a new one of the same key
 * takes over with the new status until the old one's end.
 */
export async function supersedePolicy(
  pool: pg.Pool,
  actor: Actor,
  id: number,
  change_: { at: unknown; status: unknown; note?: unknown },
  ip: string | null = null,
): Promise<StoredPolicy> {
  const at = parseAt(change_.at);
  return change(pool, async (client) => {
    const old = await lockVersion(client, id);
    await endVersion(client, old, at, actor);
    const version = parsePolicyVersion({ ...old, status: change_.status, note: change_.note ?? old.note, effectiveFrom: at, effectiveTo: old.effectiveTo });
    const stored = await insertVersion(client, version, actor, old.id);
    return {
      result: stored,
      keys: [old],
      audit: { action: 'policy.supersede', target: `policy:${stored.id}`, details: { supersedes: old.id, previousStatus: old.status, ...versionDetails(version) } },
    };
  }, actor, ip);
}

export const POLICY_CSV_COLUMNS = ['provider', 'channel', 'region', 'status', 'effective_from', 'effective_to', 'note'] as const;

/**
 * Adds every version of a CSV file (header: provider, channel, region, status,
 * effective_from, effective_to, note; channel, effective_to and note may be empty) in one
 * change: all of them or, at the first problem, none, with the problem's line named.
 */
export async function importPolicies(pool: pg.Pool, actor: Actor, csv: string, ip: string | null = null): Promise<StoredPolicy[]> {
  const versions = parsePolicyCsv(csv);
  return change(pool, async (client) => {
    const stored: StoredPolicy[] = [];
    for (const { line, version } of versions) stored.push(await insertVersion(client, version, actor, null, line));
    return {
      result: stored,
      keys: versions.map((v) => v.version),
      audit: { action: 'policy.import', target: `policies:${stored.length}`, details: { ids: stored.map((s) => s.id) } },
    };
  }, actor, ip);
}

export function parsePolicyCsv(csv: string): { line: number; version: PolicyVersion }[] {
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer();
  tokenizer.push(csv.replace(/^\uFEFF/, ''), records);
  tokenizer.end(records);
  const [header, ...rows] = records;
  if (!header?.fields) throw new PolicyChangeError('invalid', 'The policy file is empty or its header cannot be read.');
  const names = header.fields.map(normaliseHeaderName);
  const missing = POLICY_CSV_COLUMNS.filter((c) => !['channel', 'effective_to', 'note'].includes(c) && !names.includes(c));
  if (missing.length) throw new PolicyChangeError('invalid', `The policy file's header lacks ${missing.join(', ')}.`);
  if (rows.length === 0) throw new PolicyChangeError('invalid', 'The policy file has no rows after its header.');
  return rows.map((record) => {
    if (!record.fields) throw new PolicyChangeError('invalid', `Line ${record.line}: ${record.error}`);
    const value = (name: string) => record.fields[names.indexOf(name)] ?? '';
    const parsed = policyVersionSchema.safeParse({
      provider: value('provider'), channel: value('channel'), region: value('region'), status: value('status').trim().toLowerCase(),
      effectiveFrom: value('effective_from'), effectiveTo: value('effective_to'), note: value('note'),
    });
    if (!parsed.success) throw new PolicyChangeError('invalid', `Line ${record.line}: ${messages(parsed.error)}`);
    return { line: record.line, version: parsed.data };
  });
}
