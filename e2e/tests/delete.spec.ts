import { expect, signIn, test } from '../src/fixtures'

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

test('a position on a post deleted afterwards stays in the portfolio, named in words, not by its at:// URI', async ({
  page,
  accounts,
  feed,
}) => {
  const author = await accounts.create()
  const doomed = await author.post({ text: 'A post a curator holds shares in, then deleted' })
  await feed.waitFor([doomed.uri])
  const curator = await accounts.create()
  await signIn(page, curator)
  await page.goto(`/post/${author.did}/${doomed.uri.split('/').pop()}`)
  await page.getByLabel('Amount to spend (credits)').fill('5')
  await page.getByRole('button', { name: 'Buy YES' }).click()
  await expect(page.getByTestId('trade-result')).toContainText('Bought')

  await author.deletePost(doomed.uri)
  const position = page.getByTestId('position-row')
  await expect(async () => {
    await page.goto('/portfolio')
    await expect(position).toContainText('A post Curia no longer shows', { timeout: 1_000 })
  }).toPass({ timeout: 45_000 })
  await expect(position).toHaveCount(1)
  await expect(page.getByTestId('portfolio-trades').getByRole('listitem')).toContainText(
    'A post Curia no longer shows',
  )
  await expect(page.getByText(doomed.uri)).toHaveCount(0)
})
