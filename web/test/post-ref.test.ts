import { describe, expect, it } from 'vitest'
import { parseAccountRef } from '@curia/curation/records/identity'
import { parsePostRef } from '../server/post-ref'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'

describe('parsePostRef', () => {
  it('reads bsky.app links by handle or DID, and at-URIs', () => {
    expect(parsePostRef('https://bsky.app/profile/Alice.bsky.social/post/3kq2abcd')).toEqual({
      ok: true,
      ref: { repo: { kind: 'handle', value: 'alice.bsky.social' }, rkey: '3kq2abcd' },
    })
    expect(parsePostRef(` https://bsky.app/profile/${DID}/post/3kq2abcd/ `)).toEqual({
      ok: true,
      ref: { repo: { kind: 'did', value: DID }, rkey: '3kq2abcd' },
    })
    expect(
      parsePostRef(`https://bsky.app/profile/${encodeURIComponent(DID)}/post/3kq2abcd?ref=share`),
    ).toMatchObject({
      ok: true,
      ref: { repo: { kind: 'did', value: DID } },
    })
    expect(parsePostRef('at://alice.test/app.bsky.feed.post/3kq2abcd')).toEqual({
      ok: true,
      ref: { repo: { kind: 'handle', value: 'alice.test' }, rkey: '3kq2abcd' },
    })
  })

  it('refuses what is not a post link, saying why', () => {
    const refused = (input: unknown) => {
      const r = parsePostRef(input)
      return r.ok ? 'accepted' : r.message
    }
    expect(refused('')).toMatch(/Paste a link/)
    expect(refused(42)).toMatch(/Paste a link/)
    expect(refused('hello')).toMatch(/bsky\.app\/profile/)
    expect(refused('http://bsky.app/profile/alice.test/post/3kq')).toMatch(/Only bsky\.app/)
    expect(refused('https://evil.example/profile/alice.test/post/3kq')).toMatch(/Only bsky\.app/)
    expect(refused('javascript:alert(1)')).toMatch(/Only bsky\.app/)
    expect(refused('https://bsky.app/profile/alice.test')).toMatch(/not a post/)
    expect(refused('https://bsky.app/profile/alice.test/post/bad%20key')).toMatch(/post id/)
    expect(refused('https://bsky.app/profile/not_a_handle/post/3kq')).toMatch(/neither a handle nor a DID/)
    expect(refused('at://alice.test/app.bsky.feed.like/3kq')).toMatch(/at-URI of a post/)
    expect(refused(`https://bsky.app/profile/alice.test/post/${'x'.repeat(3000)}`)).toMatch(/too long/)
  })
})

describe('parseAccountRef', () => {
  it('reads a DID, or a handle with or without its @, lower-cased', () => {
    expect(parseAccountRef(` ${DID} `)).toEqual({ ok: true, ref: { kind: 'did', value: DID } })
    expect(parseAccountRef('@Alice.bsky.social')).toEqual({
      ok: true,
      ref: { kind: 'handle', value: 'alice.bsky.social' },
    })
    expect(parseAccountRef('alice.test')).toEqual({ ok: true, ref: { kind: 'handle', value: 'alice.test' } })
  })

  it('refuses anything else, saying what it wants', () => {
    for (const input of [
      '',
      42,
      'alice',
      'did:plc:',
      '<b>x</b>.test',
      'a'.repeat(300) + '.test',
      'alice.123',
    ]) {
      const r = parseAccountRef(input)
      expect(r.ok, String(input)).toBe(false)
      if (!r.ok) expect(r.message).toMatch(/handle \(alice\.bsky\.social\)/)
    }
  })
})
