import { describe, expect, it } from 'vitest'
import { planBatch } from '../src/batch'
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

describe('planBatch', () => {
  it('keeps the newest content per post and remembers it was a candidate', () => {
    const plan = planBatch([upsert('p1', 'v1'), upsert('p1', 'v2', false), upsert('p2', 'x', false)])
    expect(plan.postUpserts.map((r) => r.text)).toEqual(['v2'])
    expect(plan.postUpdates.map((r) => r.uri)).toEqual(['p2'])
  })

  it('lets a delete win over any create of the same key, before or after it', () => {
    const plan = planBatch([
      upsert('p1'),
      { op: 'post_delete', uri: 'p1' },
      { op: 'post_delete', uri: 'p2' },
      upsert('p2'),
      like('l1', 'p3'),
      { op: 'engagement_delete', uri: 'l1' },
      { op: 'engagement_delete', uri: 'l2' },
      like('l2', 'p3'),
    ])
    expect(plan.postUpserts).toEqual([])
    expect(plan.postDeletes).toEqual(['p1', 'p2'])
    expect(plan.engagementCreates).toEqual([])
    expect(plan.engagementDeletes).toEqual(['l1', 'l2'])
  })

  it('drops likes of posts deleted in the same batch and duplicate likes', () => {
    const plan = planBatch([
      like('l1', 'p1'),
      like('l1', 'p1'),
      like('l2', 'p2'),
      { op: 'post_delete', uri: 'p2' },
    ])
    expect(plan.engagementCreates.map((r) => r.uri)).toEqual(['l1'])
  })

  it('keeps the latest profile and handle per author', () => {
    const plan = planBatch([
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
