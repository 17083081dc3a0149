import { afterAll, describe, expect, it } from 'vitest'
import { Group, Identity, generateProof } from '@semaphore-protocol/core'
import { assignBallotPosts } from '@curia/curation/jury/assignment'
import { ballotMessage, roundScope } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import { ballotAssignment } from '../lib/jury/ballot-assignment'

/**
 * What the ballot page computes from the stored identity (its exported private key) before proving: the nullifier
 * the proof will carry, and so the posts the server will require.
 */

const posts = Array.from({ length: 30 }, (_, i) => ({
  postUri: `at://did:plc:author00000000000000000/app.bsky.feed.post/${i}`,
}))
const mixedSeed = `0x${'6d'.repeat(32)}` as const

afterAll(async () => {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
})

describe('the ballot page’s assignment', () => {
  it('uses the nullifier a real proof from the stored key carries, and the posts the server will require', async () => {
    const juror = new Identity()
    const stored = juror.export()
    const scope = roundScope(11)
    const proof = await generateProof(
      Identity.import(stored),
      new Group([new Identity('someone').commitment, juror.commitment]),
      ballotMessage('[]'),
      scope,
      JURY_TREE_DEPTH,
      semaphoreArtifacts(JURY_TREE_DEPTH),
    )
    const sheet = { scope: scope.toString(), mixedSeed, postsPerBallot: 12, posts }
    const mine = await ballotAssignment(stored, sheet)
    expect(mine.nullifier).toBe(proof.nullifier)
    expect(mine.posts).toHaveLength(12)
    expect(mine.posts).toEqual(
      assignBallotPosts({
        mixedSeed,
        nullifier: proof.nullifier,
        sampledPostUris: posts.map((p) => p.postUri),
        postsPerBallot: 12,
      }),
    )
    // Another identity gets other posts; a round without postsPerBallot gives everyone the whole sample.
    const other = await ballotAssignment(new Identity().export(), sheet)
    expect(other.posts).not.toEqual(mine.posts)
    expect((await ballotAssignment(stored, { ...sheet, postsPerBallot: null })).posts).toHaveLength(30)
  })
})
