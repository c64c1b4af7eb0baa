import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ACTION_ACCESS, PAGE_ACCESS, pageAccessFor, ROUTE_ACCESS } from '@/lib/auth/access';

// Every page, route handler and server action found in app/ must have a rule in the access
// matrix, and must look its own rule up: a new file without one fails here.

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const APP = path.join(ROOT, 'app');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

/** app/(group)/accounts/[id]/page.tsx → /accounts/[id] (route groups are not in the URL). */
function urlPath(file: string): string {
  const segments = path.relative(APP, path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
  return `/${segments.join('/')}`;
}

const all = files(APP);
const source = (file: string) => readFileSync(file, 'utf8');

describe('access matrix', () => {
  const pages = all.filter((f) => path.basename(f) === 'page.tsx').map((f) => ({ file: f, key: urlPath(f) }));
  const routes = all.filter((f) => path.basename(f) === 'route.ts').flatMap((f) =>
    [...source(f).matchAll(/export (?:async function|const) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => ({ file: f, key: `${m[1]} ${urlPath(f)}` })));
  const actions = all.filter((f) => /\.tsx?$/.test(f) && /^'use server';/m.test(source(f))).flatMap((f) =>
    [...source(f).matchAll(/export async function (\w+)/g)].map((m) => ({ file: f, key: m[1]!, body: functionBody(source(f), m.index) })));

  it('finds the entry points it checks', () => {
    expect(pages.length).toBeGreaterThanOrEqual(13);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect(actions.length).toBeGreaterThanOrEqual(9);
  });

  it('has a rule for every page, and each page asks for its own', () => {
    expect(pages.map((p) => p.key).sort()).toEqual(Object.keys(PAGE_ACCESS).sort());
    for (const { file, key } of pages) {
      const rule = PAGE_ACCESS[key as keyof typeof PAGE_ACCESS];
      // The dashboard's "/" only redirects (its layout signs in first); public pages need nothing.
      if (rule === 'public' || key === '/') continue;
      expect(source(file), file).toContain(`requirePage('${key}')`);
    }
  });

  it("maps URL paths to their page's rule", () => {
    expect(pageAccessFor('/accounts/acct%2F1')).toBe('analyst');
    expect(pageAccessFor('/accounts')).toBe('viewer');
    expect(pageAccessFor('/audit')).toBe('admin');
    expect(pageAccessFor('/uploads/12/')).toBe('analyst');
    expect(pageAccessFor('/accounts/a/b')).toBeNull();
    expect(pageAccessFor('/nowhere')).toBeNull();
  });

  it('has a rule for every route handler, and each handler is made by the API wrapper with its own', () => {
    expect(routes.map((r) => r.key).sort()).toEqual(Object.keys(ROUTE_ACCESS).sort());
    for (const { file, key } of routes) {
      const text = source(file);
      const method = key.split(' ')[0]!;
      // The handler is the wrapper's (lib/api/route.ts), never a function of its own.
      expect(text, file).toMatch(new RegExp(`export const ${method} = (apiRoute|analyticsGet)\\('${key.replace(/[[\]./]/g, '\\$&')}'`));
      expect(text, file).not.toMatch(/export (async )?function (GET|POST|PUT|PATCH|DELETE)\b/);
      expect(text, file).not.toContain('authenticateRoute');
    }
  });

  it('has a rule for every server action, and each one that is not public asks for its own', () => {
    expect(actions.map((a) => a.key).sort()).toEqual(Object.keys(ACTION_ACCESS).sort());
    for (const { key, body } of actions) {
      if (ACTION_ACCESS[key as keyof typeof ACTION_ACCESS] === 'public') continue;
      expect(body, key).toContain(`requireAction('${key}')`);
    }
  });
});

/** The text of the function that starts at `at`, up to the next top-level export. */
function functionBody(text: string, at: number): string {
  const next = text.indexOf('\nexport ', at + 1);
  return text.slice(at, next < 0 ? undefined : next);
}
