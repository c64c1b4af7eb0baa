import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

// In-app links go through components/ui/AppLink.tsx, which never prefetches: a prefetched
// link to a dynamic page is a server render with the dashboard's queries (see its comment).

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative === 'lib/generated' ? [] : sources(relative);
    return /\.(ts|tsx)$/.test(entry.name) ? [relative] : [];
  });
}

describe('links', () => {
  it('only AppLink imports next/link, and it never prefetches', () => {
    const importers = ['app', 'components', 'lib'].flatMap(sources)
      .filter((f) => /from ['"]next\/link['"]/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(importers).toEqual(['components/ui/AppLink.tsx']);
    expect(readFileSync(path.join(ROOT, 'components/ui/AppLink.tsx'), 'utf8')).toContain('prefetch={false}');
  });
});
