// The Gatewatch command line: `npm run gw -- <command> [options]`.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { z } from 'zod';

import { batchAudit } from '@/lib/audit/batch-entry';
import { type AuditEntry, recordAudit } from '@/lib/audit/record';
import { verifyAuditChain } from '@/lib/audit/verify';
import { createApiToken, listApiTokens, revokeApiToken, UnknownTokenError } from '@/lib/auth/api-tokens';
import { RoleSchema } from '@/lib/auth/roles';
import { createUser, UserExistsError } from '@/lib/auth/users';
import { createDatabase, type Database } from '@/lib/db/client';
import { resolveDatabaseUrl } from '@/lib/db/connect';
import { migrate } from '@/lib/db/migrate';
import { databaseHasDecisions, seedDemoData } from '@/lib/demo/seed';
import { describeProblem, verifyEvidencePack } from '@/lib/evidence/verify-pack';
import { addPolicy, closePolicy, importPolicies, supersedePolicy } from '@/lib/policy/catalogue';
import { regionPolicyVersions } from '@/lib/policy/list';
import { firstRejections, getBatch } from '@/lib/ingest/batches';
import { ingestFile } from '@/lib/ingest/ingest-file';
import type { IngestResult } from '@/lib/ingest/pipeline';

const USAGE = `Usage: npm run gw -- <command> [options]

Commands:
  migrate                              apply pending database migrations
  seed [--rows N] [--seed S] [--append]
                                       load N demo decisions (default 1,000,000) over the last
                                       90 days; refuses a database that holds decisions unless --append
  user create --email E --role R [--name NAME]
                                       create a user (role: viewer, analyst, admin); the password
                                       is read from standard input, or generated and printed once
  token create --name NAME --role R [--expires-days N]
                                       create an API token; printed once, alone on the last line
  token list                           every token: id, name, role, created, last used, expiry, status
  token revoke ID                      revoke a token; its next request gets 401
  audit verify [--head HASH]           check the audit trail's hash chain; exits 1 naming the first
                                       entry modified, deleted or reordered. --head: a head hash kept
                                       earlier, which must still be on the chain
  policy list [--all]                  region policy versions (in force now, or --all with history)
  policy add --provider P --region R --status S --from DATE [--channel C] [--to DATE] [--note N]
                                       add a version (status: supported, unsupported, restricted);
                                       refused when it overlaps a version of the same key
  policy close ID --at DATE            end a version at DATE
  policy supersede ID --at DATE --status S [--note N]
                                       end a version at DATE and open one with status S from then
  policy import FILE.csv               add every version of a CSV file (provider, channel, region,
                                       status, effective_from, effective_to, note), all or none
  evidence verify PACK.zip             check every file of an evidence pack against its manifest;
                                       exits 1 naming each file modified, missing or added
  ingest FILE... [--strict] [--json]   ingest log batches (CSV or NDJSON, optionally gzip); exits 1
                                       when a file is refused, --json prints one JSON report per file
  help                                 show this help

Without DATABASE_URL, commands use the embedded PostgreSQL in GW_DATA_DIR (default ./.data).`;

class UsageError extends Error {}

const CLI: AuditEntry['actor'] = { kind: 'system', label: 'gatewatch cli' };

