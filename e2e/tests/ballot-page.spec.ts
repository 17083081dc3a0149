import { expect, releaseProver, test } from '../src/jury'

/**
 * The ballot page must not tell the image host which posts a juror judges. Each ballot covers the posts assigned to
 * its nullifier, which anyone can recompute from the export after close; a page that loaded only the shown cards'
 * images would hand the host (Bluesky's CDN in production) one address fetching exactly one ballot's posts.
 */

test.afterAll(releaseProver)

test('the ballot page loads every sampled post’s images, whichever posts the juror is assigned', async ({
  page,
  accounts,
  feed,
  jury,
}) => {
  test.setTimeout(180_000)
  const author = await accounts.create({ displayName: 'Pia Pictures' })
  const colors = [
    [200, 40, 40],
    [40, 160, 60],
    [40, 60, 200],
  ] as const
  const refs = await Promise.all(
    colors.map((color, i) =>
      author.post({ text: `Tide pool photo ${i + 1}`, image: { alt: `tide pool ${i + 1}`, color } }),
    ),
  )
  const served = await feed.waitFor(
    refs.map((r) => r.uri),
    (p) => p.market !== null,
  )
  const postImages = served.flatMap((p) => p.images.map((i) => i.url))
  expect(new Set(postImages).size, 'three different images').toBe(3)

  // A juror whose identity is on this device, and a round whose ballots cover one post each.
  const juror = await jury.allowlistedJuror('pictures')
  const round = await jury.openVotingRound(
    served.map((p) => p.market!.marketId),
    { quorum: 1, postsPerBallot: 1 },
  )
  const stored = [
    {
      privateKey: juror.identity.export(),
      commitment: juror.identity.commitment.toString(),
      did: juror.did,
      createdAt: new Date().toISOString(),
    },
  ]
  await page.addInitScript((value) => {
    localStorage.setItem('curia.jury.identities.v1', value)
  }, JSON.stringify(stored))

  const requested: string[] = []
  page.on('request', (r) => {
    if (r.resourceType() === 'image') requested.push(r.url())
  })
  await page.goto(`/jury/rounds/${round.id}/ballot`)
  // The page shows this juror's one post...
  await expect(page.getByTestId('ballot-assignment')).toContainText('1 of the')
  await expect(page.getByTestId('ballot-post')).toHaveCount(1)
  const shownImage = page.getByTestId('ballot-post').getByRole('img', { name: /tide pool/ })
  await expect
    .poll(() => shownImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(64)

  // ...but the host was asked for all three posts' images, each once: the shown card asked for nothing more.
  await expect.poll(() => postImages.filter((url) => !requested.includes(url))).toEqual([])
  for (const url of postImages) {
    expect(
      requested.filter((r) => r === url),
      'each image is fetched once',
    ).toHaveLength(1)
  }
})
