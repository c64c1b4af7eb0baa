// The web server for Playwright runs: its own database (created, migrated, seeded with a
// small demo set, dropped on exit) and `next start` on the production build.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { createDatabase } from '@/lib/db/client';
import { migrate } from '@/lib/db/migrate';
import { seedDemoData } from '@/lib/demo/seed';

import { nextServerEnv } from '../../scripts/next-server-env';
import { adminQuery, databaseUrl, dropDatabase, dropStaleDatabases, uniqueDatabaseName } from '../helpers/postgres';

const root = path.resolve(import.meta.dirname, '..', '..');
const port = process.env.GW_E2E_PORT ?? '3100';

await dropStaleDatabases('gw_e2e');
const name = uniqueDatabaseName('gw_e2e');
await adminQuery(`CREATE DATABASE "${name}"`);
const url = databaseUrl(name);
const db = createDatabase(url, 2);
await migrate(db.pool);
await seedDemoData(db, { rows: Number(process.env.GW_E2E_SEED_ROWS ?? 20_000) });
await db.pool.end();

const server = spawn(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', port, '-H', '127.0.0.1'], {
  cwd: root,
  stdio: 'inherit',
  env: nextServerEnv({ ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: '1' }),
});

let done = false;
async function shutdown(code: number) {
  if (done) return;
  done = true;
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  await dropDatabase(name).catch(() => undefined);
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
server.once('exit', (code) => void shutdown(code ?? 1));
