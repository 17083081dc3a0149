import type { Page } from '@playwright/test'
import { expect, test, type AccountFactory, type FeedClient } from '../src/fixtures'

/** What the reader's page renders first and asks for on each scroll (web/lib/feed-types.ts FEED_PAGE_SIZE). */
const PAGE_SIZE = 20

/** Makes sure the feed holds more than one page, and returns the URIs this call made. */
async function fillFeed(accounts: AccountFactory, feed: FeedClient, count: number): Promise<string[]> {
  const poster = await accounts.create()
  const uris: string[] = []
  for (let i = 1; i <= count; i++)
    uris.push((await poster.post({ text: `Scroll post ${i} of ${count}` })).uri)
  await feed.waitFor(uris)
  return uris
}

async function shownUris(page: Page): Promise<string[]> {
  return page.locator('article').evaluateAll((els) => els.map((el) => el.getAttribute('data-uri') ?? ''))
}

test('scrolling loads further pages on the same cursor, with no post twice', async ({
  page,
  accounts,
  feed,
}) => {
  const mine = await fillFeed(accounts, feed, PAGE_SIZE + 5)

  // Every post the browser received from /api/feed, in order.
  const pending: Promise<string[]>[] = []
  page.on('response', (res) => {
    if (new URL(res.url()).pathname === '/api/feed') {
      pending.push(res.json().then((body: { posts: { uri: string }[] }) => body.posts.map((p) => p.uri)))
    }
  })

  await page.goto('/')
  await expect(page.locator('article')).toHaveCount(PAGE_SIZE)
  const firstPage = await shownUris(page)

  const end = page.getByText('You’re all caught up.')
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    await expect(end).toBeVisible({ timeout: 1_000 })
  }).toPass({ timeout: 60_000 })

  const shown = await shownUris(page)
  expect(shown.length).toBeGreaterThan(PAGE_SIZE)
  expect(new Set(shown).size).toBe(shown.length)
  expect(shown).toEqual(expect.arrayContaining(mine))
  expect(shown.slice(0, PAGE_SIZE)).toEqual(firstPage)

  // Not only the screen: the server itself never sent a post twice across the first page and the scroll pages.
  const fetched = (await Promise.all(pending)).flat()
  expect(fetched.length).toBeGreaterThan(0)
  const served = [...firstPage, ...fetched]
  expect(new Set(served).size).toBe(served.length)
  expect(served).toEqual(shown)
})

test('"Load more" works from the keyboard when there is no IntersectionObserver', async ({
  page,
  accounts,
  feed,
}) => {
  if ((await feed.all()).length <= PAGE_SIZE) await fillFeed(accounts, feed, PAGE_SIZE + 1)
  // Without the observer only the button can load more: this proves the fallback path on its own.
  await page.addInitScript(() => {
    Reflect.deleteProperty(window, 'IntersectionObserver')
  })
  await page.goto('/')
  await expect(page.locator('article')).toHaveCount(PAGE_SIZE)

  const button = page.getByRole('button', { name: 'Load more' })
  await button.focus()
  await expect(button).toBeFocused()
  await page.keyboard.press('Enter')
  await expect.poll(() => page.locator('article').count()).toBeGreaterThan(PAGE_SIZE)
  const shown = await shownUris(page)
  expect(new Set(shown).size).toBe(shown.length)
})
