import { describe, expect, it } from 'vitest'
import { DEFAULT_CANDIDATE_POLICY, isCandidatePost, type CandidatePolicy } from '../src/candidate'

const listed = 'did:plc:listed'
const policy: CandidatePolicy = { ...DEFAULT_CANDIDATE_POLICY, authors: new Set([listed]) }
const post = (langs: string[], isReply = false, authorDid = 'did:plc:someone') => ({
  authorDid,
  langs,
  isReply,
})

describe('isCandidatePost', () => {
  it('admits a top-level post in a wanted language, including regional subtags, case-insensitively', () => {
    expect(isCandidatePost(post(['en']), policy)).toBe(true)
    expect(isCandidatePost(post(['EN-us']), policy)).toBe(true)
    expect(isCandidatePost(post(['ja', 'en-GB']), policy)).toBe(true)
  })

  it('refuses other languages, and tags that merely share a prefix', () => {
    expect(isCandidatePost(post(['de']), policy)).toBe(false)
    expect(isCandidatePost(post(['eng']), policy)).toBe(false)
    expect(isCandidatePost(post(['pt']), { ...policy, langs: ['pt-BR'] })).toBe(false)
    expect(isCandidatePost(post(['pt-br']), { ...policy, langs: ['pt-BR'] })).toBe(true)
  })

  it('refuses replies unless the policy includes them', () => {
    expect(isCandidatePost(post(['en'], true), policy)).toBe(false)
    expect(isCandidatePost(post(['en'], true), { ...policy, includeReplies: true })).toBe(true)
    expect(isCandidatePost(post(['de'], true), { ...policy, includeReplies: true })).toBe(false)
  })

  it('refuses a post without langs unless unknown languages are allowed', () => {
    expect(isCandidatePost(post([]), policy)).toBe(false)
    expect(isCandidatePost(post([]), { ...policy, allowUnknownLang: true })).toBe(true)
  })

  it('admits every language when the policy lists none', () => {
    const any = { ...policy, langs: [] }
    expect(isCandidatePost(post(['de']), any)).toBe(true)
    expect(isCandidatePost(post([]), any)).toBe(true)
    expect(isCandidatePost(post(['de'], true), any)).toBe(false)
  })

  it('always admits listed authors, replies and any language included', () => {
    expect(isCandidatePost(post(['de'], true, listed), policy)).toBe(true)
    expect(isCandidatePost(post([], false, listed), policy)).toBe(true)
  })
})
