// The built Gatewatch web app as a child process, for benchmarks that go through HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { buildState } from '../build-freshness';
import { nextServerEnv } from '../next-server-env';

const root = path.resolve(import.meta.dirname, '..', '..');
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

/**
 * Builds the app when there is no build, or (as `npm start` does) when a source file is
 * newer than it: a stale build would benchmark yesterday's pipeline.
 */
export function ensureBuild(log: (line: string) => void): void {
  const state = buildState(root);
  if (state === 'fresh') return;
  log(state === 'missing' ? 'no build found: running next build…' : 'sources changed since the last build: running next build…');
  // The build's output goes to stderr: stdout's last line belongs to the benchmark's JSON.
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface AppServer {
  baseUrl: string;
  /** The spawned node; the server proper may be a descendant of it (see rss.ts). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts `next start` on a free port against `databaseUrl`; resolves once `ready` answers true. */
export async function startAppServer(
  databaseUrl: string,
  ready: (baseUrl: string) => Promise<boolean>,
): Promise<AppServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // GW_BENCH_SERVER_NODE_ARGS passes flags to the server's node, e.g. `--cpu-prof` to see
  // where its time goes (NODE_OPTIONS may not carry that one).
  const nodeArgs = (process.env.GW_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: nextServerEnv({ ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // GW_BENCH_SERVER_LOG names a file that gets all of the server's output (with
  // `--trace-gc` in GW_BENCH_SERVER_NODE_ARGS, say); otherwise only its tail is kept, for errors.
  const log = process.env.GW_BENCH_SERVER_LOG ? createWriteStream(process.env.GW_BENCH_SERVER_LOG) : null;
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (log && !log.writableEnded) await new Promise<void>((resolve) => log.end(resolve));
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
      if (await ready(baseUrl).catch(() => false)) break;
      if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, pid: child.pid!, stop };
}
