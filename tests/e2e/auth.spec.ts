import { expect, test, type Page } from '@playwright/test';

// One journey in order: the database starts with no user.
test.describe.configure({ mode: 'serial' });

import { ADMIN } from './session';

const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('first run: setup creates the admin and lands in the shell with data', async ({ page }) => {
  await page.goto('/overview');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password (10 characters or more)').fill(ADMIN.password);
  await page.getByLabel('Repeat the password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page).toHaveURL(/\/overview/);
  await expect(page.getByTestId('current-user')).toContainText(ADMIN.email);
  for (const item of ['Overview', 'Breakdown', 'Accounts', 'Decisions', 'Uploads', 'Policies', 'Audit', 'Settings']) {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item })).toBeVisible();
  }
  await expect(page.getByTestId('stat-decisions')).not.toHaveText('0');
  // The setup page is gone once a user exists.
  const response = await page.goto('/setup');
  expect(response?.status()).toBe(404);
});

test('filters live in the URL and survive a reload', async ({ page }) => {
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/overview/);
  const total = await page.getByTestId('stat-decisions').textContent();
  await page.getByRole('combobox', { name: 'Decision', exact: true }).selectOption('blocked');
  await expect(page).toHaveURL(/decision=blocked/);
  await expect(page.getByTestId('stat-decisions')).not.toHaveText(total!);
  const blocked = await page.getByTestId('stat-blocked').textContent();
  await expect(page.getByTestId('stat-decisions')).toHaveText(blocked!);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Decision', exact: true })).toHaveValue('blocked');
  await expect(page.getByTestId('stat-decisions')).toHaveText(blocked!);
});

test('a wrong password gets a clear message', async ({ page }) => {
  await signIn(page, { email: ADMIN.email, password: 'not the password' });
  await expect(page.locator('form').getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('an admin creates a viewer, who cannot open Settings', async ({ page, browser }) => {
  await signIn(page, ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Create user' });
  await form.getByLabel('Email').fill(VIEWER.email);
  await form.getByLabel('Password').fill(VIEWER.password);
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Created ${VIEWER.email} (viewer).` })).toBeVisible();

  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, VIEWER);
  await expect(viewerPage.getByTestId('current-user')).toContainText('viewer');
  await expect(viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  const response = await viewerPage.goto('/settings');
  expect(response?.status()).toBe(403);
  await expect(viewerPage.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  // Viewers see aggregates only: no uploads, no raw decisions, no audit trail, and the API agrees.
  const nav = viewerPage.getByRole('navigation', { name: 'Main' });
  for (const hidden of ['Uploads', 'Decisions', 'Audit']) await expect(nav.getByRole('link', { name: hidden })).toHaveCount(0);
  await viewerPage.goto('/overview');
  await expect(viewerPage.getByRole('button', { name: /upload/i })).toHaveCount(0);
  const upload = await viewerPage.request.post('/api/v1/batches', { data: 'occurred_at\n', headers: { origin: new URL(viewerPage.url()).origin } });
  expect(upload.status()).toBe(403);
  expect((await upload.json()).error).toMatch(/needs the analyst role/);
  expect((await viewerPage.goto('/decisions'))?.status()).toBe(403);
  await context.close();
});

test('an admin revokes an API token, and its next call gets 401', async ({ page, request }) => {
  await signIn(page, ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Create API token' });
  await form.getByLabel('Name').fill('revoke me');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').textContent())!;
  const auth = { authorization: `Bearer ${secret}` };
  expect((await request.get('/api/v1/summary', { headers: auth })).status()).toBe(200);
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: 'revoke me' });
  await expect(row).not.toContainText('revoked');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  const refused = await request.get('/api/v1/summary', { headers: auth });
  expect(refused.status()).toBe(401);
});

test('pages carry a nonce-based CSP and render without console errors under it', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/overview/);
  for (const path of ['/overview', '/breakdown', '/accounts', '/decisions', '/audit']) {
    const response = await page.goto(path);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).not.toContain('unsafe-eval');
    await expect(page.locator('main')).toBeVisible();
  }
  // A chart drawn by Recharts, hydrated under the policy.
  await page.goto('/overview');
  await expect(page.locator('.recharts-surface').first()).toBeVisible();
  expect(problems).toEqual([]);
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/overview');
  await expect(page).toHaveURL(/\/sign-in/);
});
