/**
 * The jury's cadence, run by a Postgres-backed job queue (pg-boss) rather than timers in a web process: a job is a
 * row, so a restart, a crash or a second worker neither loses a step nor runs one twice to any effect.
 *
 * One queue, `jury-round`, whose jobs name a step: open -> freeze -> reveal -> close, then both anchor (when a chain
 * is configured: the export root on-chain once the result is fixed, whatever settlement does) and settle. With a
 * block beacon and a chain, freeze anchors the eligible list's commitment before choosing the beacon block. Which
 * steps are due is derived from the rounds' own state (`scheduleDueSteps`), run when the worker starts and after every step; each
 * job's id is derived from its step and round, so scheduling the same step twice queues it once. Every step is
 * idempotent under the round's row lock (round.ts), and one that is not due yet (a window still open, a beacon
 * block not mined, a clock slightly behind the database's) throws and is retried with backoff.
 *
 * Why pg-boss (12.35): it runs unchanged on PostgreSQL and on the embedded PGlite server (tested: immediate and
 * delayed jobs, retries); graphile-worker 0.18 missed delayed jobs there. It keeps its tables in its own schema,
 * created and migrated by pg-boss itself at start, apart from drizzle's migrations.
 */
import { PgBoss, type Job } from 'pg-boss'
import type { Database } from '@curia/db'
import { isCurationError } from '../errors'
import { sha256Text } from '../jury/hash'
import { removeRevokedMembers } from './admission'
import { anchorEligible, anchorRound, type RoundAnchorTarget } from './anchor'
import { createBlockSource } from './jury-beacon'
import { countMembersAt } from './jury-group'
import type { JuryConfig } from './jury-config'
import {
  closeRound,
  freezeRound,
  listUnfinishedRounds,
  markRoundSettled,
  openRound,
  revealRound,
  type BlockSource,
  type RoundSummary,
} from './round'

export const JURY_QUEUE = 'jury-round'

const MONITOR_SECONDS = 15

const QUEUE_OPTIONS = {
  // Steps wait on clocks and chains: keep retrying, backing off to 5 minutes, rather than give up.
  retryLimit: 100_000,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 600,
  // A step whose end pg-boss could not record (its connection died with the database's, or the process did) stays
  // active: without a heartbeat it waited out expireInSeconds before its retry. The worker refreshes the heartbeat
  // while a step runs, so a long settlement keeps its claim; one that went silent for 30 s is retried after the
  // next monitoring pass (MONITOR_SECONDS).
  heartbeatSeconds: 30,
}

export type JuryStep = 'open' | 'freeze' | 'reveal' | 'close' | 'anchor' | 'settle'
interface StepJob {
  step: JuryStep
  roundId?: number
  /** For `open`: the window end it follows (part of its identity). */
  after?: string
}

/** Settlement's entry point (service/settlement.ts's settleRound): passed in, so the jury does not import it. */
export type SettleRoundHook = (database: Database, opts: { roundId: number; now: Date }) => Promise<unknown>

export interface JuryWorkerOptions {
  database: Database
  config: JuryConfig
  log?: (line: string) => void
  /** Called once a round has closed; without it closed rounds wait (and the worker says so). */
  settleRound?: SettleRoundHook
  /** The block beacon's chain; built from config.beacon.rpcUrl when absent. Tests pass anvil or a fixed source. */
  blocks?: BlockSource
  /**
   * The RoundAnchor contract (CURIA_ANCHOR_*): each closed round's export root is anchored by the `anchor` step,
   * and, with a block beacon, each eligible commitment at freeze before the beacon block is chosen. Its chain must
   * be the beacon's: a verifier orders the commitment before the beacon block by block number.
   */
  anchor?: RoundAnchorTarget
  clock?: () => Date
  /** pg-boss's schema (default `pgboss`); tests use their own. */
  schema?: string
}

