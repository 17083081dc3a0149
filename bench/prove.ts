/**
 * Proving a ballot in the browser, through Curia's own ballot page and proof worker, beside a bare Semaphore
 * `generateProof` in Node on the same machine in the same run; and how responsive the page stays while it proves.
 *
 *   npx tsx bench/prove.ts                 (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_RUNS=5 BENCH_MEMBERS=1000 npx tsx bench/prove.ts
 *   npx tsx bench/prove.ts --serve         seed a voting round and keep the web app running (for looking at it)
 *
 * Setup: a throwaway database with BENCH_MEMBERS jurors (deterministic identities), five sampled posts in a round that
 * is voting, and `next start` of the web app against it (built first if its sources changed). Then, alternating so
 * that drift in the machine's load hits both sides alike:
 *   - browser: headless Chromium opens the ballot page with juror i's identity in localStorage, waits until the
 *     worker reports the artifacts downloaded and the curve built (the HTTP cache serves the artifacts after the first
 *     page), votes, submits, and reads the worker's own timing of generateProof (and the click-to-accepted time);
 *   - node: generateProof for juror i' against the same group, depth 20, artifacts as file paths (Semaphore's usual
 *     Node call), timed around the call.
 * Responsiveness: a PerformanceObserver collects main-thread long tasks (> 50 ms) and a requestAnimationFrame loop
 * records frame gaps, both limited to the proving window (click to accepted).
 *
 * Target (issue "jury layer" item 6): the browser's proof within 1.3x of the bare Node call.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from '@playwright/test'
import { Group, Identity, generateProof } from '@semaphore-protocol/core'
import { openDatabase, type Database } from '@curia/db'
import { ballotMessage, canonicalBallotContent, roundScope } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { parseMarketParams } from '@curia/curation/market/params'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import { addMember, getGroupCommitments } from '@curia/curation/service/jury-group'
import { setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { freezeRound, openRound, revealRound } from '@curia/curation/service/round'
import { createBenchDatabase, ratio, table } from './lib'

const root = resolve(import.meta.dirname, '..')
// BENCH_WEB_DIR: another checkout of web/ (so a bench can build without touching web/.next).
const webDir = resolve(process.env.BENCH_WEB_DIR ?? join(root, 'web'))
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000)
const POSTS = 5
const CHROMIUM = process.env.CURIA_E2E_CHROMIUM ?? '/usr/bin/chromium'

const { values: flags } = parseArgs({ options: { serve: { type: 'boolean' } } })

const jurorSecret = (i: number) => `curia-bench-juror-${i}`

interface Seeded {
  roundId: number
  postUris: string[]
  commitments: string[]
  root: string
}

/** Jurors, posts with closed markets, and a round that is voting on all of them. */
async function seed(database: Database): Promise<Seeded> {
  const now = new Date()
  const { market: params, ledger } = parseMarketParams({})
  await setupLedger(database, { treasuryFundingMicro: ledger.treasuryFundingMicro, now })
  const t0 = performance.now()
  for (let i = 0; i < MEMBERS; i++) {
    await addMember(database, { commitment: new Identity(jurorSecret(i)).commitment, now })
  }
  console.log(`seeded ${MEMBERS} jurors in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const did = 'did:plc:benchauthor'
  await database.sql`
    insert into author (did, handle, display_name) values (${did}, 'bench.test', 'Bench Author')
    on conflict (did) do nothing`
  const postUris: string[] = []
  for (let i = 0; i < POSTS; i++) {
    const uri = `at://${did}/app.bsky.feed.post/bench${i}`
    await database.sql`
      insert into post (uri, cid, author_did, text, created_at)
      values (${uri}, ${`bafybench${i}`}, ${did}, ${`Bench post ${i}: is this worth a place in the feed?`},
              ${now.toISOString()}::timestamptz)`
    await openMarket(database, { postUri: uri, now, params })
    postUris.push(uri)
  }
  // The markets' trading windows are over (the bench does not wait 48 hours for them).
  await database.sql`update market set closes_at = ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz`

  const opened = await openRound(database, {
    now,
    windowMs: 1_000,
    votingMs: 3_600_000,
    params: { pMin: 1, pMax: 1, halfExposure: 1, capacity: 50, quorum: 1 },
    beacon: { kind: 'operator' },
  })
  const roundId = opened.round.id
  await freezeRound(database, { roundId, now: new Date(opened.round.windowEndsAt) })
  const revealed = await revealRound(database, { roundId, now: new Date() })
  const group = await getGroupCommitments(database, { rootVersion: revealed.round.rootVersion })
  return {
    roundId,
    postUris: [...postUris].sort(),
    commitments: group.commitments,
    root: revealed.round.root!,
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const port = (server.address() as { port: number }).port
  await new Promise((ok) => server.close(ok))
  return port
}

/** Same rule as the launcher: rebuild when any source is newer than the build. */
function ensureBuild(nextBin: string): void {
  const buildId = join(webDir, '.next', 'BUILD_ID')
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(buildId)) return
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0
  const newest = (path: string): number => {
    if (!existsSync(path)) return 0
    const s = statSync(path)
    if (!s.isDirectory()) return s.mtimeMs
    return Math.max(s.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))))
  }
  const sources = [
    ...['app', 'components', 'server', 'lib', 'workers', 'next.config.ts', 'package.json'].map((p) =>
      join(webDir, p),
    ),
    ...['curation/src', 'db/src'].map((p) => join(root, p)),
  ]
  if (builtAt > 0 && !sources.some((p) => newest(p) > builtAt)) return
  console.log('building the web app (sources changed)...')
  const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: webDir, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('next build failed')
}

