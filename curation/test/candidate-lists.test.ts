import { describe, expect, it } from 'vitest'
import { DEFAULT_CANDIDATE_POLICY, ListMembership, isCandidatePost } from '../src/candidate'

const list = 'at://did:plc:owner/app.bsky.graph.list/3kcurated'
const item = (n: number) => `at://did:plc:owner/app.bsky.graph.listitem/i${n}`

describe('candidate lists', () => {
  it("admit a member's posts as a listed author's: replies and any language", () => {
    const members = new ListMembership()
    members.set(item(1), 'did:plc:member')
    const policy = { ...DEFAULT_CANDIDATE_POLICY, lists: new Set([list]), listMembers: members }
    const post = (authorDid: string) => ({ authorDid, langs: ['de'], isReply: true })
    expect(isCandidatePost(post('did:plc:member'), policy)).toBe(true)
    expect(isCandidatePost(post('did:plc:stranger'), policy)).toBe(false)
    members.delete(item(1))
    expect(isCandidatePost(post('did:plc:member'), policy)).toBe(false)
  })

  it('keep someone a member until their last item goes, on whichever list', () => {
    const members = new ListMembership()
    members.set(item(1), 'did:plc:a')
    members.set(item(2), 'did:plc:a')
    members.set(item(3), 'did:plc:b')
    expect(members.size).toBe(2)
    members.delete(item(1))
    expect(members.has('did:plc:a')).toBe(true)
    members.delete(item(2))
    members.delete(item(2)) // a replayed delete changes nothing
    expect(members.has('did:plc:a')).toBe(false)
    expect(members.size).toBe(1)
  })

  it('re-point an item whose record was updated, instead of counting it twice', () => {
    const members = new ListMembership()
    members.set(item(1), 'did:plc:a')
    members.set(item(1), 'did:plc:b')
    expect(members.has('did:plc:a')).toBe(false)
    expect(members.has('did:plc:b')).toBe(true)
    members.delete(item(1))
    expect(members.size).toBe(0)
  })
})
