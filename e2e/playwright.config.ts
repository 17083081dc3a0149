import { defineConfig, devices } from '@playwright/test'

/**
 * Browser tests against the real stack: global setup boots a local AT Protocol network, the Jetstream relay and
 * Curia's launcher (indexer, ranker, feed generator, `next start`) on a fresh database. See README.md.
 */
export default defineConfig({
  testDir: './tests',
  globalSetup: './src/global-setup.ts',
  // One stack, one small machine: specs run one at a time. Each makes its own accounts, so order does not matter.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: './test-results',
  reporter: process.env.CI
    ? [['list']]
    : [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    // A missing element fails in seconds rather than at the test timeout.
    actionTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: `npx playwright install` cannot download browsers here.
      executablePath: process.env.CURIA_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'] } },
    {
      name: 'mobile',
      testMatch: /reader\.spec\.ts/,
      use: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
  ],
})
