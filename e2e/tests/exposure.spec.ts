import { expect, test } from '../src/jury'

/**
 * MECHANISM.md: every impression the feed serves adds to the market's exposure, which weighs the jury's sample. The
 * reader's page serves the same ranked feed as the Bluesky feed generator, so its impressions count too. Nothing in
 * this spec asks the feed generator for anything: the post is only ever served by the web app.
 */
test('posts the reader serves count toward their exposure, as the Bluesky feed generator does', async ({
  page,
  accounts,
  feed,
  jury,
}) => {
  const someone = await accounts.create()
  const post = await someone.post({ text: 'Counted when it is read on Curia itself' })
  await feed.waitFor([post.uri], (p) => p.market !== null)
  const exposure = async () => {
    const [row] = await jury.database.sql<{ n: number }[]>`
      select coalesce(sum(e.impressions), 0)::int as n
      from feed_exposure e join post p on p.id = e.post_id where p.uri = ${post.uri}`
    return row!.n
  }
  // feed.waitFor reads /api/feed, the reader's own feed: those pages are impressions (flushed every few seconds).
  await expect.poll(exposure, { timeout: 30_000 }).toBeGreaterThan(0)
  const before = await exposure()
  await page.goto('/')
  await expect(page.locator(`article[data-uri="${post.uri}"]`)).toBeVisible()
  await expect.poll(exposure, { timeout: 30_000 }).toBeGreaterThan(before)
})
