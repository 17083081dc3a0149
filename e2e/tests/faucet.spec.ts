import { DEFAULT_LEDGER_PARAMS } from '@curia/curation/market/params'
import { checkLedgerInvariant, getBalance } from '@curia/curation/service/ledger'
import type { Page } from '@playwright/test'
import { signIn } from '../src/fixtures'
import { expectAccessible } from '../src/axe'
import { expect, releaseProver, test } from '../src/jury'

/**
 * The verified-human faucet in the browser: a juror (enrolled through the jury page, the identity made in this
 * browser) claims the grant from the portfolio page, proved in the page's Web Worker, and sees the balance rise by
 * it; the account then shows it as received. Signed in as another account in the same browser, the same juror's
 * second claim is refused (one per human), and nothing more is paid.
 */

const shots = (name: string) => `test-results/screens/${name}.png`
const GRANT = DEFAULT_LEDGER_PARAMS.humanGrantMicro

test.afterAll(releaseProver)

async function portfolioBalance(page: Page): Promise<string> {
  return page.getByTestId('portfolio-balance').innerText()
}

test('an enrolled juror claims the verified-human grant once; a second claim by the same human is refused', async ({
  page,
  accounts,
  jury,
}) => {
  test.setTimeout(360_000)
  const { database } = jury

  // Enroll through the jury page with an operator invite: the identity is made and kept in this browser.
  const juror = await accounts.create({ displayName: 'Faye Faucet' })
  await signIn(page, juror, { returnTo: '/jury' })
  await page.goto('/jury')
  await page.getByLabel('Invite code').fill(await jury.operatorInvite())
  await page.getByRole('button', { name: 'Join with invite' }).click()
  await expect(page.getByTestId('jury-member')).toContainText('You are a juror')
  const stored = await page.evaluate(() => localStorage.getItem('curia.jury.identities.v1'))
  const [identity] = JSON.parse(stored ?? '[]') as { privateKey: string }[]
  expect(identity?.privateKey).toBeTruthy()

  // The portfolio offers the grant and says the claim is anonymous.
  await page.goto('/portfolio')
  const panel = page.getByTestId('faucet-panel')
  await expect(panel.getByRole('heading', { name: 'Claim your verified-human grant' })).toBeVisible()
  await expect(panel).toContainText('not linked to which juror you are')
  const before = await getBalance(database, juror.did)
  expect(await portfolioBalance(page)).toBe(formatWhole(before))

  const claimPosts: string[] = []
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/portfolio')) claimPosts.push(r.postData() ?? '')
  })
  await panel.getByRole('button', { name: 'Claim 9,000 credits' }).click()
  const status = page.getByTestId('faucet-status')
  // A progress indicator while the worker downloads, rebuilds the tree and proves.
  await expect(status).toHaveAttribute('data-phase', /^proving/)
  await expect(status.getByRole('progressbar')).toBeVisible()
  await expect(status).toHaveAttribute('data-phase', 'granted', { timeout: 180_000 })
  await expect(status).toContainText('9,000 credits added')

  expect(await getBalance(database, juror.did)).toBe(before + GRANT)
  await expect(page.getByTestId('portfolio-balance')).toHaveText(formatWhole(before + GRANT))
  await expect(page.getByTestId('account-balance')).toHaveText(formatWhole(before + GRANT))
  expect(claimPosts.length).toBeGreaterThan(0)
  for (const body of claimPosts) {
    expect(body, 'the identity secret never leaves the browser').not.toContain(identity!.privateKey)
    expect(body, 'the claim does not name the account: the session does').not.toContain(juror.did)
  }
  await page.screenshot({ path: shots('faucet-granted'), fullPage: true })
  await expectAccessible(page)

  await page.reload()
  await expect(page.getByTestId('faucet-claimed')).toContainText('has received the verified-human grant')
  await expect(page.getByTestId('faucet-panel')).toHaveCount(0)

  // The same browser (same juror identity) signed in as another account: the claim is proved and refused.
  await page.getByRole('button', { name: 'Sign out' }).click()
  const other = await accounts.create({ displayName: 'Otto Other' })
  await signIn(page, other)
  await page.goto('/portfolio')
  const otherBefore = await getBalance(database, other.did)
  await page.getByTestId('faucet-panel').getByRole('button', { name: 'Claim 9,000 credits' }).click()
  await expect(status).toHaveAttribute('data-phase', 'refused', { timeout: 180_000 })
  await expect(status).toHaveAttribute('data-code', 'human_already_claimed')
  await expect(status).toContainText('one per person')
  await expect(
    page.getByRole('button', { name: 'Claim 9,000 credits' }),
    'nothing left to retry',
  ).toHaveCount(0)
  await page.screenshot({ path: shots('faucet-refused'), fullPage: true })
  expect(await getBalance(database, other.did)).toBe(otherBefore)
  await page.reload()
  await expect(page.getByTestId('portfolio-balance')).toHaveText(formatWhole(otherBefore))

  const claims = await database.sql<
    { did: string }[]
  >`select did from faucet_claim where did in (${juror.did}, ${other.did})`
  expect(claims).toEqual([{ did: juror.did }])
  const report = await checkLedgerInvariant(database)
  expect(report.sumMicro).toBe(0n)
  expect(report.mismatchedAccounts).toEqual([])
})

/** Whole credits as the page prints them: 10,000. */
function formatWhole(micro: bigint): string {
  expect(micro % 1_000_000n).toBe(0n)
  return (micro / 1_000_000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}
