// Whether the production build is missing or older than the sources: `npm start` and the
// HTTP benchmarks rebuild then, so neither serves (or measures) yesterday's code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'generated' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function buildState(root: string): 'missing' | 'stale' | 'fresh' {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'missing';
  const sources = ['app', 'components', 'lib', 'public'].map((d) => path.join(root, d)).filter(existsSync);
  const newest = Math.max(...sources.map(newestSource), statSync(path.join(root, 'next.config.js')).mtimeMs);
  return newest > statSync(buildId).mtimeMs ? 'stale' : 'fresh';
}
