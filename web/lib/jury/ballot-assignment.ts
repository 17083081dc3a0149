/**
 * Which sampled posts this device's juror judges in a round, worked out before proving: the round nullifier from the
 * identity's secret as Semaphore's circuit computes it (@curia/curation/jury/nullifier), then the round's assignment
 * (@curia/curation/jury/assignment), the same function the server and the offline verifier check ballots with.
 * Loads Semaphore's identity package and the hashes on demand (not the prover), so a page imports this cheaply.
 * Browser or Node.
 */
export interface AssignmentSheet {
  /** Decimal: the round's Semaphore scope. */
  scope: string
  /** The round's mixed seed (0x hex). */
  mixedSeed: string
  /** Posts each ballot covers; null: every sampled post. */
  postsPerBallot: number | null
  posts: { postUri: string }[]
}

export async function ballotAssignment(
  privateKey: string,
  sheet: AssignmentSheet,
): Promise<{ nullifier: string; posts: string[] }> {
  const [{ Identity }, { semaphoreNullifier }, { assignBallotPosts }] = await Promise.all([
    import('@semaphore-protocol/core/identity'),
    import('@curia/curation/jury/nullifier'),
    import('@curia/curation/jury/assignment'),
  ])
  const nullifier = semaphoreNullifier(
    Identity.import(privateKey).secretScalar,
    BigInt(sheet.scope),
  ).toString()
  const posts = assignBallotPosts({
    mixedSeed: sheet.mixedSeed as `0x${string}`,
    nullifier,
    sampledPostUris: sheet.posts.map((p) => p.postUri),
    postsPerBallot: sheet.postsPerBallot ?? undefined,
  })
  return { nullifier, posts }
}