async function startWeb(databaseUrl: string, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next')
  ensureBuild(nextBin)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port)], {
    cwd: webDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DATABASE_URL: databaseUrl, CURIA_DATA_DIR: dataDir, CURIA_PUBLIC_URL: url },
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode})`)
    const ok = await fetch(`${url}/jury/rounds`)
      .then((r) => r.ok)
      .catch(() => false)
    if (ok) return { url, child }
    await new Promise((r) => setTimeout(r, 300))
  }
}

/** Injected before any page script: long tasks and frame gaps, reported for a window the bench marks. */
const RESPONSIVENESS_PROBE = `
  window.__probe = { longTasks: [], frames: [], marking: false }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__probe.longTasks.push({ start: e.startTime, duration: e.duration })
  }).observe({ type: 'longtask', buffered: true })
  const loop = (t) => { window.__probe.frames.push(t); requestAnimationFrame(loop) }
  requestAnimationFrame(loop)
`

interface BrowserRun {
  proveMs: number
  /** Fetching every commitment and rebuilding the tree, in the worker. */
  groupMs: number
  clickToAcceptedMs: number
  longestTaskMs: number
  longTasks: number
  maxFrameGapMs: number
  p95FrameGapMs: number
}

async function proveInBrowser(
  page: Page,
  baseUrl: string,
  seeded: Seeded,
  juror: number,
): Promise<BrowserRun> {
  const identity = new Identity(jurorSecret(juror))
  await page.goto(`${baseUrl}/jury/rounds`)
  await page.evaluate(
    ([privateKey, commitment]) => {
      localStorage.clear()
      localStorage.setItem(
        'curia.jury.identities.v1',
        JSON.stringify([{ privateKey, commitment, did: null, createdAt: new Date().toISOString() }]),
      )
    },
    [identity.export(), identity.commitment.toString()],
  )
  await page.goto(`${baseUrl}/jury/rounds/${seeded.roundId}/ballot`)
  await page
    .getByTestId('prover-status')
    .and(page.locator('[data-state="ready"]'))
    .waitFor({ timeout: 120_000 })
  const posts = page.getByTestId('ballot-post')
  const count = await posts.count()
  for (let i = 0; i < count; i++) {
    await posts
      .nth(i)
      .getByText(i % 3 === 2 ? 'Abstain' : i % 2 ? 'Reject' : 'Endorse', { exact: true })
      .click()
  }
  const t0 = await page.evaluate(() => performance.now())
  await page.getByRole('button', { name: 'Prove and send ballot' }).click()
  const status = page.getByTestId('ballot-status')
  await status
    .and(page.locator('[data-phase="accepted"], [data-phase="refused"]'))
    .waitFor({ timeout: 120_000 })
  if ((await status.getAttribute('data-phase')) !== 'accepted') {
    throw new Error(`ballot refused: ${await status.innerText()}`)
  }
  const t1 = await page.evaluate(() => performance.now())
  const proveMs = Number(await status.getAttribute('data-prove-ms'))
  const groupMs = Number(await status.getAttribute('data-group-ms'))
  const probe = await page.evaluate(
    ([from, to]) => {
      const p = (
        window as unknown as {
          __probe: { longTasks: { start: number; duration: number }[]; frames: number[] }
        }
      ).__probe
      const tasks = p.longTasks.filter((t) => t.start + t.duration >= from && t.start <= to)
      const frames = p.frames.filter((t) => t >= from && t <= to)
      const gaps = frames.slice(1).map((t, i) => t - frames[i]!)
      gaps.sort((a, b) => a - b)
      return {
        longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
        longTasks: tasks.length,
        maxFrameGapMs: gaps.at(-1) ?? 0,
        p95FrameGapMs: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
      }
    },
    [t0, t1] as const,
  )
  return { proveMs, groupMs, clickToAcceptedMs: t1 - t0, ...probe }
}

async function proveInNode(seeded: Seeded, juror: number): Promise<number> {
  const identity = new Identity(jurorSecret(juror))
  const group = new Group(seeded.commitments.map((c) => BigInt(c)))
  const content = canonicalBallotContent(seeded.postUris.map((u) => [u, 'endorse'] as const))
  const t0 = performance.now()
  await generateProof(
    identity,
    group,
    ballotMessage(content),
    roundScope(seeded.roundId),
    JURY_TREE_DEPTH,
    semaphoreArtifacts(JURY_TREE_DEPTH),
  )
  return performance.now() - t0
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const ms = (x: number) => `${Math.round(x)} ms`

const bench = await createBenchDatabase()
const dataDir = mkdtempSync(join(tmpdir(), 'curia-bench-prove-'))
let web: ChildProcess | undefined
try {
  const database = await openDatabase({ url: bench.url, max: 4 })
  const seeded = await seed(database)
  const started = await startWeb(bench.url, dataDir)
  web = started.child
  if (flags.serve) {
    const id = new Identity(jurorSecret(0))
    console.log(`\nballot page: ${started.url}/jury/rounds/${seeded.roundId}/ballot`)
    console.log(`juror 0's secret (import it on /jury): ${id.export()}`)
    console.log('Ctrl-C stops.')
    await new Promise<void>((ok) => process.once('SIGINT', () => ok()))
  } else {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    })
    const context = await browser.newContext()
    await context.addInitScript(RESPONSIVENESS_PROBE)
    const page = await context.newPage()
    console.log(
      `tree depth ${JURY_TREE_DEPTH}, ${MEMBERS} members, ${POSTS} posts per ballot, ${RUNS} runs each\n`,
    )
    // Warm-up, not counted: the first page downloads the artifacts into the HTTP cache; Node builds its curve.
    await proveInBrowser(page, started.url, seeded, 0)
    await proveInNode(seeded, 0)
    const browserRuns: BrowserRun[] = []
    const nodeRuns: number[] = []
    for (let r = 1; r <= RUNS; r++) {
      browserRuns.push(await proveInBrowser(page, started.url, seeded, r))
      nodeRuns.push(await proveInNode(seeded, r))
      console.log(
        `run ${r}: browser proof ${ms(browserRuns.at(-1)!.proveMs)} (click to accepted ${ms(browserRuns.at(-1)!.clickToAcceptedMs)}), node ${ms(nodeRuns.at(-1)!)}`,
      )
    }
    await browser.close()
    const browserProve = median(browserRuns.map((b) => b.proveMs))
    const nodeProve = median(nodeRuns)
    console.log(
      `\n${table([
        ['measure (median of runs)', 'value', 'vs bare Node generateProof'],
        ['node: bare generateProof', ms(nodeProve), '1.00x'],
        ["browser: generateProof in Curia's worker", ms(browserProve), ratio(browserProve, nodeProve)],
        [
          `browser: group fetch + tree rebuild (${MEMBERS} members)`,
          ms(median(browserRuns.map((b) => b.groupMs))),
          '',
        ],
        [
          'browser: click to "ballot accepted"',
          ms(median(browserRuns.map((b) => b.clickToAcceptedMs))),
          ratio(median(browserRuns.map((b) => b.clickToAcceptedMs)), nodeProve),
        ],
        [
          'page: longest main-thread task while proving',
          ms(Math.max(...browserRuns.map((b) => b.longestTaskMs))),
          '',
        ],
        [
          'page: long tasks (>50 ms) while proving, total',
          String(browserRuns.reduce((a, b) => a + b.longTasks, 0)),
          '',
        ],
        [
          'page: largest frame gap while proving',
          ms(Math.max(...browserRuns.map((b) => b.maxFrameGapMs))),
          '',
        ],
        [
          'page: p95 frame gap while proving (median)',
          ms(median(browserRuns.map((b) => b.p95FrameGapMs))),
          '',
        ],
      ])}`,
    )
    const r = browserProve / nodeProve
    console.log(`\ntarget: browser within 1.3x of Node: ${r <= 1.3 ? 'met' : 'NOT met'} (${r.toFixed(2)}x)`)
  }
  await database.close()
} finally {
  if (web && web.exitCode === null) {
    const exited = new Promise((ok) => web!.once('exit', ok))
    web.kill('SIGTERM')
    await exited
  }
  await bench.drop()
  rmSync(dataDir, { recursive: true, force: true })
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
}
