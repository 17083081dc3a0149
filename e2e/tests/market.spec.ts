import { randomBytes } from 'node:crypto'
import type { Page } from '@playwright/test'
import { approveOnPds, signIn, type E2eAccount } from '../src/fixtures'
import { expect, test } from '../src/jury'
import { MICRO } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { grantStartingCredits } from '@curia/curation/service/ledger'
import { buyAtAnyPrice } from '@curia/curation/service/testing'
import { expectAccessible } from '../src/axe'
import { readStack } from '../src/stack'

/**
 * The market layer in the browser: signing in through the local PDS's real OAuth pages, opening a market on a post,
 * trading, the price chart and the portfolio, signing out; and what must be refused (bad amounts, a tampered form,
 * forged sessions, cross-site posts, a sign-in that comes back to another browser).
 */

const shots = (name: string) => `test-results/screens/${name}.png`
const rkeyOf = (uri: string) => uri.split('/').pop()!
const bskyLink = (account: E2eAccount, uri: string) =>
  `https://bsky.app/profile/${account.handle}/post/${rkeyOf(uri)}`

/** The balance the header shows, in credits (after a fresh render). */
async function headerBalance(page: Page): Promise<number> {
  const text = await page.getByTestId('account-balance').innerText()
  return Number(text.replaceAll(',', ''))
}

/** Numbers in a quote or a receipt: `[shares, credits, average]`, in the order the sentence names them. */
function fillNumbers(text: string): { shares: string; credits: string; average: string } {
  const buy = /You pay ([\d,.]+) credits for ([\d,.]+) YES shares \(average ([\d.]+)\)/.exec(text)
  if (buy) return { credits: buy[1]!, shares: buy[2]!, average: buy[3]! }
  const bought = /Bought ([\d,.]+) YES shares for ([\d,.]+) credits \(average ([\d.]+)\)/.exec(text)
  if (bought) return { shares: bought[1]!, credits: bought[2]!, average: bought[3]! }
  throw new Error(`no fill in: ${text}`)
}

/**
 * A post the feed's candidate policy does not pick (a reply): it has no market until a curator opens one, and Curia
 * has not indexed it, so opening it fetches it from the PDS.
 */
async function unindexedPost(author: E2eAccount, text: string) {
  const root = await author.post({ text: `Thread start ${randomBytes(3).toString('hex')}` })
  return author.post({ text, reply: { root, parent: root } })
}

async function openMarketFor(page: Page, link: string): Promise<void> {
  await page.goto('/open')
  await page.getByLabel('Post link').fill(link)
  await page.getByRole('button', { name: 'Open a market' }).click()
  await page.waitForURL(/\/post\/did:/)
}

