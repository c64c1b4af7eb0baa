import { readFile } from 'node:fs/promises';

import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';

import { signIn } from './session';

const ROWS = 40_000;

function csvFile(): Buffer {
  const lines = ['occurred_at,request_id,account_id,caller_region,provider,channel,decision,comment'];
  for (let i = 0; i < ROWS; i += 1) {
    lines.push(`2024-07-09T08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,e2e-csv-${i},acct-${i % 50},CN,openai,direct,${i % 4 ? 'blocked' : 'allowed'},"padding, to make the upload take a moment"`);
  }
  lines.push('2024-07-09T09:00:00Z,e2e-csv-bad-1,acct-1,QQ,openai,direct,blocked,bad region');
  lines.push('not a time,e2e-csv-bad-2,acct-1,CN,openai,direct,blocked,bad time');
  return Buffer.from(lines.join('\n') + '\n');
}

function ndjsonFile(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i += 1) {
    lines.push(JSON.stringify({ ts: 1720512902 + i, id: `e2e-nd-${i}`, account: `acct-${i % 50}`, region: 'cn', provider: 'azure-openai', channel: 'azure-china-21vianet', action: 'allow', padding: 'x'.repeat(40) }));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

test('upload two files at once: both progress bars, both reports, and the rejected rows as CSV', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Uploads' }).click();
  await expect(page.getByRole('heading', { name: 'Uploads' })).toBeVisible();

  // Slow the upload down (about 2 MiB/s) so that the progress is there to be seen.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });

  await page.getByLabel('Log files').setInputFiles([
    { name: 'july.csv', mimeType: 'text/csv', buffer: csvFile() },
    { name: 'azure.ndjson', mimeType: 'application/x-ndjson', buffer: ndjsonFile() },
  ]);
  const csvUpload = page.getByRole('region', { name: 'Upload of july.csv' });
  const ndUpload = page.getByRole('region', { name: 'Upload of azure.ndjson' });
  await expect(csvUpload.getByRole('progressbar', { name: 'Upload of july.csv' })).toBeVisible();
  await expect(ndUpload.getByRole('progressbar', { name: 'Upload of azure.ndjson' })).toBeVisible();
  await expect(csvUpload.getByRole('progressbar', { name: 'Ingestion of july.csv' })).toBeVisible();

  await expect(csvUpload.getByTestId('upload-phase')).toHaveText('complete', { timeout: 60_000 });
  await expect(ndUpload.getByTestId('upload-phase')).toHaveText('complete', { timeout: 60_000 });
  await expect(csvUpload.getByTestId('count-rows')).toHaveText((ROWS + 2).toLocaleString('en'));
  await expect(csvUpload.getByTestId('count-accepted')).toHaveText(ROWS.toLocaleString('en'));
  await expect(csvUpload.getByTestId('count-rejected')).toHaveText('2');
  await expect(csvUpload.getByTestId('unknown-columns')).toHaveText('comment');
  await expect(ndUpload.getByTestId('count-accepted')).toHaveText(ROWS.toLocaleString('en'));
  await expect(ndUpload.getByTestId('unknown-columns')).toHaveText('padding');
  await expect(csvUpload.getByRole('cell', { name: /caller_region "QQ"/ })).toBeVisible();

  const downloadPromise = page.waitForEvent('download');
  await csvUpload.getByRole('link', { name: /Download all 2 rejected rows/ }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^batch-\d+-july-rejected\.csv$/);
  const records = parse(await readFile((await download.path())!), { columns: true }) as Record<string, string>[];
  expect(records.map((r) => [r.line, r.request_id, r.comment])).toEqual([
    [String(ROWS + 2), 'e2e-csv-bad-1', 'bad region'],
    [String(ROWS + 3), 'e2e-csv-bad-2', 'bad time'],
  ]);
  expect(records[0]!.error).toMatch(/caller_region "QQ"/);
  expect(records[1]!.error).toMatch(/occurred_at "not a time"/);

  // The history lists both batches, newest first.
  await expect(page.getByRole('table', { name: 'Ingested batches' }).getByRole('link', { name: 'july.csv' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Ingested batches' }).getByRole('link', { name: 'azure.ndjson' })).toBeVisible();
});
