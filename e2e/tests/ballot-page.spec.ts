import type { Page } from '@playwright/test'
import { expect, releaseProver, test, type NodeJuror } from '../src/jury'

/**
 * The ballot page, beyond the vote itself (jury.spec.ts): it must not tell the image host which posts a juror
 * judges (each ballot covers the posts assigned to its nullifier, which anyone can recompute from the export after
 * close, so a page that loaded only the shown cards' images would hand the host, Bluesky's CDN in production, one
 * address fetching exactly one ballot's posts); and it tells a juror admitted after the round opened that this
 * round is not theirs before they judge anything.
 */

test.afterAll(releaseProver)

/** Puts a Node juror's identity on the page's device, as enrolling in this browser would have. */
async function holdIdentity(page: Page, juror: NodeJuror): Promise<void> {
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
}

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
  await holdIdentity(page, juror)

  const requested: string[] = []
  page.on('request', (r) => {
    if (r.resourceType() === 'image') requested.push(r.url())
  })
  await page.goto(`/jury/rounds/${round.id}/ballot`)
  // The page shows this juror's one post...
  await expect(page.getByTestId('ballot-assignment')).toContainText('1 of the')
  await expect(page.getByTestId('ballot-post')).toHaveCount(1)
  await expect(page.getByTestId('ballot-not-member')).toHaveCount(0)
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

test('a juror admitted after the round opened is told at once that this round is not theirs', async ({
  page,
  accounts,
  feed,
  jury,
}) => {
  test.setTimeout(180_000)
  const author = await accounts.create({ displayName: 'Lou Late' })
  const ref = await author.post({ text: 'A post for a round that opened before the juror joined' })
  const [served] = await feed.waitFor([ref.uri], (p) => p.market !== null)
  // One member when the round opens (so it has a root), and one admitted after.
  await jury.allowlistedJuror('early')
  const round = await jury.openVotingRound([served!.market!.marketId], { quorum: 1 })
  const late = await jury.allowlistedJuror('late')
  await holdIdentity(page, late)

  await page.goto(`/jury/rounds/${round.id}/ballot`)
  await expect(page.getByTestId('ballot-not-member')).toContainText(
    `not a member of the jury when round ${round.id} opened`,
  )
  await expect(page.getByRole('button', { name: 'Prove and send ballot' })).toBeDisabled()
  await expect(page.getByRole('radio', { name: 'Endorse' })).toBeDisabled()
})
