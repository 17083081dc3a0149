/**
 * Jury fixtures for specs against the real stack: the stack's own database (the launcher's, embedded PGlite through
 * its socket or the run's PostgreSQL database), and the operator's side of the jury driven through Curia's real
 * services, since the launcher's jury worker runs on a daily cadence: invites, the allowlist, a round opened,
 * frozen, revealed and closed on demand, settlement. Jurors who are not the browser prove in Node, with real
 * Semaphore proofs, and send their ballots through the same HTTP route the ballot page uses.
 *
 *   test('...', async ({ page, jury }) => {
 *     const code = await jury.operatorInvite()
 *     const round = await jury.openVotingRound([marketA, marketB], { quorum: 2 })
 *     ...
 *     await jury.closeAndSettle(round.id)
 *   })
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Group, Identity, generateProof } from '@semaphore-protocol/core'
import { openDatabase, type Database } from '@curia/db'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { ballotMessage, canonicalBallotContent, roundScope, type Vote } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { addToAllowlist, admitJuror, createOperatorInvites } from '@curia/curation/service/admission'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import {
  closeRound,
  freezeRound,
  markRoundSettled,
  openRound,
  revealRound,
  type RoundSummary,
} from '@curia/curation/service/round'
import { settleRound } from '@curia/curation/service/settlement'
import { test as base } from './fixtures'
import { readStack } from './stack'

export interface NodeJuror {
  did: string
  identity: Identity
  /** Proves a ballot in this process and POSTs it to the web app's ballot route, as the ballot page would. */
  vote(
    round: RoundSummary,
    votes: Record<string, Vote>,
  ): Promise<{ status: number; body: BallotAnswer; request: BallotRequest }>
}

export type BallotAnswer =
  { status: 'accepted'; nullifier: string } | { status: 'refused'; code: string; message: string }
export interface BallotRequest {
  roundId: number
  proof: unknown
  content: string
}

export interface JuryFixture {
  database: Database
  /** A fresh operator invite code (a root of the invite tree). */
  operatorInvite(): Promise<string>
  /** A juror admitted through the operator's allowlist, with a deterministic identity. */
  allowlistedJuror(name: string): Promise<NodeJuror>
  /**
   * Ends the trading window of these markets, then opens a round, freezes and reveals it with a sample that takes
   * every eligible market (p_min = 1): the round is voting when this returns.
   */
  openVotingRound(
    marketIds: number[],
    opts: { quorum: number; postsPerBallot?: number },
  ): Promise<RoundSummary>
  /** Closes voting (at the round's voting end), tallies, and runs settlement as the jury worker would. */
  closeAndSettle(roundId: number): Promise<RoundSummary>
  /** POSTs a ballot body to the web app exactly as given (for replays and tampering). */
  postBallot(body: unknown): Promise<{ status: number; body: BallotAnswer }>
}

export const test = base.extend<{ jury: JuryFixture }>({
  jury: async ({ stack }, use) => {
    const database = await openStackDatabase()
    try {
      await use(juryFixture(database, stack.webUrl))
    } finally {
      await database.close()
    }
  },
})

export { expect } from './fixtures'

/** Ends the worker's curve threads (snarkjs keeps the process alive otherwise). Call in `test.afterAll`. */
export async function releaseProver(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
}

