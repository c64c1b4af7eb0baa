import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium): Playwright's own browser download is not
// reachable offline. The flags keep it from calling home, which fails here.
const PORT = Number(process.env.GW_E2E_PORT ?? 3100);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  // The first-run journey creates the admin the other journeys sign in with.
  projects: [
    { name: 'first-run', testMatch: /auth\.spec\.ts/ },
    { name: 'journeys', testMatch: /.*\.spec\.ts/, testIgnore: /auth\.spec\.ts/, dependencies: ['first-run'] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.GW_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  webServer: {
    // A fresh database for the run, migrated and seeded, then `next start` on the build.
    command: `npx tsx tests/e2e/server.ts`,
    url: `http://127.0.0.1:${PORT}/sign-in`,
    env: { GW_E2E_PORT: String(PORT) },
    timeout: 180_000,
    reuseExistingServer: false,
    // SIGTERM first, so that tests/e2e/server.ts stops next and drops its database (dropping
    // waits for the server's connections to close; SIGKILL follows after 15 s).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
