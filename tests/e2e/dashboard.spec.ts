import { expect, test, type Page } from '@playwright/test';

import { signIn } from './session';

// The dashboard journeys on the e2e server's demo data: 90 days of decisions in which
// OpenAI's direct API starts blocking CN (and HK, MO, RU, IR, KP) about 55 days ago while
// Azure OpenAI keeps serving CN through 21Vianet, and some CN accounts use both.

function params(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

test('overview → region bar → filtered breakdown → account on both channels; the URL holds the state', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.getByTestId('range-label')).toContainText('(UTC)');

  // 90 days, so that the policy date is in range and marked on the time series.
  await page.getByLabel('Date range').selectOption('90d');
  await expect(page).toHaveURL(/[?&]range=90d/);
  await expect(page.getByTestId('stat-decisions')).not.toHaveText('0');
  await expect(page.getByTestId('policy-markers')).toContainText('openai (all channels) unsupported for CN');
  // The demo's 90 days barely reach into the previous 90: no growth figure against it.
  await expect(page.getByTestId('change-decisions')).toContainText('covered');
  await expect(page.getByTestId('partial-previous')).toBeVisible();

  // Clicking a region bar offers "only", "exclude" and the breakdown of that region.
  await page.getByTestId('bar-region-CN').click();
  const menu = page.getByRole('menu');
  await expect(menu.getByRole('menuitem', { name: 'Only region CN' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Exclude region CN' })).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Break down region CN' }).click();

  await expect(page).toHaveURL(/\/breakdown\?/);
  await expect(page.getByRole('heading', { name: 'Breakdown', level: 1 })).toBeVisible();
  expect(params(page).get('region')).toBe('CN');
  expect(params(page).get('range')).toBe('90d');
  expect(params(page).get('by')).toBe('provider');
  expect(params(page).get('by2')).toBe('channel');
  await expect(page.getByTestId('filter-region')).toHaveAccessibleName('Region: CN');
  await expect(page.getByTestId('breakdown-row-openai-direct')).toBeVisible();
  await expect(page.getByTestId('breakdown-row-azure-openai-azure-china-21vianet')).toBeVisible();
  const breakdownUrl = page.url();

  // An account of this region that went through both channels.
  const both = page.locator('[data-testid="top-account-row"][data-channels~="direct"][data-channels~="azure-china-21vianet"]').first();
  await both.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/accounts\/[^/?]+\?/);
  expect(params(page).get('region')).toBe('CN');
  expect(params(page).get('range')).toBe('90d');

  const checkTimeline = async () => {
    const direct = page.locator('[data-testid="timeline-lane"][data-provider="openai"][data-channel="direct"]');
    const azure = page.locator('[data-testid="timeline-lane"][data-provider="azure-openai"][data-channel="azure-china-21vianet"]');
    await expect(direct).toBeVisible();
    await expect(azure).toBeVisible();
    // Blocked on the direct API, allowed through Azure China, in the same range.
    expect(Number(await direct.getAttribute('data-blocked'))).toBeGreaterThan(0);
    expect(Number(await azure.getAttribute('data-allowed'))).toBeGreaterThan(0);
    await expect(page.getByTestId('decision-row').first()).toBeVisible();
    await expect(page.getByTestId('filter-region')).toHaveAccessibleName('Region: CN');
    await expect(page.getByLabel('Date range')).toHaveValue('90d');
  };
  await checkTimeline();

  // The whole state is in the URL: a reload shows the same view.
  const accountUrl = page.url();
  await page.reload();
  await expect(page).toHaveURL(accountUrl);
  await checkTimeline();

  // And back returns to the filtered breakdown.
  await page.goBack();
  await expect(page).toHaveURL(breakdownUrl);
  await expect(page.getByTestId('breakdown-row-openai-direct')).toBeVisible();
  await expect(page.getByTestId('filter-region')).toHaveAccessibleName('Region: CN');
});

