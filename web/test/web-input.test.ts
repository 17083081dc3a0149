import { describe, expect, it } from 'vitest'
import { formatCredits, formatPercent, formatSignedCredits } from '../lib/credits'
import { postPath, postUriFromPath } from '../lib/post-path'
import { loginNonceCookie, sessionCookie } from '../server/auth/cookies'
import { parseSignInIdentifier, safeReturnTo } from '../server/auth/sign-in'
import { signInPath } from '../lib/sign-in-path'
import { isSameOriginRequest } from '../server/request-origin'

describe('isSameOriginRequest', () => {
  const base = {
    origin: 'http://127.0.0.1:3000',
    host: '127.0.0.1:3000',
    forwardedHost: null,
    fetchSite: 'same-origin',
  }
  it('accepts a POST from our own page', () => {
    expect(isSameOriginRequest(base)).toBe(true)
    expect(isSameOriginRequest({ ...base, fetchSite: null })).toBe(true)
    expect(
      isSameOriginRequest({
        ...base,
        origin: 'https://curia.example',
        host: '10.0.0.5:3000',
        forwardedHost: 'curia.example',
      }),
    ).toBe(true)
  })
  it('refuses another site, a missing or opaque Origin, and a cross-site fetch', () => {
    expect(isSameOriginRequest({ ...base, origin: 'http://evil.example' })).toBe(false)
    expect(isSameOriginRequest({ ...base, origin: 'http://127.0.0.1:3001' })).toBe(false)
    expect(isSameOriginRequest({ ...base, origin: null })).toBe(false)
    expect(isSameOriginRequest({ ...base, origin: 'null' })).toBe(false)
    expect(isSameOriginRequest({ ...base, fetchSite: 'cross-site' })).toBe(false)
    expect(isSameOriginRequest({ ...base, fetchSite: 'same-site' })).toBe(false)
    expect(isSameOriginRequest({ ...base, origin: 'not a url' })).toBe(false)
  })
})

describe('sign-in input', () => {
  it('takes a handle with or without @, in any case, or a DID', () => {
    expect(parseSignInIdentifier(' @Alice.BSKY.social ')).toEqual({
      ok: true,
      identifier: 'alice.bsky.social',
    })
    expect(parseSignInIdentifier('did:plc:abcdefghijklmnopqrstuvwx')).toEqual({
      ok: true,
      identifier: 'did:plc:abcdefghijklmnopqrstuvwx',
    })
  })
  it('explains what a handle looks like instead of sending junk to a resolver', () => {
    for (const bad of [
      '',
      'alice',
      'alice@bsky.social',
      'https://bsky.app',
      '<script>',
      'a'.repeat(300) + '.com',
    ]) {
      const parsed = parseSignInIdentifier(bad)
      expect(parsed.ok).toBe(false)
      expect(!parsed.ok && parsed.message).toMatch(/handle/)
    }
  })
  it('returns only to a path on this site', () => {
    expect(safeReturnTo('/post/did:plc:x/3k')).toBe('/post/did:plc:x/3k')
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      42,
      '/a b',
    ]) {
      expect(safeReturnTo(bad)).toBe('/')
    }
  })
  it('links to sign-in so that the page signed in from is where it comes back', () => {
    for (const path of [
      '/leaderboard',
      '/post/did:plc:x/3k',
      '/jury/rounds/7',
      '/curator/did:web:a.example%3A8080',
    ]) {
      const link = new URL(signInPath(path), 'https://curia.example')
      expect(link.pathname).toBe('/sign-in')
      expect(safeReturnTo(link.searchParams.get('returnTo'))).toBe(path)
    }
    // The front page is where sign-in returns anyway; sign-in itself is never a place to come back to.
    expect(signInPath('/')).toBe('/sign-in')
    expect(signInPath('/sign-in')).toBe('/sign-in')
    expect(signInPath('/sign-in?error=denied')).toBe('/sign-in')
  })
})

describe('cookies', () => {
  it('are HttpOnly and SameSite=Lax; Secure with the __Host- prefix on https only', () => {
    expect(sessionCookie('https://curia.example')).toEqual({
      name: '__Host-curia_session',
      options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 30 * 24 * 3600 },
    })
    expect(sessionCookie('http://127.0.0.1:3000')).toMatchObject({
      name: 'curia_session',
      options: { secure: false },
    })
    expect(loginNonceCookie('https://curia.example')).toMatchObject({
      name: '__Host-curia_login',
      options: { maxAge: 600 },
    })
  })
})

describe('formatting', () => {
  it('formats micro-credits with bigint arithmetic', () => {
    expect(formatCredits(1_000_000_000n)).toBe('1,000')
    expect(formatCredits('994520000')).toBe('994.52')
    expect(formatCredits('994525000')).toBe('994.53')
    expect(formatCredits(5n)).toBe('0')
    expect(formatCredits(-2_500_000n)).toBe('−2.5')
    expect(formatSignedCredits(2_500_000n)).toBe('+2.5')
    expect(formatCredits('123456789012345678901234')).toBe('123,456,789,012,345,678.9')
  })
  it('keeps trailing zeros in a column, so right-aligned amounts line up', () => {
    const column = { column: true }
    expect(formatSignedCredits(800_000n, column)).toBe('+0.80')
    expect(formatSignedCredits(2_820_000n, column)).toBe('+2.82')
    expect(formatSignedCredits(-3_000_000n, column)).toBe('−3.00')
    expect(formatSignedCredits(4n, column)).toBe('0.00')
    expect(formatSignedCredits(-4n, column)).toBe('0.00')
    expect(formatCredits(1_000_000_000n, 2, column)).toBe('1,000.00')
    expect(formatSignedCredits(4n)).toBe('0')
  })
  it('shows probabilities as percentages without rounding a near-certainty to 100%', () => {
    expect(formatPercent(0.5)).toBe('50%')
    expect(formatPercent(0.6234)).toBe('62%')
    expect(formatPercent(0.9991)).toBe('99.9%')
    expect(formatPercent(0.004)).toBe('0.4%')
  })
  it('maps post URIs to page paths and back, refusing anything else', () => {
    const uri = 'at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kq2abcd'
    expect(postPath(uri)).toBe('/post/did:plc:abcdefghijklmnopqrstuvwx/3kq2abcd')
    expect(postUriFromPath('did:plc:abcdefghijklmnopqrstuvwx', '3kq2abcd')).toBe(uri)
    expect(postPath('at://did:plc:x/app.bsky.feed.like/3k')).toBeNull()
    expect(postUriFromPath('did:plc:x', '../../etc')).toBeNull()
    expect(postUriFromPath('<script>', '3k')).toBeNull()
  })
})
