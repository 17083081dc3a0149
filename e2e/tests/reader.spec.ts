import { expect, test } from '../src/fixtures'

test('shows a post made on the local PDS: author, text with links and mentions, image with alt text', async ({
  page,
  accounts,
  feed,
}) => {
  const ada = await accounts.create({ displayName: 'Ada Reader' })
  const friend = await accounts.create({ displayName: 'A Friend' })
  const alt = 'A blue square standing in for a photo of the harbour at dawn'
  // Emoji before the link and the mention: their facets index UTF-8 bytes, and must still land on the right words.
  const text = `🌊🦋 Tide tables for the coast: https://example.com/tides — thanks @${friend.handle}!`
  const post = await ada.post({ text, image: { alt } })
  await feed.waitFor(
    [post.uri],
    (p) => p.author.handle === ada.handle && p.author.displayName === 'Ada Reader',
  )

  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Curia feed' })).toBeAttached()
  await expect(page.getByRole('banner')).toContainText('Curia')
  const card = page.locator(`article[data-uri="${post.uri}"]`)
  await expect(card).toBeVisible()

  await expect(card.getByRole('link', { name: 'Ada Reader' })).toHaveAttribute(
    'href',
    `https://bsky.app/profile/${ada.did}`,
  )
  await expect(card).toContainText(`@${ada.handle}`)
  await expect(card).toContainText(text)

  const link = card.getByRole('link', { name: 'https://example.com/tides' })
  await expect(link).toHaveAttribute('href', 'https://example.com/tides')
  await expect(link).toHaveAttribute('target', '_blank')
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow ugc')
  await expect(card.getByRole('link', { name: `@${friend.handle}` })).toHaveAttribute(
    'href',
    `https://bsky.app/profile/${friend.did}`,
  )

  // The image comes from the PDS through CURIA_BLOB_URL_TEMPLATE and really loads.
  const image = card.getByRole('img', { name: alt })
  await expect(image).toBeVisible()
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(64)
  // Alt text is visible to sighted readers too, behind the ALT badge.
  await card.locator('summary', { hasText: 'ALT' }).click()
  await expect(card.locator('figcaption')).toBeVisible()
  await expect(card.locator('figcaption')).toHaveText(alt)

  const rkey = post.uri.split('/').pop()
  await expect(card.getByRole('link', { name: 'Open on Bluesky' })).toHaveAttribute(
    'href',
    `https://bsky.app/profile/${ada.did}/post/${rkey}`,
  )
  await expect(card.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/)
  await expect(card.getByTestId('like-count')).toContainText('0')

  // Responsive: nothing is wider than the viewport (a long handle, a URL, an image).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
})

test('the skip link moves keyboard focus past the header to the feed', async ({ page, accounts, feed }) => {
  const someone = await accounts.create()
  const post = await someone.post({ text: 'Something to skip to' })
  await feed.waitFor([post.uri])
  await page.goto('/')
  await page.keyboard.press('Tab')
  const skip = page.getByRole('link', { name: 'Skip to content' })
  await expect(skip).toBeFocused()
  await expect(skip).toBeVisible()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Tab')
  // The next stop is inside the first post, not the header's navigation.
  await expect(page.locator('article').first().locator(':focus')).toHaveCount(1)
})
