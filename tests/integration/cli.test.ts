import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { hashSecret } from '@/lib/auth/secrets';
import { checkCredentials } from '@/lib/auth/sign-in';

import { gw } from '../helpers/gw-cli';
import { useTestDatabase } from '../helpers/test-database';

describe('gw command line', () => {
  const db = useTestDatabase();

  it('prints help, and refuses unknown commands and bad options with exit code 2', async () => {
    const help = await gw(['help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('user create --email E --role R');
    const unknown = await gw(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const badRole = await gw(['user', 'create', '--email', 'x@example.com', '--role', 'root'], { DATABASE_URL: db().url });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role must be viewer, analyst or admin (got "root")');
    const badRows = await gw(['seed', '--rows', 'many'], { DATABASE_URL: db().url });
    expect(badRows.code).toBe(2);
    expect(badRows.stderr).toContain('--rows must be a whole number');
  });

  it('creates a user with the password from standard input', async () => {
    const result = await gw(['user', 'create', '--email', 'Analyst@Example.com', '--role', 'analyst'], { DATABASE_URL: db().url }, 'stdin password 42\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created analyst@example.com (analyst).');
    expect(result.stdout).not.toContain('stdin password 42');
    expect(await checkCredentials(db().prisma, 'analyst@example.com', 'stdin password 42')).toMatchObject({ ok: true });
    const again = await gw(['user', 'create', '--email', 'analyst@example.com', '--role', 'viewer'], { DATABASE_URL: db().url }, 'another password\n');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('generates and prints a password once when none is given', async () => {
    const result = await gw(['user', 'create', '--email', 'gen@example.com', '--role', 'viewer'], { DATABASE_URL: db().url }, '');
    expect(result.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toBeDefined();
    expect(await checkCredentials(db().prisma, 'gen@example.com', password!)).toMatchObject({ ok: true });
  });

  it('prints a new API token alone on the last line and stores only its hash', async () => {
    const result = await gw(['token', 'create', '--name', 'uploader', '--role', 'analyst'], { DATABASE_URL: db().url });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const secret = lines[lines.length - 1]!;
    expect(secret).toMatch(/^gwt_[A-Za-z0-9_-]{43}$/);
    const stored = await db().prisma.apiToken.findFirstOrThrow({ where: { name: 'uploader' } });
    expect(stored.tokenHash).toBe(hashSecret(secret));
    expect(stored.role).toBe('analyst');
  });

  it('seeds, and refuses to seed a database that holds decisions without --append', async () => {
    const first = await gw(['seed', '--rows', '2000'], { DATABASE_URL: db().url });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Seeded 2,000 decisions/);
    const second = await gw(['seed', '--rows', '2000'], { DATABASE_URL: db().url });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already holds decisions; add --append');
    const { rows } = await db().pool.query('SELECT count(*)::int AS n FROM access_decisions');
    expect(rows[0].n).toBe(2000);
  });

  it('lists and revokes tokens, and verifies the audit chain, naming a tampered entry with exit 1', async () => {
    const env = { DATABASE_URL: db().url };
    const created = await gw(['token', 'create', '--name', 'cli tok', '--role', 'viewer', '--expires-days', '30'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/expires 20\d\d-/);
    const secret = created.stdout.trim().split('\n').pop()!;
    const listed = await gw(['token', 'list'], env);
    const line = listed.stdout.split('\n').find((l) => l.includes('cli tok'))!;
    expect(line).toMatch(/\tviewer\t.*\tactive$/);
    const id = line.split('\t')[0]!;
    expect((await gw(['token', 'revoke', id], env)).stdout).toContain('Revoked API token "cli tok"');
    expect((await gw(['token', 'list'], env)).stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/\trevoked$/);
    expect(await db().prisma.apiToken.findFirst({ where: { tokenHash: hashSecret(secret) }, select: { revokedAt: true } })).not.toMatchObject({ revokedAt: null });
    expect((await gw(['token', 'revoke', '00000000-0000-4000-8000-000000000000'], env)).code).toBe(2);

    const intact = await gw(['audit', 'verify'], env);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/Audit chain intact: \d+ entries, head [0-9a-f]{64}\./);
    const head = /head ([0-9a-f]{64})/.exec(intact.stdout)![1]!;
    expect((await gw(['audit', 'verify', '--head', head], env)).code).toBe(0);
    await db().pool.query(`UPDATE audit_events SET target = 'forged' WHERE seq = 2`);
    const broken = await gw(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/entry #2 .* was modified/);
    expect((await gw(['audit', 'verify', '--head', 'xyz'], env)).code).toBe(2);
  });

  it('adds, supersedes, lists and imports region policies, refusing an overlap with exit 1 and a message', async () => {
    const env = { DATABASE_URL: db().url };
    const added = await gw(['policy', 'add', '--provider', 'acme-ai', '--region', 'cn', '--status', 'supported', '--from', '2024-01-01'], env);
    expect(added.stdout).toMatch(/Added version (\d+): acme-ai CN supported from 2024-01-01T00:00:00.000Z/);
    const id = added.stdout.match(/Added version (\d+)/)![1]!;
    const superseded = await gw(['policy', 'supersede', id, '--at', '2024-07-09', '--status', 'unsupported', '--note', 'July 2024'], env);
    expect(superseded.stdout).toMatch(new RegExp(`supersedes version ${id} from 2024-07-09`));
    const overlap = await gw(['policy', 'add', '--provider', 'acme-ai', '--region', 'CN', '--status', 'restricted', '--from', '2024-08-01'], env);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/overlaps version #\d+ \(unsupported/);
    const file = path.join(os.tmpdir(), `gw-policies-${process.pid}.csv`);
    await writeFile(file, 'provider,channel,region,status,effective_from,effective_to,note\nacme-ai,acme-china,CN,supported,2024-01-01,,joint venture\n');
    expect((await gw(['policy', 'import', file], env)).stdout).toMatch(/Imported 1 policy versions/);
    const list = await gw(['policy', 'list', '--all'], env);
    expect(list.stdout.trim().split('\n').filter((l) => l.includes('acme-ai'))).toHaveLength(3);
    expect(list.stdout).toMatch(/acme-ai\t\*\tCN\tunsupported\t2024-07-09T00:00:00.000Z\topen\tsupersedes/);
    const bad = await gw(['policy', 'add', '--provider', 'acme-ai', '--region', 'CN', '--status', 'banned', '--from', '2030-01-01'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/status must be one of supported, unsupported, restricted/);
  });
});
