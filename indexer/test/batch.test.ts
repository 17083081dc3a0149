import { describe, expect, it } from 'vitest'
import { planBatch, type BatchPlan } from '../src/batch'
import type { IndexOp, PostRow } from '@curia/curation/records/types'

const row = (uri: string, text = 't'): PostRow => ({
  uri,
  cid: `cid-${text}`,
  authorDid: 'did:plc:a',
  text,
  langs: [],
  facets: [],
  embed: null,
  replyRoot: null,
  replyParent: null,
  quoteUri: null,
  createdAt: '2026-01-01T00:00:00Z',
})
const upsert = (uri: string, text = 't', candidate = true): IndexOp => ({
  op: 'post_upsert',
  row: row(uri, text),
  candidate,
})
const like = (uri: string, subjectUri: string): IndexOp => ({
  op: 'engagement_create',
  row: { uri, kind: 'like', subjectUri, authorDid: 'did:plc:b', createdAt: '2026-01-01T00:00:00Z' },
})

/** The plan of a batch that needs one phase (nearly all). */
function onePhase(ops: IndexOp[]): BatchPlan {
  const phases = planBatch(ops)
  expect(phases).toHaveLength(1)
  return phases[0]!
}

describe('planBatch', () => {
  it('keeps the newest content per post and remembers it was a candidate', () => {
    const plan = onePhase([upsert('p1', 'v1'), upsert('p1', 'v2', false), upsert('p2', 'x', false)])
    expect(plan.postUpserts.map((r) => r.text)).toEqual(['v2'])
    expect(plan.postUpdates.map((r) => r.uri)).toEqual(['p2'])
  })

  it('lets a delete win over a create before it, in one phase', () => {
    const plan = onePhase([
      upsert('p1'),
      { op: 'post_delete', uri: 'p1' },
      like('l1', 'p3'),
      { op: 'engagement_delete', uri: 'l1' },
      { op: 'post_delete', uri: 'p2' },
      upsert('p2', 't', false), // a non-candidate update of a deleted post changes nothing, as one at a time
    ])
    expect(plan.postUpserts).toEqual([])
    expect(plan.postUpdates).toEqual([])
    expect(plan.postDeletes).toEqual(['p1', 'p2'])
    expect(plan.engagementCreates).toEqual([])
    expect(plan.engagementDeletes).toEqual(['l1'])
  })

  it('applies a create after a delete of the same key in a later phase, so the last op wins', () => {
    const phases = planBatch([
      upsert('p1', 'old'),
      { op: 'post_delete', uri: 'p1' },
      { op: 'engagement_delete', uri: 'l1' },
      upsert('p1', 'new'), // re-created: a new phase
      like('l1', 'p1'), // re-liked after the unlike: stays in that phase (its delete was in the one before)
      like('l2', 'p1'),
    ])
    expect(phases).toHaveLength(2)
    expect(phases[0]).toMatchObject({ postUpserts: [], postDeletes: ['p1'], engagementDeletes: ['l1'] })
    expect(phases[1]?.postUpserts.map((r) => r.text)).toEqual(['new'])
    expect(phases[1]?.engagementCreates.map((r) => r.uri)).toEqual(['l1', 'l2'])
  })

  it("applies a post's create after a like of it in a later phase: one at a time, the like finds no post", () => {
    const phases = planBatch([like('l1', 'p1'), upsert('p1'), like('l2', 'p1')])
    expect(
      phases.map((p) => [p.engagementCreates.map((r) => r.uri), p.postUpserts.map((r) => r.uri)]),
    ).toEqual([
      [['l1'], []],
      [['l2'], ['p1']],
    ])
  })

  it("keeps the first candidate op's date, which one at a time would have inserted the row", () => {
    const dated = (text: string, createdAt: string, candidate = true): IndexOp => ({
      op: 'post_upsert',
      row: { ...row('p1', text), createdAt },
      candidate,
    })
    const plan = onePhase([
      dated('a', '2026-01-01T00:00:00Z', false),
      dated('b', '2026-01-02T00:00:00Z'),
      dated('c', '2026-01-03T00:00:00Z'),
    ])
    expect(plan.postUpserts).toMatchObject([{ text: 'c', createdAt: '2026-01-02T00:00:00Z' }])
  })

  it('drops likes of posts deleted in the same batch and duplicate likes', () => {
    const plan = onePhase([
      like('l1', 'p1'),
      like('l1', 'p1'),
      like('l2', 'p2'),
      { op: 'post_delete', uri: 'p2' },
    ])
    expect(plan.engagementCreates.map((r) => r.uri)).toEqual(['l1'])
  })

  it('keeps the latest profile and handle per author', () => {
    const plan = onePhase([
      { op: 'profile', did: 'd1', displayName: 'a', avatarCid: null },
      { op: 'handle', did: 'd1', handle: 'a.test' },
      { op: 'profile', did: 'd2', displayName: 'x', avatarCid: null },
      { op: 'profile', did: 'd1', displayName: 'b', avatarCid: 'c' },
      { op: 'handle', did: 'd1', handle: 'b.test' },
    ])
    expect(plan.profiles).toEqual([
      { did: 'd2', displayName: 'x', avatarCid: null },
      { did: 'd1', displayName: 'b', avatarCid: 'c' },
    ])
    expect(plan.handles).toEqual([{ did: 'd1', handle: 'b.test' }])
  })
})