test('sign in with Bluesky, open a market on a post, buy YES, see the price move and the position; sign out', async ({
  page,
  context,
  accounts,
}) => {
  const author = await accounts.create({ displayName: 'Tess Tides' })
  const post = await unindexedPost(author, 'Tide tables should be open data, and here is why.')
  const curator = await accounts.create({ displayName: 'Cora Curator' })

  // Signed out, the header offers sign-in and no portfolio; signing in from there comes back to the same page.
  await page.goto('/leaderboard')
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portfolio' }),
  ).toHaveCount(0)
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click()
  await page.getByLabel('Your handle').fill(curator.handle)
  await page.getByRole('button', { name: 'Continue' }).click()
  await approveOnPds(page, curator)
  await expect(page.getByTestId('account-handle')).toHaveText(`@${curator.handle}`)
  expect(new URL(page.url()).pathname).toBe('/leaderboard')
  await expect(page.getByTestId('account-balance')).toHaveText('1,000')
  const cookies = await context.cookies()
  const session = cookies.find((c) => c.name === 'curia_session')
  expect(session, 'a session cookie').toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
  expect(
    cookies.find((c) => c.name === 'curia_login'),
    'the login nonce is spent',
  ).toBeUndefined()

  // Open a market by pasting the post's bsky.app link (with the author's handle, resolved to a DID by Curia).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Open a market' }).click()
  await page.getByLabel('Post link').fill(bskyLink(author, post.uri))
  await page.getByRole('button', { name: 'Open a market' }).click()
  await page.waitForURL(`**/post/${author.did}/${rkeyOf(post.uri)}`)
  await expect(
    page.getByText('Tide tables should be open data, and here is why.', { exact: true }),
  ).toBeVisible()
  await expect(page.getByTestId('market-yes-price')).toHaveText('50%')
  await expect(page.getByTestId('market-trader-count')).toHaveText('0 traders')
  // The post is a reply: its page shows the post it answers (the thread's start, which the indexer stores as a
  // candidate), as one link to it on bsky.app.
  await expect(async () => {
    await page.reload()
    const parent = page.getByTestId('reply-parent')
    await expect(parent).toContainText('Thread start', { timeout: 1_000 })
    await expect(parent).toContainText('Tess Tides')
    await expect(parent).toHaveAttribute('href', /^https:\/\/bsky\.app\/profile\/did:plc:[a-z0-9]+\/post\//)
  }).toPass({ timeout: 30_000 })
  await expect(page.getByTestId('account-balance')).toHaveText('995') // the 5-credit opening fee
  const chart = page.getByTestId('price-chart')
  await expect(chart).toHaveAttribute('data-points', '1')
  await expect(chart.locator('canvas')).toBeVisible()
  await page.screenshot({ path: shots('market-opened'), fullPage: true })

  // The quote is computed in the browser; the server must fill exactly it.
  await page.getByLabel('Amount to spend (credits)').fill('40')
  const quoteBox = page.getByTestId('trade-quote')
  await expect(quoteBox).toContainText('You pay')
  const quoteText = await quoteBox.innerText()
  const quoted = { ...fillNumbers(quoteText), priceAfter: /YES \d+% → ([\d.]+%)/.exec(quoteText)![1]! }
  // The quote states the bound the order carries: 2% over its average, exactly the price the form sends.
  const bound = /at most (0\.\d{4}) credits a share on average, or nothing is bought/.exec(
    await page.getByTestId('trade-limit').innerText(),
  )
  expect(bound, 'the quote states its price bound').not.toBeNull()
  expect(Number(bound![1])).toBeCloseTo(Number(quoted.average) * 1.02, 3)
  expect(await page.locator('input[name="limitValue"]').inputValue()).toBe(String(Number(bound![1])))
  await page.locator('form[aria-label="Trade"]').screenshot({ path: shots('trade-quote') })
  await page.getByRole('button', { name: 'Buy YES' }).click()
  const result = page.getByTestId('trade-result')
  await expect(result).toContainText('Bought')
  expect(fillNumbers(await result.innerText())).toEqual(fillNumbers(quoteText))
  // The fill clears the amount: the receipt stays, no new quote stands above it, and buying again needs a new amount.
  await expect(page.getByLabel('Amount to spend (credits)')).toHaveValue('')
  await expect(quoteBox).not.toContainText('You pay')
  await expect(page.getByRole('button', { name: 'Buy YES' })).toBeDisabled()
  await expect(result).toContainText('Bought')

  // The chart gained a step and the price moved up; the trade is listed under the curator's handle.
  await expect(chart).toHaveAttribute('data-points', '2')
  expect(Number(await chart.getAttribute('data-last-price'))).toBeGreaterThan(0.5)
  // The price now is the one the quote said the trade would leave.
  await expect(page.getByTestId('market-yes-price')).toHaveText(quoted.priceAfter)
  await expect(page.getByTestId('market-trader-count')).toHaveText('1 trader')
  const trades = page.getByTestId('trade-list').getByRole('listitem')
  await expect(trades).toHaveCount(1)
  await expect(trades.first()).toContainText(
    `@${curator.handle} bought ${quoted.shares} YES for ${quoted.credits} credits`,
  )
  const balanceAfter = 995 - Number(quoted.credits.replaceAll(',', ''))
  await expect(page.getByTestId('account-balance')).toHaveText(balanceAfter.toLocaleString('en-US'))
  await page.screenshot({ path: shots('market-after-buy'), fullPage: true })
  await expectAccessible(page)
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: shots('market-after-buy-mobile'), fullPage: true })
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow, 'nothing wider than a phone').toBeLessThanOrEqual(0)
  // Every link of the header is on screen on a phone, none hidden off its right edge.
  const navLinks = page.getByRole('navigation', { name: 'Main' }).getByRole('link')
  await expect(navLinks).toHaveCount(6)
  for (const link of await navLinks.all()) {
    const box = await link.boundingBox()
    expect(box && box.x >= 0 && box.x + box.width <= 390, `${await link.textContent()} is on screen`).toBe(
      true,
    )
  }
  await page.setViewportSize({ width: 1280, height: 720 })

  // The portfolio: balance and the position, valued at the new price.
  await page.getByTestId('account-area').getByRole('link').first().click()
  await page.waitForURL('**/portfolio')
  await expect(page.getByTestId('portfolio-balance')).toHaveText(balanceAfter.toLocaleString('en-US'))
  const position = page.getByTestId('position-row')
  await expect(position).toHaveCount(1)
  await expect(position).toContainText('Tide tables should be open data')
  await expect(position.getByRole('cell').nth(1)).toHaveText(quoted.shares)
  await expect(page.getByTestId('portfolio-trades').getByRole('listitem')).toHaveCount(1)
  await page.screenshot({ path: shots('portfolio'), fullPage: true })
  await expectAccessible(page)

  // The leaderboard ranks the curator by profit: shares marked at the new price are worth more than they cost.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leaderboard' }).click()
  const row = page
    .getByTestId('leaderboard')
    .getByRole('listitem')
    .filter({ hasText: `@${curator.handle}` })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('1 market')
  await expect(row).toContainText(/\+\d/)
  await page.screenshot({ path: shots('leaderboard') })
  await expectAccessible(page)

  // Sign out: the header offers sign-in again on the same page, and the old cookie is dead on the server, not just
  // forgotten.
  const signedOutFrom = new URL(page.url()).pathname
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible()
  expect(new URL(page.url()).pathname).toBe(signedOutFrom)
  expect((await context.cookies()).find((c) => c.name === 'curia_session')).toBeUndefined()
  await context.addCookies([session!])
  await page.goto('/portfolio')
  await expect(page.getByRole('heading', { name: 'Portfolio' })).toBeVisible()
  await expect(page.getByText('Sign in to see your credits and positions.')).toBeVisible()
})

