/**
 * The demo's simulated curators: each "signs in" (the starting grant, as a real sign-in does) and then trades on
 * open markets through the same trade service the web app uses, toward a private belief about each post: a hidden
 * quality derived from the post's URI plus per-curator noise, so they mostly agree and sometimes do not.
 */
import { createHash } from 'node:crypto'
import type { Database } from '@curia/db'
import { price, MICRO } from '@curia/curation/market/lmsr'
import { parseMarketParams } from '@curia/curation/market/params'
import { grantStartingCredits } from '@curia/curation/service/ledger'
import { placeTrade } from '@curia/curation/service/trade'
import { isCurationError } from '@curia/curation/errors'

export interface DemoCurators {
  stop(): Promise<void>
}

/** Uniform in [0, 1) from a string: the hidden quality and the noise, reproducible for a seed. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32
}

export async function startDemoCurators(opts: {
  database: Database
  dids: string[]
  seed: number
  intervalMs: number
  log: (line: string) => void
}): Promise<DemoCurators> {
  const { database, dids, seed, log } = opts
  const { market: params, ledger } = parseMarketParams(process.env)
  const rules = { positionCapMicro: params.positionCapMicro, maxAmountMicro: params.maxAmountMicro }
  for (const did of dids) {
    await grantStartingCredits(database, { did, amountMicro: ledger.startingGrantMicro, now: new Date() })
  }
  log(`${dids.length} simulated curators signed in with ${ledger.startingGrantMicro / MICRO} credits each`)

  let step = 0
  let stopped = false
  let running: Promise<void> | undefined

  async function tradeOnce(): Promise<void> {
    step++
    const markets = await database.sql<{ id: number; uri: string; qYes: string; qNo: string; b: string }[]>`
      select id::float8 as id, post_uri as uri, q_yes_micro::text as "qYes", q_no_micro::text as "qNo",
             liquidity_micro::text as b
      from market where status = 'open' and closes_at > now() order by id desc limit 50`
    if (markets.length === 0) return
    const did = dids[Math.floor(unit(`${seed}:curator:${step}`) * dids.length)]!
    const m = markets[Math.floor(unit(`${seed}:market:${step}`) * markets.length)]!
    const quality = unit(`quality:${m.uri}`)
    const belief = Math.min(0.97, Math.max(0.03, quality + (unit(`${seed}:${did}:${m.uri}`) - 0.5) * 0.3))
    const yes = price({ qYes: BigInt(m.qYes), qNo: BigInt(m.qNo), b: BigInt(m.b) }, 'yes')
    if (Math.abs(belief - yes) < 0.05) return
    const outcome = belief > yes ? 'yes' : 'no'
    const credits = 5 + Math.floor(unit(`${seed}:size:${step}`) * 25)
    try {
      const receipt = await placeTrade(
        database,
        {
          did,
          marketId: m.id,
          side: 'buy',
          outcome,
          amountMicro: BigInt(credits) * MICRO,
          limit: { kind: 'max_average_price', price: 0.99 },
          idempotencyKey: `demo-${seed}-${step}`,
          now: new Date(),
        },
        { rules },
      )
      log(
        `curator ${did.slice(0, 16)}… bought ${outcome.toUpperCase()} for ${credits} credits on market ${m.id}: ` +
          `YES ${(receipt.yesPriceBefore * 100).toFixed(0)}% -> ${(receipt.yesPriceAfter * 100).toFixed(0)}%`,
      )
    } catch (err) {
      // A refusal (cap reached, balance spent, market just closed) is part of the game; anything else is a bug.
      if (!isCurationError(err)) throw err
    }
  }

  const timer = setInterval(() => {
    if (stopped || running) return
    running = tradeOnce()
      .catch((err: unknown) => log(`curators: ${(err as Error).message}`))
      .finally(() => {
        running = undefined
      })
  }, opts.intervalMs)

  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
