import { signIn } from '../src/fixtures'
import { expect, test } from '../src/jury'

/**
 * MECHANISM.md: every impression the feed serves adds to the market's exposure, which weighs the jury's sample. The
 * reader's page serves the same ranked feed as the Bluesky feed generator, so its impressions count too; an
 * impression is one viewer seeing one post, so reading the same page again and again does not inflate it. Nothing
 * in this spec asks the feed generator for anything: the post is only ever served by the web app.
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
})