test('a post card shows its market’s probability and trader count, and links to the market', async ({
  page,
  accounts,
  feed,
}) => {
  const author = await accounts.create()
  const post = await author.post({ text: `Forecast me ${randomBytes(3).toString('hex')}` })
  // The candidate policy (engagement threshold 0 in this stack) opens a market on every new post.
  await feed.waitFor([post.uri], (p) => p.market !== null)
  const curator = await accounts.create()
  await signIn(page, curator)
  await page.goto('/')
  const card = page.locator(`article[data-uri="${post.uri}"]`)
  const badge = card.getByTestId('market-badge')
  // Nobody has traded: the opening 50% is nobody's forecast, and the badge says so.
  await expect(badge.getByTestId('market-price')).toHaveText('No forecasts yet')
  await expect(badge.getByTestId('market-traders')).toHaveText('· be the first')

  await badge.click()
  await page.waitForURL(`**/post/${author.did}/${rkeyOf(post.uri)}`)
  // By keyboard: arrow keys move within a radio group, Enter in the amount field submits.
  await page.getByRole('radio', { name: /^YES/ }).focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByRole('radio', { name: /^NO/ })).toBeChecked()
  await expect(page.getByRole('radio', { name: /^NO/ })).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByLabel('Amount to spend (credits)')).toBeFocused()
  await page.keyboard.type('30')
  await expect(page.getByRole('button', { name: 'Buy NO' })).toBeEnabled()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('trade-result')).toContainText('Bought')
  await expect(page.getByTestId('trade-result')).toContainText('NO shares')
  // Enter again sends nothing: the fill cleared the amount (the receipt stays), so a second buy needs a new one.
  await expect(page.getByLabel('Amount to spend (credits)')).toHaveValue('')
  let sent = 0
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.headers()['next-action']) sent += 1
  })
  await page.getByLabel('Amount to spend (credits)').press('Enter')
  await page.waitForTimeout(1_000)
  expect(sent, 'no second order').toBe(0)
  await expect(page.getByTestId('trade-result')).toContainText('Bought')

  await page.goto('/')
  const price = card.getByTestId('market-price')
  await expect(price).toHaveText(/^\d+(\.\d)?% YES$/)
  expect(Number((await price.innerText()).replace('% YES', ''))).toBeLessThan(50)
  await expect(card.getByTestId('market-traders')).toHaveText('1 trader')
  await card.scrollIntoViewIfNeeded()
  await page.screenshot({ path: shots('feed-card-market') })
})

