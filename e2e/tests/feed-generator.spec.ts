import type { APIRequestContext } from '@playwright/test'
import { expect, test } from '../src/fixtures'

/**
 * The Bluesky side of the same stack: what a Bluesky client's AppView gets from Curia's feed generator for posts
 * made on the local PDS (the AppView hop itself is tested in curation/test/feed-generator.test.ts).
 */
async function skeletonUris(request: APIRequestContext, feedUrl: string): Promise<string[]> {
  const described = (await (
    await request.get(`${feedUrl}/xrpc/app.bsky.feed.describeFeedGenerator`)
  ).json()) as {
    feeds: { uri: string }[]
  }
  const feed = described.feeds[0]!.uri
  const uris: string[] = []
  let cursor: string | undefined
  do {
    const params = new URLSearchParams({ feed, limit: '100', ...(cursor ? { cursor } : {}) })
    const res = await request.get(`${feedUrl}/xrpc/app.bsky.feed.getFeedSkeleton?${params}`)
    expect(res.status()).toBe(200)
    const body = (await res.json()) as { feed: { post: string; feedContext: string }[]; cursor?: string }
    for (const item of body.feed) expect(item.feedContext).toMatch(/^s\d+r\d+x?$/)
    uris.push(...body.feed.map((f) => f.post))
    cursor = body.cursor
  } while (cursor)
  return uris
}

test('posts made on the PDS reach getFeedSkeleton, once each, and leave it when deleted', async ({
  stack,
  accounts,
  request,
}) => {
  const doc = (await (await request.get(`${stack.feedUrl}/.well-known/did.json`)).json()) as {
    id: string
    service: { id: string; type: string }[]
  }
  expect(doc.id).toMatch(/^did:web:/)
  expect(doc.service[0]).toMatchObject({ id: '#bsky_fg', type: 'BskyFeedGenerator' })

  const author = await accounts.create()
  const kept = await author.post({ text: 'Served to Bluesky clients through the feed generator' })
  const doomed = await author.post({ text: 'Served, then deleted on the PDS' })
  await expect(async () => {
    const uris = await skeletonUris(request, stack.feedUrl)
    expect(uris).toEqual(expect.arrayContaining([kept.uri, doomed.uri]))
    expect(new Set(uris).size).toBe(uris.length)
  }).toPass({ timeout: 45_000 })

  await author.deletePost(doomed.uri)
  await expect(async () => {
    const uris = await skeletonUris(request, stack.feedUrl)
    expect(uris).toContain(kept.uri)
    expect(uris).not.toContain(doomed.uri)
  }).toPass({ timeout: 45_000 })
})
