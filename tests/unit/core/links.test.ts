import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT, sourceFiles } from '../../helpers/source-files';

// In-app links go through components/ui/AppLink.tsx, which never prefetches: a prefetched
// link to a dynamic page is a server render with the dashboard's queries (see its comment).

describe('links', () => {
  it('only AppLink imports next/link, and it never prefetches', () => {
    const importers = sourceFiles('app', 'components', 'lib')
      .filter((f) => /from ['"]next\/link['"]/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(importers).toEqual(['components/ui/AppLink.tsx']);
    expect(readFileSync(path.join(ROOT, 'components/ui/AppLink.tsx'), 'utf8')).toContain('prefetch={false}');
  });
});