const log = (line: string) => console.error(`[gatewatch] ${line}`);

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const server = await resolveDatabaseUrl(log);
  const db = createDatabase(server.url, 4);
  try {
    await migrate(db.pool);
    return await fn(db);
  } finally {
    await db.pool.end();
    await server.stop();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function role(raw: string) {
  const parsed = RoleSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`--role must be viewer, analyst or admin (got "${raw}")`);
  return parsed.data;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    case 'migrate': {
      parse(rest, {});
      const applied = await withDatabase((db) => migrate(db.pool));
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the schema is up to date.');
      return;
    }
    case 'seed': {
      const values = parse(rest, { rows: { type: 'string' }, seed: { type: 'string' }, append: { type: 'boolean' } });
      const rows = z.coerce.number().int().min(1).max(100_000_000).safeParse(values.rows ?? '1000000');
      if (!rows.success) throw new UsageError(`--rows must be a whole number from 1 to 100,000,000 (got "${values.rows}")`);
      // Appending with the default seed would regenerate the same request ids (all duplicates).
      const seed = z.coerce.number().int().safeParse(values.seed ?? (values.append ? String(Date.now() % 2 ** 31) : '2024'));
      if (!seed.success) throw new UsageError('--seed must be a whole number');
      await withDatabase(async (db) => {
        if (!values.append && (await databaseHasDecisions(db))) {
          throw new Error('The database already holds decisions; add --append to add demo data anyway.');
        }
        const started = Date.now();
        let lastPrint = 0;
        const result = await seedDemoData(db, {
          rows: rows.data,
          seed: seed.data,
          onProgress: (p) => {
            if (process.stderr.isTTY && Date.now() - lastPrint > 250) {
              lastPrint = Date.now();
              process.stderr.write(`\r${p.phase}: ${p.rows.toLocaleString('en')} rows`);
            }
          },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const seconds = (Date.now() - started) / 1000;
        if (result.status !== 'complete') throw new Error(`Seeding did not complete: ${JSON.stringify(result)}`);
        console.log(`Seeded ${result.counts.accepted.toLocaleString('en')} decisions in ${seconds.toFixed(1)} s ` +
          `(${Math.round(result.counts.accepted / seconds).toLocaleString('en')} rows/s), batch ${result.batchId}.`);
      });
      return;
    }
    case 'user': {
      const [sub, ...args] = rest;
      if (sub !== 'create') throw new UsageError('Use: user create --email E --role R [--name NAME]');
      const values = parse(args, { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } });
      const email = required(values, 'email');
      const userRole = role(required(values, 'role'));
      const fromStdin = await readStdin();
      const password = fromStdin || randomBytes(15).toString('base64url');
      await withDatabase(async (db) => {
        try {
          const user = await createUser(db.prisma, { email, role: userRole, password, name: values.name as string | undefined });
          await recordAudit(db.prisma, { actor: CLI, action: 'user.create',
            target: `user:${user.email}`, details: { role: user.role } });
          console.log(`Created ${user.email} (${user.role}).`);
          if (!fromStdin) console.log(`Password (shown once): ${password}`);
        } catch (error) {
          if (error instanceof z.ZodError) throw new UsageError(error.issues.map((i) => i.message).join(' '));
          if (error instanceof UserExistsError) throw new UsageError(error.message);
          throw error;
        }
      });
      return;
    }
    case 'token': {
      const [sub, ...args] = rest;
      if (sub === 'list') {
        parse(args, {});
        await withDatabase(async (db) => {
          const tokens = await listApiTokens(db.prisma);
          const when = (d: Date | null) => d?.toISOString().slice(0, 16).replace('T', ' ') ?? '-';
          console.log(['id', 'name', 'role', 'created', 'last used', 'expires', 'status'].join('\t'));
          for (const t of tokens) {
            const status = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= new Date() ? 'expired' : 'active';
            console.log([t.id, t.name, t.role, when(t.createdAt), when(t.lastUsedAt), t.expiresAt ? when(t.expiresAt) : 'never', status].join('\t'));
          }
        });
        return;
      }
      if (sub === 'revoke') {
        const id = args[0];
        if (!id || args.length !== 1 || !z.uuid().safeParse(id).success) throw new UsageError('Use: token revoke ID (the id that token list shows)');
        await withDatabase(async (db) => {
          const { name } = await db.prisma.$transaction(async (tx) => {
            const token = await revokeApiToken(tx, id);
            await recordAudit(tx, { actor: CLI, action: 'token.revoke', target: `token:${id}`, details: { name: token.name } });
            return token;
          }).catch((error: unknown) => {
            throw error instanceof UnknownTokenError ? new UsageError(error.message) : error;
          });
          console.log(`Revoked API token "${name}" (${id}).`);
        });
        return;
      }
      if (sub !== 'create') throw new UsageError('Use: token create --name NAME --role R [--expires-days N], token list, or token revoke ID');
      const values = parse(args, { name: { type: 'string' }, role: { type: 'string' }, 'expires-days': { type: 'string' } });
      const name = required(values, 'name');
      const tokenRole = role(required(values, 'role'));
      await withDatabase(async (db) => {
        const created = await createApiToken(db.prisma, { name, role: tokenRole, expiresInDays: values['expires-days'] as string | undefined })
          .catch((error: unknown) => {
            throw error instanceof z.ZodError ? new UsageError(error.issues.map((i) => i.message).join(' ')) : error;
          });
        await recordAudit(db.prisma, { actor: CLI, action: 'token.create', target: `token:${created.id}`,
          details: { name, role: tokenRole, expiresAt: created.expiresAt?.toISOString() ?? null } });
        console.log(`Created API token "${name}" (${tokenRole}${created.expiresAt ? `, expires ${created.expiresAt.toISOString()}` : ''}). It is shown once; store it now:`);
        console.log(created.secret);
      });
      return;
    }
    case 'audit': {
      const [sub, ...args] = rest;
      if (sub !== 'verify') throw new UsageError('Use: audit verify [--head HASH]');
      const values = parse(args, { head: { type: 'string' } });
      const keptHead = values.head as string | undefined;
      if (keptHead !== undefined && !/^[0-9a-f]{64}$/.test(keptHead)) throw new UsageError('--head must be 64 hexadecimal digits (a SHA-256)');
      const verdict = await withDatabase((db) => verifyAuditChain(db.prisma, { keptHead }));
      if (verdict.ok) {
        console.log(`Audit chain intact: ${verdict.count.toLocaleString('en')} entries, head ${verdict.head}.`);
        return;
      }
      console.error(`Audit chain broken: ${verdict.problem.message}`);
      console.error(`The ${verdict.count.toLocaleString('en')} entries before it are intact (head ${verdict.head}).`);
      process.exitCode = 1;
      return;
    }
    case 'policy':
      await policyCommand(rest);
      return;
    case 'evidence': {
      const [sub, file, ...more] = rest;
      if (sub !== 'verify' || !file || more.length) throw new UsageError('Use: evidence verify PACK.zip');
      const result = await verifyEvidencePack(file);
      if (result.ok) {
        console.log(`Evidence pack intact: ${result.files} files match manifest.json (generated ${String(result.manifest.generatedAt ?? '?')} by ${String(result.manifest.generatedBy ?? '?')}).`);
        return;
      }
      for (const problem of result.problems) console.error(describeProblem(problem));
      process.exitCode = 1;
      return;
    }
    case 'ingest': {
      let parsed;
      try {
        parsed = parseArgs({ args: rest, options: { strict: { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (parsed.positionals.length === 0) throw new UsageError('Name at least one file: ingest FILE... [--strict] [--json]');
      const ok = await withDatabase((db) => ingestFiles(db, parsed.positionals, Boolean(parsed.values.strict), Boolean(parsed.values.json)));
      if (!ok) process.exitCode = 1;
      return;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

async function policyCommand(rest: string[]): Promise<void> {
  const [sub, ...args] = rest;
  const idOf = (raw: string | undefined) => {
    const id = z.coerce.number().int().min(1).safeParse(raw);
    if (!id.success) throw new UsageError('Name the version by its id (see policy list)');
    return id.data;
  };
  switch (sub) {
    case 'list': {
      const values = parse(args, { all: { type: 'boolean' } });
      const rows = await withDatabase((db) => regionPolicyVersions(db.prisma, values.all ? {} : { inForceAt: new Date() }));
      for (const p of rows) {
        console.log([p.id, p.provider, p.channel ?? '*', p.region, p.status, p.effectiveFrom.toISOString(), p.effectiveTo?.toISOString() ?? 'open',
          p.supersedesId ? `supersedes ${p.supersedesId}` : '', p.note ?? ''].join('\t'));
      }
      if (rows.length === 0) console.log(values.all ? 'No policy versions.' : 'No policy version is in force now.');
      return;
    }
    case 'add': {
      const v = parse(args, { provider: { type: 'string' }, channel: { type: 'string' }, region: { type: 'string' }, status: { type: 'string' },
        from: { type: 'string' }, to: { type: 'string' }, note: { type: 'string' } });
      const added = await withDatabase((db) => addPolicy(db.pool, CLI, { provider: required(v, 'provider'), channel: v.channel ?? null,
        region: required(v, 'region'), status: required(v, 'status'), effectiveFrom: required(v, 'from'), effectiveTo: v.to ?? null, note: v.note ?? null }));
      console.log(`Added version ${added.id}: ${added.provider}${added.channel ? `/${added.channel}` : ''} ${added.region} ${added.status} from ${added.effectiveFrom.toISOString()}.`);
      return;
    }
    case 'close': {
      const [id, ...more] = args;
      const v = parse(more, { at: { type: 'string' } });
      const closed = await withDatabase((db) => closePolicy(db.pool, CLI, idOf(id), required(v, 'at')));
      console.log(`Closed version ${closed.id} at ${closed.effectiveTo!.toISOString()}.`);
      return;
    }
    case 'supersede': {
      const [id, ...more] = args;
      const v = parse(more, { at: { type: 'string' }, status: { type: 'string' }, note: { type: 'string' } });
      const added = await withDatabase((db) => supersedePolicy(db.pool, CLI, idOf(id), { at: required(v, 'at'), status: required(v, 'status'), note: v.note }));
      console.log(`Version ${added.id} (${added.status}) supersedes version ${added.supersedesId} from ${added.effectiveFrom.toISOString()}.`);
      return;
    }
    case 'import': {
      const [file, ...more] = args;
      if (!file || more.length) throw new UsageError('Use: policy import FILE.csv');
      const csv = await readFile(file, 'utf8');
      const added = await withDatabase((db) => importPolicies(db.pool, CLI, csv));
      console.log(`Imported ${added.length} policy versions (ids ${added.map((p) => p.id).join(', ')}).`);
      return;
    }
    default:
      throw new UsageError('Use: policy list|add|close|supersede|import (see help)');
  }
}

async function ingestFiles(db: Database, files: string[], strict: boolean, json: boolean): Promise<boolean> {
  let allOk = true;
  for (const file of files) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      console.error(`gw: cannot read ${file}`);
      allOk = false;
      continue;
    }
    const started = Date.now();
    let lastPrint = 0;
    const audit = batchAudit(CLI, { fileName: path.basename(file), strict });
    const result: IngestResult | Error = await ingestFile(db.pool, createReadStream(file), { filename: path.basename(file) }, {
      batch: { fileName: path.basename(file), source: 'cli', strict },
      strict,
      maxBytes: Number.MAX_SAFE_INTEGER,
      beforeCommit: audit.beforeCommit,
      onProgress: (p) => {
        if (json || !process.stderr.isTTY || Date.now() - lastPrint < 200) return;
        lastPrint = Date.now();
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        const pct = size ? Math.min(100, Math.round((p.bytes / size) * 100)) : 100;
        process.stderr.write(`\r${path.basename(file)}: ${p.phase} ${pct}% · ${p.rows.toLocaleString('en')} rows · ${Math.round(p.rows / seconds).toLocaleString('en')} rows/s   `);
      },
    }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (result instanceof Error) {
      allOk = false;
      if (json) console.log(JSON.stringify({ file, error: result.message }));
      else console.error(`${file}: failed: ${result.message}`);
      continue;
    }
    const batch = await getBatch(db.prisma, result.batchId);
    const errors = await firstRejections(db.prisma, result.batchId, json ? 1000 : 10);
    await audit.afterwards(db.prisma, result);
    if (result.status === 'failed') allOk = false;
    if (json) {
      console.log(JSON.stringify({ file, batch, ...(result.status === 'duplicate' ? { duplicateOf: String(result.duplicateOfId) } : {}),
        ...(result.status === 'failed' ? { error: result.reason } : {}), errors: errors.map((e) => ({ line: e.line, message: e.error })) }));
      continue;
    }
    if (result.status === 'duplicate') {
      console.log(`${file}: already ingested as batch ${result.duplicateOfId} (same SHA-256); nothing stored.`);
      continue;
    }
    if (result.status === 'failed') console.error(`${file}: refused: ${result.reason}`);
    if (batch && (result.status === 'complete' || result.counts)) {
      console.log(`${file}: batch ${batch.id} ${batch.status} · rows ${batch.rows.toLocaleString('en')} · accepted ${batch.accepted.toLocaleString('en')} · rejected ${batch.rejected.toLocaleString('en')} · duplicates ${batch.duplicates.toLocaleString('en')} · conflicts ${batch.conflicts.toLocaleString('en')} · ${((batch.durationMs ?? 0) / 1000).toFixed(1)} s`);
      if (batch.unknownColumns.length) console.log(`  unknown columns ignored: ${batch.unknownColumns.join(', ')}`);
      for (const e of errors) console.log(`  line ${e.line}: ${e.error}`);
      if (batch.rejected > errors.length) console.log(`  … ${batch.rejected - errors.length} more rejected rows: GET /api/v1/batches/${batch.id}/errors.csv`);
    }
  }
  return allOk;
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`gw: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`gw: ${(error as Error).message}`);
    process.exit(1);
  },
);
