// `npm start`: database (embedded unless DATABASE_URL is set), migrations, first-run
// admin and demo data, a production build if needed, then the Next.js server.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { createUser, hasAnyUser } from '@/lib/auth/users';
import { createDatabase } from '@/lib/db/client';
import { resolveDatabaseUrl } from '@/lib/db/connect';
import { migrate } from '@/lib/db/migrate';
import { databaseHasDecisions, seedDemoData } from '@/lib/demo/seed';
import { env } from '@/lib/env';

import { startBuildIfNeeded } from './build-freshness';
import { nextServerEnv } from './next-server-env';

const root = path.resolve(import.meta.dirname, '..');
const log = (line: string) => console.log(`[gatewatch] ${line}`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = env();
  // The build needs no database: it runs while the database starts, migrates and loads the demo data.
  const build = startBuildIfNeeded(log);
  const database = await resolveDatabaseUrl(log).catch((error: unknown) => {
    build.cancel();
    throw error;
  });
  let server: ReturnType<typeof spawn> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping…');
    build.cancel();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await database.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const db = createDatabase(database.url, 4);
    const applied = await migrate(db.pool);
    log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date');

    if (config.GW_ADMIN_EMAIL && config.GW_ADMIN_PASSWORD && !(await hasAnyUser(db.prisma))) {
      await createUser(db.prisma, { email: config.GW_ADMIN_EMAIL, password: config.GW_ADMIN_PASSWORD, role: 'admin' });
      log(`Created the admin ${config.GW_ADMIN_EMAIL} from GW_ADMIN_EMAIL / GW_ADMIN_PASSWORD`);
    }
    if (!config.GW_SEED) {
      log('GW_SEED=0: not loading demo data');
    } else if (await databaseHasDecisions(db)) {
      log('The database holds decisions: demo data not loaded');
    } else {
      log(`The database is empty: loading ${config.GW_SEED_ROWS.toLocaleString('en')} demo decisions (GW_SEED=0 turns this off)…`);
      const started = Date.now();
      const result = await seedDemoData(db, { rows: config.GW_SEED_ROWS });
      log(`Demo data loaded (${result.status}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const needsSetup = !(await hasAnyUser(db.prisma));
    await db.pool.end();

    await build.done;
    log(`Ready to serve ${((Date.now() - startedAt) / 1000).toFixed(0)} s after npm start`);
    const url = `http://localhost:${config.PORT}`;
    server = spawn(
      process.execPath,
      [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(config.PORT)],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: nextServerEnv({ ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: '1' }) },
    );
    server.once('spawn', () => {
      log(`Gatewatch is running at ${url}`);
      log(needsSetup
        ? `No user yet: open ${url}/setup to create the first administrator (or set GW_ADMIN_EMAIL and GW_ADMIN_PASSWORD).`
        : `Sign in at ${url}/sign-in. Add users with: npm run gw -- user create --email E --role viewer|analyst|admin`);
      log('Press Ctrl-C to stop.');
    });
    server.once('exit', (code) => void stop(code ?? 1));
  } catch (error) {
    build.cancel();
    console.error(`[gatewatch] ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