export interface JuryWorker {
  /** Schedules whatever the rounds' state says is due (also done at start and after every step). */
  scheduleDueSteps(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts the jury's worker: pg-boss on the database's own URL, the step handler, and a first scheduling pass.
 * `stop()` lets a running step finish (up to 30 s) and closes pg-boss's pool.
 */
export async function startJuryWorker(opts: JuryWorkerOptions): Promise<JuryWorker> {
  const { database, config } = opts
  const log = opts.log ?? (() => {})
  const clock = opts.clock ?? (() => new Date())
  const schema = opts.schema ?? 'pgboss'
  let blocks = opts.blocks
  if (!blocks && config.beacon.kind === 'block') {
    blocks = await createBlockSource({
      rpcUrl: config.beacon.rpcUrl,
      confirmations: config.beacon.confirmations,
    })
  }
  const beacon =
    config.beacon.kind === 'block'
      ? { kind: 'block' as const, chainId: blocks!.chainId }
      : { kind: 'operator' as const }
  const anchor = opts.anchor
  if (anchor && beacon.kind === 'block') {
    const anchorChainId = await anchor.clients.publicClient.getChainId()
    if (anchorChainId !== beacon.chainId) {
      throw new Error(
        `the anchor contract is on chain ${anchorChainId} and the beacon on chain ${beacon.chainId}: they must be ` +
          'one chain (CURIA_ANCHOR_RPC_URL and CURIA_JURY_BEACON_RPC_URL), or no verifier can tell that an eligible ' +
          'commitment came before its beacon block',
      )
    }
  }
  const confirmations = config.beacon.kind === 'block' ? config.beacon.confirmations : 0

  const boss = new PgBoss({
    connectionString: database.url,
    schema,
    max: 2,
    application_name: 'curia-jury',
    // How often pg-boss looks for expired or silent jobs (default 60 s): cheap on a queue this small.
    monitorIntervalSeconds: MONITOR_SECONDS,
    superviseIntervalSeconds: MONITOR_SECONDS,
    // Index rebuilds run CONCURRENTLY; pointless for a queue this small and unwelcome on the embedded server.
    reindex: false,
  })
  boss.on('error', (err) => log(`jury: job queue error: ${err.message}`))
  await boss.start()
  await boss.createQueue(JURY_QUEUE, QUEUE_OPTIONS)
  // createQueue leaves an existing queue's options as they were: bring a queue made by an older version up to date.
  await boss.updateQueue(JURY_QUEUE, QUEUE_OPTIONS)

  async function runStep(job: StepJob): Promise<void> {
    const now = clock()
    const roundId = job.roundId ?? 0
    switch (job.step) {
      case 'open': {
        // Revocation removes its members itself; this catches up any revoked member still in the group (an older
        // revocation, one written by hand) before a round freezes the root with them in it.
        const removed = await removeRevokedMembers(database, { now })
        if (removed > 0) log(`jury: removed ${removed} revoked member(s) from the group`)
        const { round, changed } = await openRound(database, {
          now,
          windowMs: config.cadenceMs,
          votingMs: config.votingMs,
          params: config.params,
          beacon,
        })
        if (changed) {
          log(`jury: round ${round.id} opened, window until ${round.windowEndsAt}, seed committed`)
          const warning = await quorumWarning(database, round)
          if (warning) log(`jury: ${warning}`)
        } else if (Date.parse(round.windowEndsAt) > now.getTime()) {
          // Fired a little early by our clock (pg-boss times jobs by the database's): not an error, retry.
          throw new NotDueError(`round ${round.id} is collecting until ${round.windowEndsAt}`)
        }
        break
      }
      case 'freeze': {
        const publishEligible = anchor
          ? async (frozen: RoundSummary) => {
              const a = await anchorEligible(database, anchor, { roundId: frozen.id, confirmations })
              if (a.sent)
                log(
                  `jury: round ${frozen.id} eligible commitment ${a.eligibleHash} anchored on-chain in block ${a.blockNumber}`,
                )
              return { chainId: a.chainId, blockNumber: Number(a.blockNumber) }
            }
          : undefined
        const { round, changed } = await freezeRound(database, { roundId, now, blocks, publishEligible })
        if (changed)
          log(
            `jury: round ${round.id} froze its eligible markets (commitment ${round.eligibleHash})` +
              (round.beacon.kind === 'block' ? `; beacon block ${round.beacon.number}` : ''),
          )
        break
      }
      case 'reveal': {
        const { round, changed } = await revealRound(database, { roundId, now, blocks })
        if (changed)
          log(
            `jury: round ${round.id} revealed its seed and drew its sample; voting until ${round.votingEndsAt}`,
          )
        break
      }
      case 'close': {
        const { round, changed } = await closeRound(database, { roundId, now })
        if (changed) log(`jury: round ${round.id} closed; export root ${round.exportRoot}`)
        break
      }
      case 'anchor': {
        if (!anchor) throw new NotDueError('no anchor contract is configured')
        const anchored = await anchorRound(database, anchor, { roundId, now })
        log(
          `jury: round ${roundId} export root ${anchored.root} ${anchored.sent ? 'anchored on-chain' : 'was already anchored'}`,
        )
        break
      }
      case 'settle': {
        if (!opts.settleRound) throw new NotDueError('no settlement hook is configured')
        await opts.settleRound(database, { roundId, now })
        const { changed } = await markRoundSettled(database, { roundId, now })
        if (changed) log(`jury: round ${roundId} settled`)
        break
      }
    }
  }

  let warnedNoHook = false
  async function scheduleDueSteps(): Promise<void> {
    const now = clock()
    const rounds = await listUnfinishedRounds(database, { anchoring: anchor !== undefined })
    const due: { job: StepJob; key: string; at: Date }[] = []
    const latest = rounds[0]
    // The next round opens when the latest window ends (the first at once).
    due.push({
      job: { step: 'open', after: latest ? latest.windowEndsAt : 'first' },
      key: `open:${latest ? latest.windowEndsAt : 'first'}`,
      at: latest ? new Date(latest.windowEndsAt) : now,
    })
    for (const round of rounds) {
      if (anchor && round.status === 'closed' && round.exportAnchoredAt === null) {
        // Beside settlement, not after it: the result is fixed at close, whatever settling it runs into.
        due.push({
          job: { step: 'anchor', roundId: round.id },
          key: `anchor:${round.id}`,
          at: new Date(round.closedAt!),
        })
      }
      const next = nextStep(round)
      if (!next) continue
      if (next.step === 'settle' && !opts.settleRound) {
        if (!warnedNoHook)
          log(`jury: round ${round.id} closed, but no settlement hook is configured; it waits`)
        warnedNoHook = true
        continue
      }
      due.push({ job: { step: next.step, roundId: round.id }, key: `${next.step}:${round.id}`, at: next.at })
    }
    for (const { job, key, at } of due) {
      // A deterministic id: a job already queued, running or done under it makes this a no-op.
      await boss.send(JURY_QUEUE, job, { id: jobId(schema, key), startAfter: at })
    }
  }

  await boss.work<StepJob>(
    JURY_QUEUE,
    { pollingIntervalSeconds: config.pollSeconds, batchSize: 1 },
    async (jobs: Job<StepJob>[]) => {
      for (const job of jobs) {
        try {
          await runStep(job.data)
        } catch (err) {
          const quiet =
            err instanceof NotDueError ||
            isCurationError(err, 'beacon_pending') ||
            isCurationError(err, 'round_state')
          log(
            `jury: ${job.data.step}${job.data.roundId ? ` round ${job.data.roundId}` : ''} ${quiet ? 'not due yet' : 'failed'}: ${(err as Error).message}`,
          )
          throw err
        }
        await scheduleDueSteps()
      }
    },
  )
  await scheduleDueSteps()
  log(
    `jury: worker started (cadence ${config.cadenceMs / 60_000} min, voting ${config.votingMs / 60_000} min, ${beacon.kind} beacon)`,
  )
  if (beacon.kind === 'operator') {
    log(
      "jury: the sample is drawn from the operator's committed seed alone, which the operator knows in advance; " +
        'set CURIA_JURY_BEACON_RPC_URL to mix in the next Ethereum block hash',
    )
  } else if (!anchor) {
    log(
      "jury: no anchor contract (CURIA_ANCHOR_*): nothing public fixes each round's eligible list or its beacon " +
        'block, so nobody can check that the operator did not pick the block for the sample it gives',
    )
  }

  return {
    scheduleDueSteps,
    async stop() {
      await boss.stop({ graceful: true, timeout: 30_000 })
    },
  }
}

/**
 * A round's members are fixed when it opens (its root version). With fewer than its quorum, no sampled post can get
 * a verdict: the operator should hear that the round will void and refund everything it samples.
 */
export async function quorumWarning(database: Database, round: RoundSummary): Promise<string | undefined> {
  const members = await countMembersAt(database, round.rootVersion)
  if (members >= round.params.quorum) return undefined
  return (
    `round ${round.id} has ${members} juror(s), fewer than its quorum of ${round.params.quorum}: ` +
    'every market it samples will be void and refunded'
  )
}

/** The step a round waits for, and from when (the `anchor` step, beside settle, is scheduled apart). */
export function nextStep(round: RoundSummary): { step: JuryStep; at: Date } | undefined {
  switch (round.status) {
    case 'committed':
      return { step: 'freeze', at: new Date(round.windowEndsAt) }
    case 'frozen':
      // A freeze that stopped after its first part (no beacon block yet) is finished by the same step.
      return round.beacon.kind === 'block' && round.beacon.number === undefined
        ? { step: 'freeze', at: new Date(round.frozenAt!) }
        : { step: 'reveal', at: new Date(round.frozenAt!) }
    case 'voting':
      return { step: 'close', at: new Date(round.votingEndsAt!) }
    case 'closed':
      return round.settledAt === null ? { step: 'settle', at: new Date(round.closedAt!) } : undefined
  }
}

class NotDueError extends Error {
  override name = 'NotDueError'
}

/** A UUID (shaped as version 5) from the schema and the step key: the same step always gets the same job id. */
function jobId(schema: string, key: string): string {
  const h = sha256Text(`curia/jury-job/v1|${schema}|${key}`).slice(2)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}
