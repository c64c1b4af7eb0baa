import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT, sourceFiles } from '../../helpers/source-files';

// In-app links go through components/ui/AppLink.tsx, which never prefetches: a prefetched
// link to a dynamic page is a server render with the dashboard's queries (see its comment).

describe('links', () => {
  it('only AppLink imports next/link\'s Link, and it never prefetches', () => {
    const imports = (f: string) => [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/import ([^;]*?) from ['"]next\/link['"]/g)].map((m) => m[1]!.trim());
    const files = sourceFiles('app', 'components', 'lib');
    // The pending state of a link is read inside it (LinkPending); nothing else may come from there.
    expect(files.flatMap(imports).filter((what) => what !== '{ useLinkStatus }')).toEqual(['Link']);
    expect(files.filter((f) => imports(f).includes('Link'))).toEqual(['components/ui/AppLink.tsx']);
    expect(readFileSync(path.join(ROOT, 'components/ui/AppLink.tsx'), 'utf8')).toContain('prefetch={false}');
  });
});
