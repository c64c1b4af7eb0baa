import { readdirSync } from 'node:fs';
import path from 'node:path';

// The project's TypeScript sources, for tests that check a convention across the tree.

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Every .ts and .tsx file under the given top-level folders, relative to the root (generated code left out). */
export function sourceFiles(...dirs: string[]): string[] {
  const walk = (dir: string): string[] => readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative === 'lib/generated' ? [] : walk(relative);
    return /\.(ts|tsx)$/.test(entry.name) ? [relative] : [];
  });
  return dirs.flatMap(walk);
}
