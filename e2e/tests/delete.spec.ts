import { expect, test } from '../src/fixtures'

test('a post deleted on the PDS disappears from the page after a reload', async ({
  page,
  accounts,
  feed,
}) => {
  const author = await accounts.create()
  const keep = await author.post({ text: 'This post stays in the feed' })
  const doomed = await author.post({ text: 'This post is about to be deleted' })
  await feed.waitFor([keep.uri, doomed.uri])

  await page.goto('/')
  const doomedCard = page.locator(`article[data-uri="${doomed.uri}"]`)
  await expect(doomedCard).toBeVisible()

  // The delete travels PDS -> relay -> indexer (tombstone) -> the page's hydrate step, which skips it.
  await author.deletePost(doomed.uri)
  await expect(async () => {
    await page.reload()
    await expect(page.locator(`article[data-uri="${keep.uri}"]`)).toBeVisible({ timeout: 5_000 })
    await expect(doomedCard).toHaveCount(0, { timeout: 1_000 })
  }).toPass({ timeout: 45_000 })
  await expect(page.getByText('This post is about to be deleted')).toHaveCount(0)
})