test('the trade form refuses bad amounts with a clear message, and a tampered or unauthenticated form moves nothing', async ({
  page,
  context,
  accounts,
}) => {
  const author = await accounts.create()
  const post = await unindexedPost(author, 'A post to mistype amounts on')
  const curator = await accounts.create()
  await signIn(page, curator)
  await openMarketFor(page, post.uri)
  const balance = await headerBalance(page)
  const amount = page.getByLabel('Amount to spend (credits)')
  const quote = page.getByTestId('trade-quote')
  const buy = page.getByRole('button', { name: 'Buy YES' })

  for (const [typed, message] of [
    ['0', 'The amount to spend must be more than zero.'],
    ['-5', 'must be a plain number of credits with at most six decimals'],
    ['ten', 'must be a plain number of credits with at most six decimals'],
    ['1.0000001', 'must be a plain number of credits with at most six decimals'],
    ['1e3', 'must be a plain number of credits with at most six decimals'],
    ['1,000', 'could mean 1000 or 1.000'],
    ['99999999999', 'The amount to spend is too large'],
    ['5000', `You have ${balance.toLocaleString('en-US')} credits; this buy needs 5000.`],
  ] as const) {
    await amount.fill(typed)
    await expect(quote).toContainText(message)
    await expect(amount).toHaveAttribute('aria-invalid', 'true')
    await expect(buy).toBeDisabled()
  }
  await page.getByRole('radio', { name: 'Sell' }).check()
  await page.getByLabel('YES shares to sell').fill('1')
  await expect(quote).toContainText('You hold 0 YES shares in this market; you cannot sell 1.')
  await page.getByRole('radio', { name: 'Buy' }).check()

  // A form changed behind the page's back (the amount no longer matches its quote) is refused by the server.
  await amount.fill('10')
  await expect(buy).toBeEnabled()
  await page.locator('input[name="amount"]').evaluate((el: HTMLInputElement) => (el.value = '-10'))
  await buy.click()
  await expect(page.getByTestId('trade-result')).toContainText('must be a plain number of credits')
  await amount.fill('12')
  await page
    .locator('input[name="limitValue"]')
    .evaluate((el: HTMLInputElement) => (el.value = String(Number(el.value) / 2)))
  await buy.click()
  await expect(page.getByTestId('trade-result')).toContainText('The price moved')
  // In the panel's terms: the bound to 4 decimals, no float as the form carried it.
  await expect(page.getByTestId('trade-result')).toContainText(/your limit of 0\.\d{4} credits a share/)
  await expect(page.getByTestId('trade-result')).not.toContainText(/\d\.\d{5,}/)
  await page.locator('form[aria-label="Trade"]').screenshot({ path: shots('trade-price-moved') })
  await page.reload()
  expect(await headerBalance(page)).toBe(balance)
  await expect(page.getByTestId('trade-list')).toHaveCount(0)

  // A forged session cookie: the page the curator had open refuses the trade, and nothing moves.
  await amount.fill('10')
  await expect(buy).toBeEnabled()
  const real = (await context.cookies()).find((c) => c.name === 'curia_session')!
  await context.addCookies([{ ...real, value: randomBytes(32).toString('base64url') }])
  await buy.click()
  await expect(page.getByTestId('trade-result')).toHaveText('Your session has ended. Sign in again to trade.')
  await context.addCookies([real])
  await page.reload()
  expect(await headerBalance(page)).toBe(balance)

  // The same submission sent twice (a double click that got through, a retry) is placed once.
  await amount.fill('10')
  await expect(buy).toBeEnabled()
  await page.locator('form[aria-label="Trade"]').evaluate((form: HTMLFormElement) => {
    form.requestSubmit()
    form.requestSubmit()
  })
  await expect(page.getByTestId('trade-result')).toContainText('(already placed; not repeated)')
  await page.reload()
  await expect(page.getByTestId('trade-list').getByRole('listitem')).toHaveCount(1)
})