function juryFixture(database: Database, webUrl: string): JuryFixture {
  async function postBallot(body: unknown) {
    const res = await fetch(`${webUrl}/api/jury/ballots`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as BallotAnswer }
  }

  return {
    database,
    postBallot,
    async operatorInvite() {
      const [invite] = await createOperatorInvites(database, {
        by: 'e2e',
        count: 1,
        now: new Date(),
        policy: { ttlMs: 86_400_000 },
      })
      return invite!.code
    },
    async allowlistedJuror(name) {
      const did = `did:plc:e2ejuror${name.toLowerCase().replace(/[^a-z0-9]/g, '')}${Date.now().toString(36)}`
      const identity = new Identity(`curia-e2e-juror-${did}`)
      const now = new Date()
      await addToAllowlist(database, { by: 'e2e', did, note: 'e2e', now })
      await admitJuror(database, {
        verifier: allowlistVerifier(),
        evidence: { did },
        commitment: identity.commitment.toString(),
        now,
      })
      return {
        did,
        identity,
        async vote(round, votes) {
          // The whole group of the frozen root, from the same route the browser's worker reads.
          const res = await fetch(`${webUrl}/api/jury/group/${round.rootVersion}`)
          const group = (await res.json()) as { commitments: string[] }
          const content = canonicalBallotContent(Object.entries(votes))
          const proof = await generateProof(
            identity,
            new Group(group.commitments.map((c) => BigInt(c))),
            ballotMessage(content),
            roundScope(round.id),
            JURY_TREE_DEPTH,
            semaphoreArtifacts(JURY_TREE_DEPTH),
          )
          const request = { roundId: round.id, proof, content }
          return { ...(await postBallot(request)), request }
        },
      }
    },
    async openVotingRound(marketIds, opts) {
      const now = new Date()
      // The markets' trading windows end now (a spec cannot wait the configured 48 hours).
      await database.sql`
        update market set closes_at = ${new Date(now.getTime() - 1_000).toISOString()}::timestamptz
        where id = any(${database.sql.array(marketIds.map(String))}::bigint[])`
      const opened = await openRound(database, {
        now,
        windowMs: 1_000,
        votingMs: 3_600_000,
        params: {
          pMin: 1,
          pMax: 1,
          halfExposure: 1,
          capacity: 50,
          quorum: opts.quorum,
          ...(opts.postsPerBallot === undefined ? {} : { postsPerBallot: opts.postsPerBallot }),
        },
        beacon: { kind: 'operator' },
      })
      if (!opened.changed) {
        throw new Error(
          `round ${opened.round.id} is already collecting until ${opened.round.windowEndsAt}: the stack's own jury ` +
            'worker is running (set CURIA_JURY_ENABLED=false for the e2e launcher)',
        )
      }
      const roundId = opened.round.id
      await freezeRound(database, { roundId, now: new Date(opened.round.windowEndsAt) })
      return (await revealRound(database, { roundId, now: new Date() })).round
    },
    async closeAndSettle(roundId) {
      const [row] = await database.sql<{ endsAt: string }[]>`
        select to_char(voting_ends_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "endsAt"
        from jury_round where id = ${roundId}`
      const at = new Date(row!.endsAt)
      await closeRound(database, { roundId, now: at })
      await settleRound(database, { roundId, now: at })
      return (await markRoundSettled(database, { roundId, now: at })).round
    },
  }
}

/**
 * The launcher's database. Global setup hands it over as CURIA_E2E_DATABASE_URL when it publishes one; otherwise:
 * embedded PGlite through the socket the launcher advertises in the run's data folder (global setup points TMPDIR
 * at the run folder and the launcher's data at `<run>/data`), or on the PostgreSQL server the run's own
 * `curia_e2e_*` database, recognised by the canary account global setup made (its profile is indexed there only).
 */
async function openStackDatabase(): Promise<Database> {
  const published = process.env.CURIA_E2E_DATABASE_URL
  if (published) return openDatabase({ url: published, migrate: false, max: 4 })
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const dataDir = join(process.env.TMPDIR ?? '', 'data', 'pglite')
    if (!existsSync(join(dataDir, '..', 'pglite.socket.json'))) {
      throw new Error(`no embedded database is being served from ${dataDir} (is the e2e stack up?)`)
    }
    return openDatabase({ dataDir, migrate: false, max: 4 })
  }
  return openDatabase({ url: await findRunDatabase(serverUrl), migrate: false, max: 4 })
}

async function findRunDatabase(serverUrl: string): Promise<string> {
  const { pdsUrl } = readStack()
  // DIDs on this run's PDS: any account the canary or a spec created is indexed in this run's database only.
  const dids = await listPdsDids(pdsUrl)
  const admin = await openDatabase({ url: serverUrl, migrate: false, max: 1 })
  try {
    const names = await admin.sql<{ datname: string }[]>`
      select datname from pg_database where datname like 'curia_e2e_%' order by oid desc`
    for (const { datname } of names) {
      const url = new URL(serverUrl)
      url.pathname = `/${datname}`
      const probe = await openDatabase({ url: url.toString(), migrate: false, max: 1 }).catch(() => undefined)
      if (!probe) continue
      try {
        const [hit] = await probe.sql`
          select 1 from post where author_did = any(${probe.sql.array(dids)}::text[])
          union all select 1 from author where did = any(${probe.sql.array(dids)}::text[]) limit 1`
        if (hit) return url.toString()
      } catch {
        // Not migrated yet, or another run's: not ours.
      } finally {
        await probe.close()
      }
    }
  } finally {
    await admin.close()
  }
  throw new Error("could not find this run's database on the PostgreSQL server")
}

async function listPdsDids(pdsUrl: string): Promise<string[]> {
  const res = await fetch(`${pdsUrl}/xrpc/com.atproto.sync.listRepos?limit=1000`)
  const body = (await res.json()) as { repos: { did: string }[] }
  return body.repos.map((r) => r.did)
}
