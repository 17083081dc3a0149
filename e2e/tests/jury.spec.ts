import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Page, Request } from '@playwright/test'
import { MICRO } from '@curia/curation/market/lmsr'
import { parseMarketParams } from '@curia/curation/market/params'
import { checkLedgerInvariant, getBalance } from '@curia/curation/service/ledger'
import { placeTrade } from '@curia/curation/service/trade'
import { revokeInviteBranch } from '@curia/curation/service/admission'
import { signIn } from '../src/fixtures'
import { expectAccessible } from '../src/axe'
import { expect, releaseProver, test } from '../src/jury'

/**
 * The jury layer in the browser, end to end: a signed-in person enrolls with an invite (the identity made in the
 * browser, only its commitment sent), proves a ballot in the page's Web Worker and sends it without credentials;
 * the round closes; the winning position is paid and the void market refunded; the round's public page shows the
 * ballots, and its export verifies with `scripts/verify-round.ts`, which also catches a tampered copy.
 */

const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)
const shots = (name: string) => `test-results/screens/${name}.png`

test.afterAll(releaseProver)

/** The balance the header shows, in credits. */
async function headerBalance(page: Page): Promise<number> {
  return Number((await page.getByTestId('account-balance').innerText()).replaceAll(',', ''))
}

test('a juror enrolls with an invite, proves a ballot in the browser, and the verdicts settle the bets', async ({
  page,
  browser,
  accounts,
  feed,
  jury,
}) => {
  test.setTimeout(420_000)
  const { database } = jury

  // Two posts get markets from the candidate policy: one the jury will endorse, one it will leave void.
  const author = await accounts.create({ displayName: 'Jules Judged' })
  const good = await author.post({ text: 'A careful thread on tide tables, with sources.' })
  const voided = await author.post({ text: 'An ambiguous post nobody on the jury wants to call.' })
  const [goodPost, voidPost] = await feed.waitFor([good.uri, voided.uri], (p) => p.market !== null)
  const goodMarket = goodPost!.market!.marketId
  const voidMarket = voidPost!.market!.marketId

  // A curator signs in (the starting grant) and buys YES on both.
  const curatorContext = await browser.newContext()
  const curatorPage = await curatorContext.newPage()
  const curator = await accounts.create({ displayName: 'Cass Curator' })
  await signIn(curatorPage, curator)
  const startBalance = await getBalance(database, curator.did)
  const { market: params } = parseMarketParams({})
  const rules = { positionCapMicro: params.positionCapMicro, maxAmountMicro: params.maxAmountMicro }
  const buy = (marketId: number, credits: bigint, key: string) =>
    placeTrade(
      database,
      {
        did: curator.did,
        marketId,
        side: 'buy',
        outcome: 'yes',
        amountMicro: credits * MICRO,
        limit: { kind: 'max_average_price', price: 0.99 },
        idempotencyKey: key,
        now: new Date(),
      },
      { rules },
    )
  const onGood = await buy(goodMarket, 40n, `jury-e2e-good-${curator.did}`)
  const onVoid = await buy(voidMarket, 25n, `jury-e2e-void-${curator.did}`)
  const afterTrades = startBalance - onGood.moneyMicro - onVoid.moneyMicro
  expect(await getBalance(database, curator.did)).toBe(afterTrades)

  // The juror signs in and enrolls with an operator invite. The secret is made in the browser and stays there.
  const juror = await accounts.create({ displayName: 'June Juror' })
  await signIn(page, juror)
  const enrollBodies: string[] = []
  page.on('request', (r) => {
    if (r.method() === 'POST') enrollBodies.push(r.postData() ?? '')
  })
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jury' }).click()
  await page.waitForURL('**/jury')
  await expect(page.getByTestId('jury-enroll')).toBeVisible()

  // A code that is not an invite is refused with a sentence, and nothing is recorded.
  await page.getByLabel('Invite code').fill('inv_notarealcodeatall00000')
  await page.getByRole('button', { name: 'Join with invite' }).click()
  await expect(page.getByTestId('enroll-refused')).toHaveAttribute('data-code', 'invite_invalid')
  const [noBinding] = await database.sql`select 1 from juror_binding where did = ${juror.did}`
  expect(noBinding, 'a refused enrollment records nothing').toBeUndefined()

  const code = await jury.operatorInvite()
  await page.getByLabel('Invite code').fill(code)
  await page.getByRole('button', { name: 'Join with invite' }).click()
  await expect(page.getByTestId('jury-member')).toContainText('You are a juror')
  const commitment = await page.getByTestId('jury-commitment').innerText()
  const stored = await page.evaluate(() => localStorage.getItem('curia.jury.identities.v1'))
  const [local] = JSON.parse(stored ?? '[]') as { privateKey: string; commitment: string; did: string }[]
  expect(local).toMatchObject({ commitment, did: juror.did })
  const [binding] = await database.sql<{ commitment: string; verifier: string }[]>`
    select commitment, verifier from juror_binding where did = ${juror.did}`
  expect(binding).toEqual({ commitment, verifier: 'invite' })
  expect(enrollBodies.length).toBeGreaterThan(0)
  for (const body of enrollBodies)
    expect(body, 'the secret never leaves the browser').not.toContain(local!.privateKey)
  const [member] = await database.sql`select 1 from jury_member where commitment = ${commitment}`
  expect(member, 'the commitment is in the Semaphore group').toBeDefined()

  // The same invite cannot admit anyone else.
  const reuser = await accounts.create()
  const reuserContext = await browser.newContext()
  const reuserPage = await reuserContext.newPage()
  await signIn(reuserPage, reuser, { returnTo: '/jury' })
  await reuserPage.goto('/jury')
  await reuserPage.getByLabel('Invite code').fill(code)
  await reuserPage.getByRole('button', { name: 'Join with invite' }).click()
  await expect(reuserPage.getByTestId('enroll-refused')).toContainText('already been used')
  await reuserContext.close()

  // Members invite others, k per period.
  await page.reload()
  const left = Number(await page.getByTestId('jury-invites-left').innerText())
  expect(left).toBeGreaterThan(0)
  await page.getByRole('button', { name: 'Create an invite code' }).click()
  await expect(page.getByTestId('jury-invite-code')).toHaveText(/^inv_[A-Za-z0-9_-]{22}$/)
  await expect(page.getByTestId('jury-invites-left')).toHaveText(String(left - 1))
  await page.screenshot({ path: shots('jury-enrolled'), fullPage: true })
  await expectAccessible(page)

  // A second juror (allowlisted, proving in Node) makes the quorum of two; then the round opens on both markets.
  const second = await jury.allowlistedJuror('Node')
  const round = await jury.openVotingRound([goodMarket, voidMarket], { quorum: 2 })
  expect(round.status).toBe('voting')

  // Before close: the round page hides tallies and ballots, and there is no export.
  await page.goto(`/jury/rounds/${round.id}`)
  await expect(page.getByTestId('round-status')).toHaveText('Voting')
  await expect(page.getByTestId('round-tallies')).toHaveCount(0)
  expect((await page.request.get(`/jury/rounds/${round.id}/export.json`)).status()).toBe(409)

  // While the jury judges it, the post's own page keeps its price sealed: no price, no chart, no trades.
  const [, , goodDid, , goodRkey] = good.uri.split('/')
  await page.goto(`/post/${goodDid}/${goodRkey}`)
  await expect(page.getByTestId('market-price-sealed')).toContainText('Awaiting the jury')
  await expect(page.getByTestId('market-yes-price')).toHaveCount(0)
  await expect(page.getByTestId('price-chart')).toHaveCount(0)
  await expect(page.locator('main')).not.toContainText('% YES')

  // The ballot: each sampled post, never its price, nor its likes and reposts (popularity must not anchor a juror).
  await page.goto('/jury')
  await page.getByTestId('jury-voting-round').getByRole('link', { name: 'Open the ballot' }).click()
  await page.waitForURL(`**/jury/rounds/${round.id}/ballot`)
  const posts = page.getByTestId('ballot-post')
  await expect(posts).toHaveCount(2)
  await expect(posts.getByText('A careful thread on tide tables, with sources.')).toBeVisible()
  await expect(page.getByTestId('market-yes-price')).toHaveCount(0)
  await expect(page.locator('main')).not.toContainText('% YES')
  await expect(posts.getByTestId('like-count')).toHaveCount(0)
  await expect(posts.getByTestId('repost-count')).toHaveCount(0)
  await expect(page.getByTestId('prover-status')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 })

  await posts.filter({ hasText: 'tide tables' }).getByText('Endorse', { exact: true }).click()
  await posts.filter({ hasText: 'ambiguous' }).getByText('Abstain', { exact: true }).click()
  const ballotRequest = page.waitForRequest((r) => r.url().endsWith('/api/jury/ballots'))
  await page.getByRole('button', { name: 'Prove and send ballot' }).click()
  const status = page.getByTestId('ballot-status')
  // The page keeps rendering while the worker proves: the elapsed-time counter moves.
  await expect(status).toHaveAttribute('data-phase', /^proving/)
  // Only the phase is announced: the ticking clock stays out of the live region.
  await expect(status.getByRole('status')).toHaveCount(1)
  await expect(status.getByRole('status')).not.toContainText(/\d s/)
  const firstTick = await status.innerText()
  await expect
    .poll(() => status.innerText(), { message: 'the page updates while proving' })
    .not.toBe(firstTick)
  await expect(status).toHaveAttribute('data-phase', 'accepted', { timeout: 120_000 })
  const sent: Request = await ballotRequest
  const headers = await sent.allHeaders()
  expect(headers.cookie, 'the ballot is sent without the session cookie').toBeUndefined()
  const sentBody = JSON.parse(sent.postData() ?? '{}') as { roundId: number; proof: unknown; content: string }
  expect(Object.keys(sentBody).sort()).toEqual(['content', 'proof', 'roundId'])
  const nullifier = await page.getByTestId('ballot-nullifier').innerText()
  await page.screenshot({ path: shots('jury-ballot-accepted'), fullPage: true })
  await expectAccessible(page)

  // The first ballot stands: the page says so on return, and a second proof is refused.
  await page.reload()
  await expect(page.getByTestId('ballot-already')).toBeVisible()
  await expect(page.getByTestId('prover-status')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 })
  for (const name of ['tide tables', 'ambiguous']) {
    await posts.filter({ hasText: name }).getByText('Reject', { exact: true }).click()
  }
  await page.getByRole('button', { name: 'Prove and send ballot' }).click()
  await expect(status).toHaveAttribute('data-phase', 'refused', { timeout: 120_000 })
  await expect(status).toHaveAttribute('data-code', 'duplicate_ballot')
  // Anyone replaying the accepted ballot, or altering its content, is refused.
  expect((await jury.postBallot(sentBody)).body).toMatchObject({
    status: 'refused',
    code: 'duplicate_ballot',
  })
  const altered = sentBody.content.replace('"endorse"', '"reject"')
  expect((await jury.postBallot({ ...sentBody, content: altered })).body).toMatchObject({
    status: 'refused',
    code: 'wrong_message',
  })

  // The second juror endorses the good post too; the void post gets abstentions only.
  const secondBallot = await second.vote(round, { [good.uri]: 'endorse', [voided.uri]: 'abstain' })
  expect(secondBallot.body).toMatchObject({ status: 'accepted' })

  // Close and settle, as the jury worker does at the end of voting.
  const closed = await jury.closeAndSettle(round.id)
  expect(closed.status).toBe('closed')
  expect(closed.settledAt).not.toBeNull()

  // The winning position is paid (one credit per YES share), the void market refunds what was spent.
  const expected = afterTrades + onGood.sharesMicro + onVoid.moneyMicro
  expect(await getBalance(database, curator.did)).toBe(expected)
  await curatorPage.reload()
  expect(await headerBalance(curatorPage)).toBeCloseTo(Number(expected) / 1e6, 2)
  const books = await checkLedgerInvariant(database)
  expect(books.sumMicro).toBe(0n)
  expect(books.heldMicro).toBe(books.mintedMicro)
  expect([...books.negativeAccounts, ...books.mismatchedAccounts, ...books.marketAnomalies]).toEqual([])

  // Each post page says how its market ended, which round decided it, and what settlement paid this curator.
  const settledNote = async (uri: string) => {
    const [, , did, , rkey] = uri.split('/')
    await curatorPage.goto(`/post/${did}/${rkey}`)
    const note = curatorPage.getByTestId('settlement-note')
    await expect(note.getByRole('link', { name: `round ${round.id}` })).toHaveAttribute(
      'href',
      `/jury/rounds/${round.id}`,
    )
    await expect(curatorPage.getByRole('button', { name: /^(Buy|Sell)/ })).toHaveCount(0)
    const paid = (await curatorPage.getByTestId('settlement-viewer').innerText()).match(
      /paid you ([\d,.]+) credits/,
    )
    return { note, paid: Number(paid?.[1]?.replaceAll(',', '')) }
  }
  const onGoodPage = await settledNote(good.uri)
  await expect(onGoodPage.note).toHaveAttribute('data-resolution', 'yes')
  await expect(onGoodPage.note).toContainText('The jury endorsed this post in round')
  await expect(curatorPage.getByTestId('market-yes-price')).toBeVisible() // unsealed with the verdict
  expect(onGoodPage.paid).toBeCloseTo(Number(onGood.sharesMicro) / 1e6, 2)
  await curatorPage.screenshot({ path: shots('post-settled'), fullPage: true })
  const onVoidPage = await settledNote(voided.uri)
  await expect(onVoidPage.note).toHaveAttribute('data-resolution', 'void')
  await expect(onVoidPage.note).toContainText('too few jurors judged it')
  expect(onVoidPage.paid).toBeCloseTo(Number(onVoid.moneyMicro) / 1e6, 2)
  await curatorContext.close()

  // The public record: tallies and verdicts, every ballot by nullifier, the seed, and the export.
  await page.goto(`/jury/rounds/${round.id}`)
  await expect(page.getByTestId('round-status')).toHaveText('Closed, settled')
  await expect(page.getByTestId('tally-row').and(page.locator(`[data-uri="${good.uri}"]`))).toHaveAttribute(
    'data-verdict',
    'endorse',
  )
  await expect(page.getByTestId('tally-row').and(page.locator(`[data-uri="${voided.uri}"]`))).toHaveAttribute(
    'data-verdict',
    'void',
  )
  // The voided post says why (its abstentions did not count toward the quorum), and each tally leads to its market.
  await expect(page.getByTestId('verdict-rule')).toContainText('abstentions do not count')
  const goodRow = page.getByTestId('tally-row').and(page.locator(`[data-uri="${good.uri}"]`))
  await expect(goodRow.getByRole('link')).toHaveAttribute(
    'href',
    `/post/${good.uri.slice('at://'.length).replace('/app.bsky.feed.post/', '/')}`,
  )
  const ballots = page.getByTestId('ballot-row')
  await expect(ballots).toHaveCount(2)
  await expect(ballots.and(page.locator(`[data-nullifier="${nullifier}"]`))).toContainText('endorse')
  await expect(page.getByTestId('round-seed')).toHaveText(/^0x[0-9a-f]{64}$/)
  await page.screenshot({ path: shots('jury-round-closed'), fullPage: true })
  await expectAccessible(page)

  const exportRes = await page.request.get(
    (await page.getByTestId('round-export-link').getAttribute('href')) ?? '',
  )
  expect(exportRes.status()).toBe(200)
  const exported = (await exportRes.json()) as {
    ballots: { nullifier: string; content: string }[]
    merkleRoot: string
  }
  expect(exported.ballots.map((b) => b.nullifier)).toContain(nullifier)
  await expect(page.getByTestId('round-export-root')).toHaveText(exported.merkleRoot)

  // The export verifies with no Curia server; a copy with one vote changed does not.
  const dir = mkdtempSync(join(tmpdir(), 'curia-jury-e2e-'))
  try {
    const file = join(dir, 'round.json')
    writeFileSync(file, JSON.stringify(exported))
    const ok = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'verify-round.ts'), file],
      {
        cwd: root,
      },
    )
    expect(ok.stdout).toContain(`round ${round.id}: OK`)
    const mine = exported.ballots.find((b) => b.nullifier === nullifier)!
    mine.content = mine.content.replace('"endorse"', '"reject"')
    writeFileSync(file, JSON.stringify(exported))
    const bad = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'verify-round.ts'), file],
      {
        cwd: root,
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    )
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('MISMATCH')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // The curator's record after settlement: one market scored (the void one scores nothing), realised profit as
  // paid, scores from the forecast the trade left behind, and a calibration chart. Expected values come from the
  // trade receipts, not from the skill service.
  const number = (text: string) => Number(text.replaceAll('−', '-').replaceAll(',', '').replace('%', ''))
  const forecast = onGood.yesPriceAfter
  const brier = (1 - forecast) ** 2
  const skill = 1 - brier / (1 - onGood.yesPriceBefore) ** 2
  // `+ 0`: a skill that rounds to -0 reads `0%`, and toBe tells -0 from 0.
  await page.goto(`/curator/${curator.did}`)
  await expect(page.getByTestId('curator-name')).toHaveText(`@${curator.handle}`)
  await expect(page.getByTestId('curator-did')).toHaveText(curator.did)
  await expect(page.getByTestId('curator-markets')).toHaveText('1')
  expect(number(await page.getByTestId('curator-profit').innerText())).toBeCloseTo(
    Number(expected - startBalance) / 1e6,
    2,
  )
  expect(number(await page.getByTestId('curator-brier').innerText())).toBeCloseTo(brier, 4)
  expect(number(await page.getByTestId('curator-log').innerText())).toBeCloseTo(Math.log(forecast), 3)
  expect(number(await page.getByTestId('curator-skill').innerText())).toBe(Math.round(skill * 100) + 0)
  const bin = page.getByTestId('calibration-row')
  await expect(bin).toHaveCount(1)
  await expect(bin).toHaveAttribute('data-lower', String(Math.min(9, Math.floor(forecast * 10)) / 10))
  await expect(bin).toHaveAttribute('data-yes-frequency', '1')
  await expect(page.getByTestId('calibration-chart')).toHaveAttribute('data-bins', '1')
  await expect(page.getByTestId('calibration-chart').locator('canvas')).toBeVisible()
  await page.screenshot({ path: shots('curator-skill'), fullPage: true })
  await expectAccessible(page)
  for (const bad of [
    'did:plc:nobodyhasthisdid0000000',
    '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    "did:plc:x'--",
  ])
    expect((await page.request.get(`/curator/${bad}`)).status(), bad).toBe(404)

  // The skill board: one market is under the default minimum, so the curator is listed only with everyone
  // included; the tabs are links, reached and followed by keyboard.
  await page.goto('/leaderboard?by=skill')
  await expect(page.getByTestId('leaderboard-tab-skill')).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('skill-min-markets')).toContainText('at least 5 scored markets')
  const curatorRow = page.getByTestId('skill-row').and(page.locator(`[data-did="${curator.did}"]`))
  await expect(curatorRow).toHaveCount(0)
  await page.getByRole('link', { name: 'Include everyone' }).click()
  await page.waitForURL('**/leaderboard?by=skill&min=1')
  await expect(curatorRow.getByTestId('skill-row-markets')).toHaveText('1')
  expect(number(await curatorRow.getByTestId('skill-row-skill').innerText())).toBe(
    Math.round(skill * 100) + 0,
  )
  expect(number(await curatorRow.getByTestId('skill-row-brier').innerText())).toBeCloseTo(brier, 4)
  // A curator's page leads back to the board it was opened from.
  await curatorRow.getByRole('link', { name: `@${curator.handle}` }).click()
  await page.waitForURL(`**/curator/${curator.did}?from=skill`)
  await page.getByTestId('curator-back').click()
  await page.waitForURL('**/leaderboard?by=skill')
  await page.getByTestId('leaderboard-tab-profit').focus()
  await page.keyboard.press('Enter')
  await page.waitForURL('**/leaderboard?by=profit')
  await expect(page.getByTestId('leaderboard-tab-profit')).toHaveAttribute('aria-current', 'page')
  await page
    .getByTestId('leaderboard')
    .locator(`[data-did="${curator.did}"]`)
    .getByRole('link', { name: `@${curator.handle}` })
    .click()
  await page.waitForURL(`**/curator/${curator.did}`)
  await expect(page.getByTestId('curator-markets')).toHaveText('1')
  // Each number says what it is: the board's profit counts open positions, this page's realised profit does not.
  await expect(page.getByRole('main')).toContainText('Open positions are left out')
  await page.getByTestId('curator-back').click()
  await page.waitForURL('**/leaderboard?by=profit')
  await expect(page.getByRole('main')).toContainText('open positions included')
  await expect(page.getByRole('main')).toContainText('what settlement paid')

  // Once the operator revokes the juror, their jury page says so in its title, not "You are a juror".
  await revokeInviteBranch(database, { personKey: juror.did, now: new Date(), by: 'e2e' })
  await page.goto('/jury')
  const membership = page.getByTestId('jury-member')
  await expect(membership.getByRole('heading', { level: 2 })).toHaveText('Your jury membership was revoked')
  await expect(membership).toContainText('The operator revoked this membership')
  await expect(membership).not.toContainText('You are a juror')
  await page.screenshot({ path: shots('jury-revoked'), fullPage: true })
})
