import { expect, type Page } from '@playwright/test';

/** The admin that tests/e2e/auth.spec.ts creates on the setup page. */
export const ADMIN = { email: 'admin@example.com', password: 'admin password 123' };

export async function signIn(page: Page, who: { email: string; password: string } = ADMIN) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/overview/);
}
