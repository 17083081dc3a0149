import { accessibilityViolations } from '../src/axe'
import { expect, signIn, test } from '../src/fixtures'

/**
 * Every page a reader, curator or juror reaches, checked by axe-core against WCAG 2.1 A and AA in Chromium, signed
 * out and signed in, in the light and the dark colour scheme: no serious or critical violation (contrast, names,
 * labels, landmarks, ARIA). A failure lists each rule with the elements that break it. The pages full of a market's
 * trades, a ballot or a closed round are checked where the market and jury specs reach them (`expectAccessible`).
 */
test('pages pass axe (WCAG 2.1 AA) in light and dark, signed out and signed in', async ({
  page,
  accounts,
  feed,
}) => {
  test.setTimeout(180_000)
  const author = await accounts.create({ displayName: 'Axe Author' })
  const post = await author.post({
    text: 'Accessible tide tables: https://example.com/tides',
    image: { alt: 'A chart of the tides' },
  })
  await feed.waitFor([post.uri])
  const rkey = post.uri.split('/').pop()!
  const signedOut = [
    '/',
    '/about',
    '/leaderboard',
    '/leaderboard?by=skill',
    '/jury',
    '/jury/rounds',
    '/sign-in',
  ]
  const signedIn = [
    '/',
    '/open',
    '/portfolio',
    '/jury',
    `/post/${author.did}/${rkey}`,
    `/curator/${author.did}`,
  ]

  const found: string[] = []
  const check = async (paths: string[]) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      for (const path of paths) {
        await page.goto(path)
        await expect(page.locator('main')).toBeVisible()
        for (const v of await accessibilityViolations(page)) found.push(`${path} [${scheme}] ${v}`)
      }
    }
  }
  await check(signedOut)
  const curator = await accounts.create({ displayName: 'Axe Curator' })
  await signIn(page, curator)
  await check(signedIn)
  expect(found, found.join('\n')).toEqual([])
})