test('an order the server failed on offers to send the same order again, which is placed once', async ({
  page,
  accounts,
  jury,
}) => {
  const { sql } = jury.database
  const author = await accounts.create()
  const post = await unindexedPost(author, 'A post whose first order meets a failing database')
  const curator = await accounts.create()
  await signIn(page, curator)
  await openMarketFor(page, post.uri)
  const balance = await headerBalance(page)

  // The orders the page sends (a server action's multipart body), to compare the retry with the first send.
  const orders: string[] = []
  page.on('request', (req) => {
    const body = req.method() === 'POST' && req.headers()['next-action'] ? req.postData() : null
    if (body?.includes('idempotencyKey')) orders.push(orderFields(body))
  })

  // The database refuses this curator's trades (a fault on Curia's side, not a refusal of the order).
  const [account] = await sql<{ id: string }[]>`
    select id::text from account where kind = 'curator' and did = ${curator.did}`
  await sql.unsafe(`
    create or replace function e2e_fail_trade() returns trigger language plpgsql as $$
    begin raise exception 'e2e: the database failed this trade'; end $$;
    create trigger e2e_fail_trade before insert on trade for each row
      when (new.account_id = ${Number(account!.id)}) execute function e2e_fail_trade();`)
  try {
    await page.getByLabel('Amount to spend (credits)').fill('10')
    await page.getByRole('button', { name: 'Buy YES' }).click()
    const result = page.getByTestId('trade-result')
    await expect(result).toContainText('the order may or may not have been placed')
    await expect(page.getByTestId('trade-list')).toHaveCount(0)
  } finally {
    await sql.unsafe(
      'drop trigger if exists e2e_fail_trade on trade; drop function if exists e2e_fail_trade();',
    )
  }

  await page.getByRole('button', { name: 'Send the same order again' }).click()
  const receipt = await page.getByTestId('trade-result').filter({ hasText: 'Bought' }).innerText()
  expect(orders).toHaveLength(2)
  expect(orders[0]).toMatch(/amount=10&idempotencyKey=\S+&limitKind=max_average_price&limitValue=/)
  expect(orders[1], 'the retry is the order first sent: amount, bound and idempotency key').toBe(orders[0])

  await page.reload()
  await expect(page.getByTestId('trade-list').getByRole('listitem')).toHaveCount(1)
  expect(await headerBalance(page)).toBeCloseTo(
    balance - Number(fillNumbers(receipt).credits.replaceAll(',', '')),
    2,
  )
})

/** A trade order's fields from a server action's multipart body. */
function orderFields(body: string): string {
  // The form's fields are `_<n>_<name>`; the other parts (the form's previous state) are not the order.
  const fields = [...body.matchAll(/name="_\d+_(\w+)"\r\n\r\n([^\r]*)/g)].map(
    ([, name, value]) => `${name}=${value}`,
  )
  return fields.sort().join('&')
}

