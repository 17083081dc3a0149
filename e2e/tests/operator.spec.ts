import { randomBytes } from 'node:crypto'
import { Identity } from '@semaphore-protocol/core'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { inviteVerifier } from '@curia/curation/admission/invite'
import { admitJuror, createInvite } from '@curia/curation/service/admission'
import { expectAccessible } from '../src/axe'
import { operatorAccount, signIn } from '../src/fixtures'
import { expect, test } from '../src/jury'

/**
 * The operator's page (CURIA_OPERATOR_DIDS): the invite tree as the `npm run jury -- tree` command prints it, a
 * branch revoked with a click, the allowlist (by DID or by handle) and operator invites kept from the browser. A signed-in curator who
 * is not an operator gets a 404, and replaying the operator's own revoke request with their session changes nothing.
 */
test('an operator sees the invite tree, revokes a branch and keeps the allowlist; nobody else can', async ({
  page,
  browser,
  stack,
  accounts,
  jury,
}) => {
  const database = jury.database
  const fresh = (name: string) => `did:plc:e2e${name}${randomBytes(6).toString('hex')}`
  const admit = async (did: string, how: { code: string } | 'allowlist') => {
    const commitment = new Identity(`curia-e2e-operator-${did}`).commitment.toString()
    const now = new Date()
    await admitJuror(
      database,
      how === 'allowlist'
        ? { verifier: allowlistVerifier(), evidence: { did }, commitment, now }
        : { verifier: inviteVerifier(), evidence: { did, code: how.code }, commitment, now },
    )
  }
  const revoked = async (did: string) => {
    const [row] = await database.sql<{ revoked: boolean; inGroup: boolean }[]>`
      select b.revoked_at is not null as revoked,
             exists (select 1 from jury_member m where m.commitment = b.commitment
                     and m.removed_version is null) as "inGroup"
      from juror_binding b where b.did = ${did}`
    return row
  }

  // A curator who is not an operator: no link, and the page is not found.
  const curator = await accounts.create()
  await signIn(page, curator)
  await expect(page.getByRole('link', { name: 'Operator' })).toHaveCount(0)
  expect((await page.goto('/operator'))?.status()).toBe(404)

  const context = await browser.newContext({ baseURL: stack.webUrl })
  const op = await context.newPage()
  await signIn(op, operatorAccount(stack))
  await op.getByRole('link', { name: 'Operator' }).click()
  await expect(op.getByRole('heading', { name: 'Operator', level: 1 })).toBeVisible()

  // An operator invite, made on the page, admits the root of a branch; its member invites a second person.
  await op.getByRole('button', { name: 'Create invite codes' }).click()
  const code = (await op.getByTestId('operator-invite-code').first().textContent())!.trim()
  const [root, leaf, outsider] = [fresh('root'), fresh('leaf'), fresh('outsider')]
  await admit(root, { code })
  const invite = await createInvite(database, {
    inviter: root,
    now: new Date(),
    policy: { perPeriod: 3, periodMs: 86_400_000, ttlMs: 86_400_000 },
  })
  await admit(leaf, { code: invite.code })

  // Someone outside that branch, allowed on the page.
  // (Other specs' jurors are on the page too: every lookup is exact or scoped.)
  const allowlist = op.getByRole('region', { name: 'Allowlist' })
  const account = allowlist.getByRole('textbox', { name: 'Handle or DID', exact: true })
  await account.fill(outsider)
  await allowlist
    .getByRole('textbox', { name: 'Note (optional)', exact: true })
    .fill('met at the <b>meetup</b>')
  await allowlist.getByRole('button', { name: 'Allow', exact: true }).click()
  await expect(allowlist.getByRole('status')).toContainText(`${outsider} may now enroll`)
  const listed = op.getByTestId('allowlist').getByRole('listitem').filter({ hasText: outsider })
  await expect(listed).toContainText('met at the <b>meetup</b>') // text, not markup
  await admit(outsider, 'allowlist')

  // By handle: resolved to the account's DID, and listed with the handle; a handle nobody holds is refused.
  const known = await accounts.create()
  await account.fill(`@${known.handle.toUpperCase()}`)
  await allowlist.getByRole('button', { name: 'Allow', exact: true }).click()
  await expect(allowlist.getByRole('status')).toContainText(`@${known.handle} (${known.did}) may now enroll`)
  await expect(
    op.getByTestId('allowlist').getByRole('listitem').filter({ hasText: known.did }),
  ).toContainText(`@${known.handle}`)
  // Removing an entry takes its button away: the focus goes to the message saying so.
  await op
    .getByTestId('allowlist')
    .getByRole('button', { name: `Remove ${known.did} from the allowlist` })
    .click()
  await expect(allowlist.getByRole('status')).toContainText(`${known.did} is off the allowlist.`)
  await expect(allowlist.getByRole('status')).toBeFocused()
  await account.fill('nobody-holds-this.test')
  await allowlist.getByRole('button', { name: 'Allow', exact: true }).click()
  await expect(allowlist.getByRole('alert')).toContainText(
    'No Bluesky account answers to @nobody-holds-this.test',
  )

  await op.reload()
  const member = (did: string) => op.locator(`[data-testid="tree-member"][data-person-key="${did}"]`)
  await expect(member(root)).toHaveAttribute('data-depth', '0')
  await expect(member(leaf)).toHaveAttribute('data-depth', '1')
  await expect(member(outsider)).toHaveAttribute('data-depth', '0')
  await expect(member(root)).toContainText('Invites: 1 of 1 used')
  await expect(listed).toContainText(/· enrolled/)
  await expectAccessible(op)

  // Revoking the root takes its branch, after a confirmation that says how many. The request is kept for later.
  const revokeRequest = op.waitForRequest(
    (r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined,
  )
  // By keyboard: each button that goes away hands the focus on (the confirmation, back, then the outcome).
  const revokeBranch = member(root).getByRole('button', { name: /Revoke branch \(2\)/ })
  await revokeBranch.focus()
  await op.keyboard.press('Enter')
  await expect(member(root)).toContainText('Revoke these 2 members?')
  await expect(member(root).getByRole('button', { name: 'Revoke', exact: true })).toBeFocused()
  await member(root).getByRole('button', { name: 'Cancel' }).click()
  await expect(revokeBranch).toBeFocused()
  await op.keyboard.press('Enter')
  await expect(member(root).getByRole('button', { name: 'Revoke', exact: true })).toBeFocused()
  await op.keyboard.press('Enter')
  const outcome = op.getByRole('region', { name: 'Jury members' }).getByRole('status')
  await expect(outcome).toContainText('Revoked 2 members')
  await expect(outcome).toBeFocused()
  await expect(member(root)).toHaveAttribute('data-revoked', 'true')
  await expect(member(leaf)).toHaveAttribute('data-revoked', 'true')
  await expect(member(outsider)).toHaveAttribute('data-revoked', 'false')
  expect(await revoked(root)).toEqual({ revoked: true, inGroup: false })
  expect(await revoked(leaf)).toEqual({ revoked: true, inGroup: false })
  // The operators' log names who did it: this operator, by handle.
  const logLine = op.getByTestId('operator-log').getByRole('listitem').filter({ hasText: root })
  await expect(logLine).toContainText(`@${stack.operatorHandle} revoked the branch of ${root}: 2 members`)

  // The curator replays that very action, aimed at the outsider, with their own session: refused, nothing changes.
  const sent = await revokeRequest
  const replay = await page.request.post(sent.url(), {
    headers: {
      'next-action': sent.headers()['next-action']!,
      'content-type': sent.headers()['content-type'] ?? 'text/plain;charset=UTF-8',
      accept: 'text/x-component',
      origin: stack.webUrl,
    },
    data: JSON.stringify([outsider]),
  })
  expect(await replay.text()).toContain("Only Curia's operators can do this.")
  expect(await revoked(outsider)).toEqual({ revoked: false, inGroup: true })
  await context.close()
})
