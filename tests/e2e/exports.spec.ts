import { readFile } from 'node:fs/promises';

import { expect, test, type Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';

import { signIn } from './session';

const RANGE = 'from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z';

async function download(page: Page, name: string | RegExp) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name, exact: typeof name === 'string' }).first().click()]);
  const text = await readFile((await file.path())!, 'utf8');
  return { name: file.suggestedFilename(), records: parse(text, { columns: true, bom: true }) as Record<string, string>[] };
}

test('Export CSV on a filtered view downloads exactly the rows it shows', async ({ page }) => {
  await signIn(page);

  await page.goto(`/breakdown?${RANGE}&region=CN&by=channel`);
  const breakdown = await download(page, 'Export CSV');
  expect(breakdown.name).toMatch(/^gatewatch-breakdown-20000101-000000_to_20990101-000000-exported-\d{8}-\d{6}Z\.csv$/);
  const api = await (await page.request.get(`/api/v1/breakdown?${RANGE}&region=CN&by=channel`)).json();
  expect(breakdown.records.map((r) => [r.channel, Number(r.allowed), Number(r.blocked)]))
    .toEqual(api.rows.map((r: { key: string; allowed: number; blocked: number }) => [r.key, r.allowed, r.blocked]));
  expect(breakdown.records.map((r) => r.channel)).toContain('azure-china-21vianet');

  await page.goto(`/decisions?${RANGE}&region=CN&provider=openai&decision=blocked`);
  const decisions = await download(page, 'Export CSV');
  const summary = await (await page.request.get(`/api/v1/summary?${RANGE}&region=CN&provider=openai&decision=blocked`)).json();
  expect(decisions.records.length).toBe(summary.current.decisions);
  expect(decisions.records.length).toBeGreaterThan(10);
  expect(decisions.records.every((r) => r.caller_region === 'CN' && r.provider === 'openai' && r.decision === 'blocked')).toBe(true);
  expect(new Set(decisions.records.map((r) => r.request_id)).size).toBe(decisions.records.length);

  // The export is in the audit trail, with its row count.
  await page.goto('/audit');
  await expect(page.getByRole('cell', { name: 'export.csv' }).first()).toBeVisible();
  await expect(page.getByText(`"rows":${decisions.records.length}`).first()).toBeVisible();
});
