// Whether the production build is missing or older than the sources, and the build that
// follows: `npm start` and the HTTP benchmarks rebuild then, so neither serves (or
// measures) yesterday's code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'generated' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function buildState(): 'missing' | 'stale' | 'fresh' {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'missing';
  const sources = ['app', 'components', 'lib', 'public'].map((d) => path.join(root, d)).filter(existsSync);
  const newest = Math.max(...sources.map(newestSource), statSync(path.join(root, 'next.config.js')).mtimeMs);
  return newest > statSync(buildId).mtimeMs ? 'stale' : 'fresh';
}

/**
 * Starts `next build` when the build is missing or stale (at once otherwise). Its output
 * goes to `output`: stderr where stdout's last line belongs to a benchmark's JSON.
 */
export function startBuildIfNeeded(log: (line: string) => void, output: 'inherit' | 'stderr' = 'inherit'): { done: Promise<void>; cancel: () => void } {
  const state = buildState();
  if (state === 'fresh') return { done: Promise.resolve(), cancel: () => undefined };
  log(state === 'missing' ? 'No build found: running next build…' : 'Sources changed since the last build: running next build…');
  const child = spawn(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    stdio: output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 2, 2],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error('next build failed'))));
  });
  done.catch(() => undefined); // the caller awaits it when it needs the build
  return { done, cancel: () => child.exitCode === null && child.kill('SIGTERM') };
}
