import { expect, test } from '@playwright/test';

import { signIn } from './session';

// An admin records that a provider stopped serving a region from a date: the overview's
// violation count rises at once and its time series marks the change; the Violations view
// lists the accounts concerned and the decision log names the policy each broke.

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const count = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

test('an admin marks a region unsupported from a date; the violation count and the marker change', async ({ page }) => {
  await signIn(page);
  await page.goto('/overview?range=30d&region=US');
  const before = count(await page.getByTestId('stat-violations').textContent());
  await expect(page.getByTestId('policy-markers')).toHaveCount(0);

  await page.goto('/policies');
  const form = page.getByRole('form', { name: 'Add policy version' });
  const fill = async () => {
    await form.getByLabel('Provider').fill('openai');
    await form.getByLabel('Region').fill('US');
    await form.getByLabel('Status').selectOption('unsupported');
    await form.getByLabel(/^From/).fill(day(10));
    await form.getByLabel(/^Source/).fill('e2e: OpenAI stops serving US');
  };
  await fill();
  await form.getByRole('button', { name: 'Add version' }).click();
  await expect(form.getByRole('status')).toContainText('openai US unsupported from');

  // The same version again overlaps: refused with a message naming the version in the way.
  await fill();
  await form.getByRole('button', { name: 'Add version' }).click();
  await expect(form.getByRole('alert')).toContainText('overlaps version #');

  await page.goto('/overview?range=30d&region=US');
  const after = count(await page.getByTestId('stat-violations').textContent());
  expect(after).toBeGreaterThan(before);
  await expect(page.getByTestId('policy-markers')).toContainText('openai (all channels) unsupported for US');

  await page.getByRole('link', { name: 'Violations view' }).click();
  await expect(page.getByRole('heading', { name: 'Violations', level: 1 })).toBeVisible();
  await expect(page.getByTestId('stat-violations')).toHaveText(after.toLocaleString('en'));
  await expect(page.getByTestId('violation-account-row').first()).toBeVisible();
  await page.getByRole('navigation', { name: 'Violations as' }).getByRole('link', { name: 'Decisions' }).click();
  await expect(page.getByTestId('violation-row').first()).toContainText('unsupported');

  // Channel divergence ranks the demo's Chinese accounts (blocked direct, served by 21Vianet).
  await page.goto('/divergence?range=30d&region=CN');
  await expect(page.getByTestId('divergence-row').first()).toContainText('azure-openai/azure-china-21vianet');
});
