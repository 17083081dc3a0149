import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Identity } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { addMember } from '@curia/curation/service/jury-group'
import { setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { closeRound, freezeRound, openRound, revealRound } from '@curia/curation/service/round'
import { loadJuryAgenda } from '../server/jury/queries'

/**
 * The jury page's agenda through a round's life: before its ballot opens, a juror is told which round comes next
 * and when; while it votes, it is the one to vote in; overlapping rounds point at the oldest still to open.
 */

let database: Database
const HOUR = 3_600_000

beforeAll(async () => {
  database = await createTestDatabase()
  const now = new Date()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000_000_000n, now })
  await addMember(database, { commitment: new Identity('curia-agenda-juror').commitment, now })
  await openMarket(database, {
    postUri: 'at://did:plc:author00000000000000000/app.bsky.feed.post/agenda',
    now,
    params: DEFAULT_MARKET_PARAMS,
  })
  await database.sql`update market set closes_at = ${new Date(now.getTime() - 1_000).toISOString()}::timestamptz`
})
afterAll(async () => {
  await database?.close()
})

const open = (now: Date) =>
  openRound(database, {
    now,
    windowMs: 1_000,
    votingMs: HOUR,
    params: { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 1 },
    beacon: { kind: 'operator' },
  })

describe('loadJuryAgenda', () => {
  it('names no round before any opens', async () => {
    expect(await loadJuryAgenda(database)).toEqual({ voting: undefined, next: undefined })
  })

  it('follows a round from gathering markets to voting to closed, with the next round behind it', async () => {
    const first = (await open(new Date())).round
    let agenda = await loadJuryAgenda(database)
    expect(agenda.voting).toBeUndefined()
    expect(agenda.next).toMatchObject({ id: first.id, status: 'committed', windowEndsAt: first.windowEndsAt })

    await freezeRound(database, { roundId: first.id, now: new Date(first.windowEndsAt) })
    agenda = await loadJuryAgenda(database)
    expect(agenda.next).toMatchObject({ id: first.id, status: 'frozen' })

    await revealRound(database, { roundId: first.id, now: new Date() })
    const second = (await open(new Date(Date.now() + 2_000))).round
    const third = (await open(new Date(Date.now() + 4_000))).round
    agenda = await loadJuryAgenda(database)
    expect(agenda.voting).toMatchObject({ id: first.id, status: 'voting' })
    // Of two rounds still to open their ballots, the older one opens first.
    expect(agenda.next).toMatchObject({ id: second.id, status: 'committed' })
    expect(third.id).toBeGreaterThan(second.id)

    await closeRound(database, { roundId: first.id, now: new Date(Date.now() + 2 * HOUR) })
    agenda = await loadJuryAgenda(database)
    expect(agenda.voting).toBeUndefined()
    expect(agenda.next?.id).toBe(second.id)
  })
})
