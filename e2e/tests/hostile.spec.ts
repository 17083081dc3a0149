import { expect, test } from '../src/fixtures'

declare global {
  interface Window {
    __pwned?: number
  }
}

test('renders hostile post text, names and link facets inertly', async ({ page, accounts, feed }) => {
  const mallory = await accounts.create({ displayName: '<img src=x onerror="window.__pwned=1">Mallory' })
  const text =
    '<img src=x onerror="window.__pwned=2;alert(2)"> <script>window.__pwned=3;alert(3)</script> click me for prizes'
  const post = await mallory.post({
    text,
    links: [{ anchor: 'click me', uri: 'javascript:window.__pwned=4;alert(4)' }],
  })
  await feed.waitFor([post.uri], (p) => p.author.displayName !== null)

  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.goto('/')
  const card = page.locator(`article[data-uri="${post.uri}"]`)
  await expect(card).toBeVisible()

  // The markup is shown as the characters the author typed...
  await expect(card).toContainText('<img src=x onerror="window.__pwned=2;alert(2)">')
  await expect(card).toContainText('<script>window.__pwned=3;alert(3)</script>')
  await expect(card.getByRole('link', { name: /Mallory/ })).toContainText(
    '<img src=x onerror="window.__pwned=1">',
  )
  // ...and never becomes elements.
  await expect(card.locator('img[src="x"], script')).toHaveCount(0)
  await expect(page.locator('img[src="x"]')).toHaveCount(0)

  // The javascript: facet is plain text, not a link; no link anywhere on the page uses that scheme.
  await expect(card.getByText('click me')).toBeVisible()
  await expect(card.locator('a', { hasText: 'click me' })).toHaveCount(0)
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0)
  await card.getByText('click me').click()

  expect(await page.evaluate(() => window.__pwned)).toBeUndefined()
  expect(dialogs).toEqual([])
})

test('a quote shows the post it quotes inside its card, inertly, as one link to that post', async ({
  page,
  accounts,
  feed,
}) => {
  const mallory = await accounts.create({ displayName: '<b>Mallory</b>' })
  const quoter = await accounts.create({ displayName: 'Quoting Quinn' })
  const alt = 'A chart of the tide at dawn'
  const hostile = '<script>window.__pwned=5</script> see https://example.com/tides'
  const quoted = await mallory.post({
    text: hostile,
    image: { alt },
    links: [{ anchor: 'see', uri: 'javascript:window.__pwned=6' }],
  })
  const quote = await quoter.post({ text: 'Worth reading, with a grain of salt.', quote: quoted })
  await feed.waitFor([quote.uri], (p) => p.quote?.post?.text === hostile)

  await page.goto('/')
  const card = page.locator(`article[data-uri="${quote.uri}"]`)
  await expect(card).toContainText('Worth reading, with a grain of salt.')
  const box = card.getByTestId('quote')
  const rkey = quoted.uri.split('/').pop()
  await expect(box).toHaveAttribute('href', `https://bsky.app/profile/${mallory.did}/post/${rkey}`)
  // The quoted author, their text and their image, all as text and pictures: no element from the record, and
  // nothing inside the card is a link of its own (the quoted text's link and javascript: facet are plain text).
  await expect(box).toContainText('<b>Mallory</b>')
  await expect(box).toContainText(`@${mallory.handle}`)
  await expect(box).toContainText(hostile)
  await expect(box.locator('a, script, b')).toHaveCount(0)
  const image = box.getByRole('img', { name: alt })
  await expect(image).toBeVisible()
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0)
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined()

  // Mallory deletes the quoted post: the quote stays, and what she wrote is no longer shown in it.
  await mallory.agent.deletePost(quoted.uri)
  await feed.waitFor([quote.uri], (p) => p.quote?.post === null)
  await page.reload()
  await expect(card.getByTestId('quote')).toContainText('Quotes a post')
  await expect(card).not.toContainText('window.__pwned')
})

test('serves the security headers: a CSP without unsafe-eval, nosniff, a referrer policy', async ({
  request,
}) => {
  const res = await request.get('/')
  expect(res.status()).toBe(200)
  const csp = res.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self'")
  expect(csp).not.toContain('unsafe-eval')
  expect(csp).toContain("object-src 'none'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(res.headers()['x-content-type-options']).toBe('nosniff')
  expect(res.headers()['referrer-policy']).toBe('strict-origin-when-cross-origin')
  // The image policy names the blob server the running app was given (this network's PDS, plain http).
  expect(csp).toMatch(/img-src [^;]*http:\/\/localhost:\d+/)
})

test('the feed API refuses a crafted cursor or page size with a clear 400', async ({ request }) => {
  for (const cursor of ['garbage', '999999999:0', "1:0' or '1'='1"]) {
    const res = await request.get(`/api/feed?cursor=${encodeURIComponent(cursor)}`)
    expect(res.status()).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'bad_cursor', message: expect.any(String) })
  }
  const res = await request.get('/api/feed?limit=100000')
  expect(res.status()).toBe(400)
  expect(await res.json()).toMatchObject({ error: 'bad_request' })
})

test('a path whose percent-encoding does not decode is a 400 with the security headers, not a server error', async ({
  request,
}) => {
  for (const path of ['/post/x/%E0%A4%A', '/%E0%A4%A', '/curator/%ZZ', '/api/feed/%C0']) {
    const res = await request.get(path)
    expect(res.status(), path).toBe(400)
    expect(await res.text()).toContain('not valid percent-encoding')
    expect(res.headers()['x-content-type-options']).toBe('nosniff')
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
  }
})

test('malformed and hostile page paths are a 404 page, never a server error', async ({ request }) => {
  const paths = [
    '/post/not-a-did/3kq2abcd',
    `/post/did:plc:abc/${'x'.repeat(5000)}`,
    '/post/did:plc:abc/%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    '/post/%00/%00',
    '/post/did:plc:abc%2F..%2F..%2Fjury/x',
    '/curator/not-a-did',
    `/curator/did:plc:${'z'.repeat(5000)}`,
    '/curator/did:plc:abc%00',
    '/jury/rounds/abc',
    '/jury/rounds/99999999999999999999999',
    '/jury/rounds/-1',
  ]
  for (const path of paths) {
    const res = await request.get(path)
    expect([400, 404], `${path.slice(0, 80)} answered ${res.status()}`).toContain(res.status())
  }
})