test('filters: exclude mode, time zone labels, and a bad URL that keeps the filters', async ({ page }) => {
  await signIn(page);

  // Exclude a region from the filter bar.
  await page.getByTestId('filter-region').click();
  const panel = page.getByRole('group', { name: 'Region filter' });
  await panel.getByRole('radio', { name: 'Exclude these' }).check();
  await panel.getByRole('checkbox', { name: /^CN/ }).check();
  await expect(page).toHaveURL(/[?&]not_region=CN/);
  await expect(page.getByTestId('filter-region')).toHaveAccessibleName('Region: not CN');
  await expect(page.getByTestId('bar-region-RU')).toBeVisible();
  await expect(page.getByTestId('bar-region-CN')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Times follow the chosen zone and say which it is.
  await page.getByLabel('Time zone').selectOption('Asia/Shanghai');
  await expect(page).toHaveURL(/[?&]tz=Asia%2FShanghai/);
  await expect(page.getByTestId('range-label')).toContainText('(Asia/Shanghai)');
  expect(params(page).get('not_region')).toBe('CN');

  // A value the filters cannot read: a clear message, the filter bar as it was, a reset.
  await page.goto('/breakdown?range=fortnight&region=HK');
  const problem = page.getByTestId('state-bad-url');
  await expect(problem).toContainText('range "fortnight"');
  await expect(page.getByTestId('filter-region')).toHaveAccessibleName('Region: HK');
  await problem.getByRole('link', { name: 'Reset filters' }).click();
  await expect(page).toHaveURL(/\/breakdown$/);
  await expect(page.getByTestId('state-bad-url')).toHaveCount(0);
  await expect(page.getByTestId('breakdown-row-US')).toBeVisible();
});

test('decision log: keyset pages, the detail drawer and lookup by request id', async ({ page }) => {
  await signIn(page);
  await page.goto('/decisions?range=90d');
  const rows = page.getByTestId('decision-row');
  await expect(rows).toHaveCount(50);
  const firstTime = await rows.first().locator('td').first().textContent();

  await page.getByRole('navigation', { name: 'Decision log pages' }).getByRole('link', { name: 'Older' }).click();
  await expect(page).toHaveURL(/[?&]cursor=/);
  await expect(rows.first().locator('td').first()).not.toHaveText(firstTime ?? '');
  await page.getByRole('navigation', { name: 'Decision log pages' }).getByRole('link', { name: 'Newer' }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(rows.first().locator('td').first()).toHaveText(firstTime ?? '');

  // The drawer shows one decision in full; Escape closes it.
  const requestId = (await rows.first().locator('code').first().textContent())!.trim();
  await rows.first().getByRole('link', { name: `Details of request ${requestId}` }).click();
  const drawer = page.getByRole('dialog', { name: 'Decision details' });
  await expect(drawer).toContainText(requestId);
  await expect(drawer).toContainText('(UTC)');
  await expect(page).toHaveURL(/[?&]open=\d+/);
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(page).not.toHaveURL(/open=/);

  // Lookup by request id.
  await page.getByRole('searchbox', { name: 'Find a decision by request id' }).fill(requestId);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]request=${requestId}`));
  await expect(page.getByRole('heading', { name: `1 decision with request id ${requestId}` })).toBeVisible();
  await expect(rows).toHaveCount(1);
});

test('a page with links to other pages fetches none of them until one is clicked', async ({ page }) => {
  await signIn(page);
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).searchParams.has('_rsc')) fetched.push(r.url());
  });
  // The accounts list: the nav and 50 rows linking to accounts.
  await page.goto('/accounts');
  await expect(page.getByTestId('account-row').first()).toBeVisible();
  await page.waitForTimeout(1500);
  expect(fetched).toEqual([]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' }).click();
  await expect(page).toHaveURL(/\/decisions/);
  expect(fetched.length).toBeGreaterThan(0);
});

test('the overview sends its headline and chart in its first response, without waiting for a script to reveal them', async ({ page, browser }) => {
  await signIn(page);
  // No script at all, not even React's inline ones that swap a streamed panel in: only what
  // the first response holds shows. (Streamed panels are not asserted hidden: on this small
  // data their queries may finish before the first response is sent.)
  const bare = await (await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })).newPage();
  await bare.goto(new URL('/overview?range=30d&bucket=day', page.url()).href);
  await expect(bare.getByTestId('stat-decisions')).toBeVisible();
  expect(Number((await bare.getByTestId('stat-decisions').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
  await expect(bare.getByTestId('chart-preview')).toBeVisible();
  expect(await bare.getByTestId('chart-preview').locator('rect').count()).toBeGreaterThanOrEqual(2 * 30);
  await bare.context().close();
});

test('the overview draws its chart in the server\'s HTML, before hydration, and the interactive chart replaces it', async ({ page }) => {
  await signIn(page);
  const query = 'range=30d&bucket=day';
  // The same numbers as a table (the URL asks for it), from the server's HTML.
  await page.goto(`/overview?${query}&tables=series`);
  const totals = await page.getByTestId('chart-series').locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => Number((r.children[3]?.textContent ?? '').replace(/\D/g, ''))));
  expect(totals.length).toBeGreaterThanOrEqual(30);
  expect(Math.max(...totals)).toBeGreaterThan(0);
  // Without the app's scripts the page never hydrates: what shows is what the server sent
  // (streamed panels still swap in, by the inline scripts that come with them).
  await page.route('**/_next/static/**/*.js', (route) => route.abort());
  await page.goto(`/overview?${query}`);
  const preview = page.getByTestId('chart-preview');
  await expect(preview).toBeVisible();
  await expect(page.locator('.recharts-surface')).toHaveCount(0);
  // Allowed and blocked bars for every day, on an axis that reaches the busiest day.
  expect(await preview.locator('rect').count()).toBe(2 * totals.length);
  const previewTicks = await preview.getByTestId('preview-tick').allTextContents();
  expect(Number(previewTicks.at(-1)!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(Math.max(...totals));
  // The Violations view's chart likewise.
  await page.goto(`/violations?${query}`);
  await expect(page.getByTestId('chart-violations').getByTestId('chart-preview')).toBeVisible();
  expect(await page.getByTestId('chart-violations').locator('rect').count()).toBeGreaterThanOrEqual(2 * 30);
  await page.unroute('**/_next/static/**/*.js');
  await page.goto(`/overview?${query}`);
  const chart = page.getByTestId('chart-series');
  await expect(chart.locator('.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('chart-preview')).toHaveCount(0);
  // The chart's Y axis has the preview's ticks: nothing moves when it replaces the preview.
  // (Recharts draws the ticks of both axes in one layer: the Y axis's are the numbers.)
  await expect.poll(async () => (await chart.locator('.recharts-cartesian-axis-tick-value').allTextContents()).filter((t) => /^[\d,]+$/.test(t)))
    .toEqual(previewTicks);
});
