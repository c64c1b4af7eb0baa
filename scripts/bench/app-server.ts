// The HTTP benchmarks' build step; they start the app with tests/helpers/app-server.ts,
// as the tests do.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { buildState } from '../build-freshness';

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