test('a profit from a sale is held until its market settles: the portfolio says so, and buying elsewhere cannot spend it', async ({
  page,
  accounts,
  jury,
}) => {
  const author = await accounts.create()
  const first = await unindexedPost(author, 'A post whose price a curator sells into')
  const second = await unindexedPost(author, 'A post the same curator would like to buy')
  const curator = await accounts.create()
  await signIn(page, curator)
  await openMarketFor(page, first.uri)
  await page.getByLabel('Amount to spend (credits)').fill('100')
  await page.getByRole('button', { name: 'Buy YES' }).click()
  await expect(page.getByTestId('trade-result')).toContainText('Bought')

  // Another curator pushes YES up (through the trade service, on the stack's database).
  const [market] = await jury.database.sql<{ id: number }[]>`
    select id::int from market where post_uri = ${first.uri}`
  const whale = `did:plc:e2ewhale${randomBytes(6).toString('hex')}`
  await grantStartingCredits(jury.database, { did: whale, amountMicro: 2_000n * MICRO, now: new Date() })
  await buyAtAnyPrice(jury.database, DEFAULT_MARKET_PARAMS, {
    did: whale,
    marketId: market!.id,
    outcome: 'yes',
    credits: 1_500n,
    now: new Date(),
  })

  await page.reload()
  await page.getByRole('radio', { name: 'Sell' }).check()
  await page.getByRole('button', { name: /^All / }).click()
  await page.getByRole('button', { name: 'Sell YES' }).click()
  const sold = await page.getByTestId('trade-result').filter({ hasText: 'Sold' }).innerText()
  const proceeds = Number(/for ([\d,.]+) credits/.exec(sold)![1]!.replaceAll(',', ''))
  expect(proceeds).toBeGreaterThan(100)
  const held = proceeds - 100

  await page.goto('/portfolio')
  await expect(page.getByTestId('portfolio-held')).toContainText('held until those markets settle')

  // Elsewhere, the quote refuses what only the held profit could pay for, before anything is sent.
  await openMarketFor(page, second.uri)
  const balance = await headerBalance(page)
  await page.getByLabel('Amount to spend (credits)').fill(String(Math.floor(balance - held) + 1))
  await expect(page.getByTestId('trade-quote')).toContainText('sale proceeds held until their markets settle')
  await expect(page.getByRole('button', { name: 'Buy YES' })).toBeDisabled()
  await page.getByLabel('Amount to spend (credits)').fill(String(Math.floor(balance - held) - 1))
  await expect(page.getByRole('button', { name: 'Buy YES' })).toBeEnabled()
  await page.getByRole('button', { name: 'Buy YES' }).click()
  await expect(page.getByTestId('trade-result')).toContainText('Bought')
})

