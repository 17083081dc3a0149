import { signIn } from '../src/fixtures'
import { expect, test } from '../src/jury'

/**
 * MECHANISM.md: every impression the feed serves adds to the market's exposure, which weighs the jury's sample. The
 * reader's page serves the same ranked feed as the Bluesky feed generator, so its impressions count too; an
 * impression is one viewer seeing one post, so reading the same page again and again does not inflate it. Nothing
 * in this spec asks the feed generator for anything: the post is only ever served by the web app. Signed out, a
 * viewer is an address, read from X-Forwarded-For only as far as the trusted proxies in front wrote it.
 */
test('posts the reader serves count toward their exposure, once per viewer', async ({
  page,
  accounts,
  feed,
  jury,
}) => {
  const someone = await accounts.create()
  const reader = await accounts.create()
  const post = await someone.post({ text: 'Counted when it is read on Curia itself' })
  const exposure = async () => {
    const [row] = await jury.database.sql<{ n: number }[]>`
      select coalesce(sum(e.impressions), 0)::int as n
      from feed_exposure e join post p on p.id = e.post_id where p.uri = ${post.uri}`
    return row!.n
  }
  // feed.waitFor polls /api/feed, the reader's own feed, signed out, until the post has its market: however many
  // times it asked, that is one viewer (impressions are flushed every few seconds).
  await feed.waitFor([post.uri], (p) => p.market !== null)
  await expect.poll(exposure, { timeout: 30_000 }).toBe(1)
  await page.goto('/')
  await expect(page.locator(`article[data-uri="${post.uri}"]`)).toBeVisible()

  // A signed-in reader is a viewer of their own.
  await signIn(page, reader)
  await page.goto('/')
  await expect(page.locator(`article[data-uri="${post.uri}"]`)).toBeVisible()
  await expect.poll(exposure, { timeout: 30_000 }).toBe(2)
  await page.reload()
  await expect(page.locator(`article[data-uri="${post.uri}"]`)).toBeVisible()
  await page.waitForTimeout(6_000) // past the next flush: the reload and the signed-out reads added nothing
  expect(await exposure()).toBe(2)

  // Signed-out readers behind the trusted proxy (the stack runs with CURIA_TRUSTED_PROXY_HOPS=1; these requests
  // play the proxy, appending the address it saw): each address is a viewer, an IPv6 reader by their /64, and what a
  // client writes into X-Forwarded-For ahead of the proxy's entry makes no new viewer.
  const readVia = (forwardedFor: string) => feed.all({ headers: { 'x-forwarded-for': forwardedFor } })
  const served = await readVia('198.51.100.7')
  expect(served.some((p) => p.uri === post.uri)).toBe(true)
  await readVia('6.6.6.6, 198.51.100.7')
  await readVia('7.7.7.7, 198.51.100.7:40123')
  await expect.poll(exposure, { timeout: 30_000 }).toBe(3)
  await readVia('2001:db8:1:2::5')
  await readVia('8.8.8.8, [2001:db8:1:2:aaaa::9]:443')
  await expect.poll(exposure, { timeout: 30_000 }).toBe(4)
  await page.waitForTimeout(6_000)
  expect(await exposure()).toBe(4)
})
