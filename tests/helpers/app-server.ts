import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { nextServerEnv } from '../../scripts/next-server-env';

// The built Gatewatch app (`next build` runs before the tests in `npm test`; benchmarks
// call scripts/build-freshness.ts's startBuildIfNeeded first), started against a database, for
// the tests and benchmarks that go through real HTTP: the one way both start it.

const root = path.resolve(import.meta.dirname, '..', '..');

export interface AppServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppServerOptions {
  env?: Record<string, string>;
  /** Whether the server is ready (default: /sign-in answers); polled for 60 s. */
  ready?: (url: string) => Promise<boolean>;
  /** Flags for the server's node, e.g. `--cpu-prof` (NODE_OPTIONS may not carry them). */
  nodeArgs?: string[];
  /** A file that gets all of the server's output; otherwise only its last 200 kB is kept. */
  logFile?: string;
}

export async function startAppServer(databaseUrl: string, options: AppServerOptions = {}): Promise<AppServer> {
  const port = await freePort();
  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: nextServerEnv({ ...process.env, ...options.env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const file = options.logFile ? createWriteStream(options.logFile) : null;
  const keep = (d: Buffer) => {
    file?.write(d);
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const ready = options.ready ?? ((u: string) => fetch(`${u}/sign-in`, { redirect: 'manual' }).then(() => true));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (file && !file.writableEnded) await new Promise<void>((resolve) => file.end(resolve));
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The app exited during start:\n${log}`);
    if (await ready(url).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The app did not start within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, process: child, output: () => log, stop };
}