test('a cross-site form post is refused: no trade, no balance change', async ({ page, accounts }) => {
  const { webUrl } = readStack()
  const author = await accounts.create()
  const post = await unindexedPost(author, 'A post someone wants you to bet on')
  const curator = await accounts.create()
  await signIn(page, curator)
  await openMarketFor(page, post.uri)
  const postPage = page.url()

  // One genuine trade, to learn the action's id and request shape the page uses.
  await page.getByLabel('Amount to spend (credits)').fill('5')
  const [genuine] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined),
    page.getByRole('button', { name: 'Buy YES' }).click(),
  ])
  await expect(page.getByTestId('trade-result')).toContainText('Bought')
  const actionId = genuine.headers()['next-action']!
  const body = genuine.postDataBuffer()!
  const oldKey = /t-[0-9a-f]{32}/.exec(body.toString('latin1'))![0]
  const replay = (origin: Record<string, string>) => {
    const key = `t-${randomBytes(16).toString('hex')}` // a new trade each time, same length
    return page.request.post(postPage, {
      headers: {
        'next-action': actionId,
        'content-type': genuine.headers()['content-type']!,
        accept: 'text/x-component',
        ...origin,
      },
      // The genuine request's bound was the quote before its own trade; 1 accepts any price, so a replay that got
      // through would trade.
      data: Buffer.from(
        body
          .toString('latin1')
          .replace(oldKey, key)
          .replace(/(name="[^"]*limitValue"\r\n\r\n)[^\r]*/, (_, head: string) => `${head}1`),
        'latin1',
      ),
      failOnStatusCode: false,
    })
  }
  const balanceNow = async () => {
    await page.goto(postPage)
    return headerBalance(page)
  }
  const start = await balanceNow()

  // Control: the same request from our own origin is a real trade (so the refusals below are the origin's doing).
  const control = await replay({ origin: webUrl, 'sec-fetch-site': 'same-origin' })
  expect(control.status()).toBe(200)
  const afterControl = await balanceNow()
  expect(afterControl).toBeLessThan(start)

  // From another site (Next refuses it), with no Origin at all, or marked cross-site by the browser (Curia does).
  const fromEvil = await replay({ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })
  expect(fromEvil.status()).not.toBe(200)
  const noOrigin = await replay({})
  expect(await noOrigin.text()).toContain('This request did not come from Curia.')
  const crossSite = await replay({ origin: webUrl, 'sec-fetch-site': 'cross-site' })
  expect(await crossSite.text()).toContain('This request did not come from Curia.')
  expect(await balanceNow()).toBe(afterControl)

  // A real browser on another site auto-submitting a form at Curia: SameSite=Lax withholds the session cookie,
  // and the Origin check refuses the action.
  await page.route('http://evil.example/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><form method="post" enctype="multipart/form-data" action="${postPage}">
        <input name="$ACTION_ID_${actionId}" value="">
        <input name="marketId" value="1"><input name="side" value="buy"><input name="outcome" value="yes">
        <input name="amount" value="100"><input name="limitKind" value="max_average_price">
        <input name="limitValue" value="1"><input name="idempotencyKey" value="evil-${randomBytes(8).toString('hex')}">
      </form><script>document.forms[0].submit()</script>`,
    }),
  )
  const navigation = page.waitForURL((url) => url.href.startsWith(postPage))
  await page.goto('http://evil.example/bet')
  await navigation
  expect(await balanceNow()).toBe(afterControl)
  await expect(page.getByTestId('trade-list').getByRole('listitem')).toHaveCount(2)
})

test('a sign-in that comes back to a different browser is refused (login CSRF)', async ({
  page,
  context,
  accounts,
}) => {
  const mallory = await accounts.create()
  // Login CSRF: Mallory completes a sign-in with her own account and gets a victim's browser to load the callback,
  // hoping to sign the victim in as her. The victim's browser holds no login nonce, or the nonce of a sign-in of
  // its own, never the one this sign-in's state was bound to. Here the browser's nonce is swapped for another one
  // between the start and the callback (Playwright cannot hold back the PDS's redirect to replay it elsewhere).
  await page.goto('/sign-in')
  await page.getByLabel('Your handle').fill(mallory.handle)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL((url) => url.origin === new URL(readStack().pdsUrl).origin)
  const nonce = (await context.cookies()).find((c) => c.name === 'curia_login')
  expect(nonce, 'sign-in sets a login nonce').toMatchObject({ httpOnly: true, sameSite: 'Lax' })
  await context.addCookies([{ ...nonce!, value: randomBytes(24).toString('base64url') }])
  await approveOnPds(page, mallory)

  await expect(page).toHaveURL(/\/sign-in\?error=mismatch/)
  await expect(page.getByRole('main').getByRole('alert')).toContainText('came back to a different browser')
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible()
  expect((await context.cookies()).find((c) => c.name === 'curia_session')).toBeUndefined()
  await page.screenshot({ path: shots('sign-in-mismatch') })

  // Starting again in the same browser works: the refusal left nothing behind.
  await signIn(page, mallory)
})

test('a post page for what is not a post, or a post Curia does not have, is a 404', async ({ request }) => {
  for (const path of [
    '/post/not-a-did/3kq2abcd',
    '/post/did:plc:abcdefghijklmnopqrstuvwx/..%2F..%2Fetc',
    '/post/did:plc:abcdefghijklmnopqrstuvwx/3kq2nothere',
  ]) {
    const res = await request.get(path)
    expect(res.status(), path).toBe(404)
  }
})
