import { spawn } from 'node:child_process'
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import type { RoundExport } from '@curia/curation/jury/export'
import { expect, signIn, test } from '../src/fixtures'
import { freePorts, stopProcess, tail } from '../src/processes'

const root = resolve(import.meta.dirname, '../..')

/**
 * `npm run demo`, the README's offline tour, as a newcomer runs it: its own local network, relay, simulated accounts,
 * curators and jurors, and Curia on embedded PGlite (not global setup's stack). Its rounds are shortened so the
 * first one closes and settles within the test. What its log tells a person to do must work: the simulated account
 * and the operator sign in with the passwords it prints, the reader shows the simulated posts, and the round it
 * settles is public, with the jurors' real ballots in its export. Ctrl-C (SIGTERM) stops everything with exit 0.
 */
test('the demo boots offline, fills the reader, and its first jury round closes and settles', async ({
  browser,
}) => {
  test.setTimeout(600_000)
  const runDir = mkdtempSync(join(root, 'e2e', '.tmp', 'demo-'))
  const logPath = join(runDir, 'demo.log')
  const [webPort, feedPort, statusPort] = await freePorts(3)
  // The address the demo's log gives a person; the app moves them to 127.0.0.1, where sign-in returns.
  const webUrl = `http://localhost:${webPort}`
  const appUrl = `http://127.0.0.1:${webPort}`
  const demo = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // A folder that does not exist yet, like the checkout's .tmp (the demo's default) on a fresh clone.
      TMPDIR: join(runDir, 'tmp'),
      CURIA_DATA_DIR: join(runDir, 'data'),
      CURIA_WEB_PORT: String(webPort),
      CURIA_FEED_PORT: String(feedPort),
      CURIA_INDEXER_STATUS_PORT: String(statusPort),
      // A round a minute, a minute of voting (a proof takes seconds, tens of them on a busy machine), markets that
      // close 30 s after they open.
      CURIA_JURY_CADENCE_MINUTES: '1',
      CURIA_JURY_VOTING_MINUTES: '1',
      CURIA_MARKET_WINDOW_HOURS: String(30 / 3600),
    },
  })
  const log = createWriteStream(logPath)
  demo.stdout.pipe(log)
  demo.stderr.pipe(log)
  const read = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '')
  /** Waits for a line of the demo's log, and returns its match. */
  const logged = async (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = read().match(pattern)
      if (match) return match
      if (demo.exitCode !== null) throw new Error(`The demo exited (${demo.exitCode}):\n${tail(logPath)}`)
      if (Date.now() > deadline) throw new Error(`The demo never logged ${pattern}:\n${tail(logPath, 120)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  try {
    const [, pdsUrl] = await logged(/PDS (http:\/\/\S+),/, 120_000)
    const [, handle, password] = await logged(
      /sign in to the reader as (\S+) with the password (\S+)/,
      240_000,
    )
    const [, opHandle, opPassword] = await logged(/\/operator, is for (\S+) \(password ([^)]+)\)/, 10_000)
    await logged(/simulated jurors enrolled .* use invite \S+ on \/jury/, 120_000)
    const stack = { pdsUrl: pdsUrl!, webUrl: appUrl }

    // The reader fills with the simulated accounts' posts, and one of them signs in with the printed password.
    const context = await browser.newContext({ baseURL: webUrl })
    const page = await context.newPage()
    // localhost is moved to the same page on 127.0.0.1; only the proxy decides that, not a client's header.
    const navigate = { 'sec-fetch-mode': 'navigate' } // what a browser sends when a person opens a page
    const moved = await page.request.get('/jury/rounds?from=log', { maxRedirects: 0, headers: navigate })
    expect(moved.status()).toBe(307)
    expect(moved.headers()['location']).toBe(`${appUrl}/jury/rounds?from=log`)
    const forged = await page.request.get(`${appUrl}/jury/rounds`, {
      maxRedirects: 0,
      headers: { ...navigate, 'x-curia-loopback-redirect': 'https://evil.example/' },
    })
    expect(forged.status()).toBe(200)
    await expect(async () => {
      await page.goto('/')
      await expect(page.getByRole('article').first()).toBeVisible({ timeout: 2_000 })
    }).toPass({ timeout: 90_000 })
    expect(new URL(page.url()).origin).toBe(appUrl)
    await signIn(page, { handle: handle!, password: password! }, { stack })
    await page.goto('/portfolio')
    await expect(page.getByRole('heading', { name: 'Portfolio', level: 1 })).toBeVisible()

    // The operator sees the demo's jury: half allowlisted, half invited by them.
    const operator = await browser.newContext({ baseURL: webUrl })
    const op = await operator.newPage()
    await signIn(op, { handle: opHandle!, password: opPassword! }, { stack })
    await op.goto('/operator')
    await expect(op.locator('[data-testid="tree-member"][data-depth="1"]').first()).toBeVisible()
    await operator.close()

    // The first round: opened, frozen, sampled, voted on by the simulated jurors through the web app's ballot
    // endpoint with real proofs, closed and settled.
    const [, roundId] = await logged(/jury: round (\d+) settled/, 420_000)
    expect(read()).toMatch(new RegExp(`juror …\\S+ voted in round ${roundId}`))
    await page.goto(`/jury/rounds/${roundId}`)
    await expect(page.getByTestId('round-status')).toHaveText(/settled/)
    const exported = (await (
      await page.request.get(`/jury/rounds/${roundId}/export.json`)
    ).json()) as RoundExport
    expect(exported.sample.length).toBeGreaterThan(0)
    expect(exported.ballots.length).toBeGreaterThan(0)
    await context.close()

    const exited = new Promise<number | null>((ok) => demo.once('exit', ok))
    demo.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(read()).toContain('demo: stopping...')
  } finally {
    await stopProcess(demo)
    await new Promise((r) => log.end(r))
    // The demo's log stays beside the other results, for a failure.
    mkdirSync(join(root, 'e2e', 'test-results'), { recursive: true })
    copyFileSync(logPath, join(root, 'e2e', 'test-results', 'demo.log'))
    rmSync(runDir, { recursive: true, force: true })
  }
})
