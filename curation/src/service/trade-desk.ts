/**
 * Group commit for trades. Every trade on a market serialises on that market's row lock, and the lock is held
 * until the commit's WAL flush: one trade per fsync is the ceiling of a hot market (about 1,000/s for a bare
 * single-row UPDATE on the bench machine). And each transaction costs the same handful of statements however little
 * it does, which is most of a trade's database CPU when trades are spread over many markets.
 *
 * The desk hashes each order's market onto one of `lanes` queues. A lane runs one transaction at a time: the orders
 * that arrived while the previous one ran all go through `placeTrades` together (one lock round, one write, one
 * commit), each still decided in arrival order against the state the previous one left, each with its own receipt
 * or refusal. A market always maps to the same lane, so its orders keep their arrival order; different lanes run
 * in parallel. Idle, a batch is one order and adds no wait.
 *
 * It is per process and only an optimisation: correctness comes from the row locks (markets, then accounts, each in
 * id order), so several processes, or direct `placeTrade` calls beside a desk, stay correct.
 */
import type { Database } from '@curia/db'
import { isCurationError } from '../errors'
import type { TradeRules } from '../market/trade'
import { placeTrade, placeTrades, type PlaceTradeInput, type TradeReceipt } from './trade'

export interface TradeDesk {
  /** Same contract as `placeTrade`: a receipt, or a CurationError thrown for a refusal. */
  placeTrade(input: PlaceTradeInput): Promise<TradeReceipt>
  /** Resolves once every order already received is settled. */
  drain(): Promise<void>
  /** Orders taken through the desk, and the transactions they needed. */
  stats(): { orders: number; transactions: number }
}

interface Pending {
  input: PlaceTradeInput
  resolve(receipt: TradeReceipt): void
  reject(err: unknown): void
}

export function createTradeDesk(
  database: Database,
  opts: {
    rules: TradeRules
    /** Most orders in one transaction. */
    maxBatch?: number
    /**
     * Transactions in flight at once (default 2). More lanes mean smaller batches: on the 2-core bench machine one
     * or two lanes carried the most trades spread over 200 markets (about 4,000/s against about 1,900/s with 4-8).
     * Roughly the database's cores; always under the pool size.
     */
    lanes?: number
  },
): TradeDesk {
  const maxBatch = opts.maxBatch ?? 100
  const lanes = Math.max(1, opts.lanes ?? 2)
  const queues = new Map<number, Pending[]>()
  const running = new Set<Promise<void>>()
  let orders = 0
  let transactions = 0

  async function run(lane: number, queue: Pending[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      transactions++
      try {
        const results = await placeTrades(
          database,
          batch.map((p) => p.input),
          { rules: opts.rules },
        )
        results.forEach((r, i) => (r.ok ? batch[i]!.resolve(r.receipt) : batch[i]!.reject(r.error)))
      } catch (err) {
        if (batch.length === 1 || isCurationError(err)) {
          batch.forEach((p) => p.reject(err))
          continue
        }
        // The database refused the batch as a whole (after retries). Take the orders one by one, so one order
        // that trips it cannot fail the others.
        for (const p of batch) {
          transactions++
          try {
            p.resolve(await placeTrade(database, p.input, { rules: opts.rules }))
          } catch (one) {
            p.reject(one)
          }
        }
      }
    }
    // Synchronously after seeing the queue empty: an order arriving later starts a new run.
    queues.delete(lane)
  }

  return {
    placeTrade(input) {
      orders++
      if (typeof input.marketId !== 'number' || !Number.isSafeInteger(input.marketId)) {
        // Refused by validation, without taking a lane.
        transactions++
        return placeTrade(database, input, { rules: opts.rules })
      }
      const lane = Math.abs(input.marketId) % lanes
      return new Promise<TradeReceipt>((resolve, reject) => {
        const queue = queues.get(lane)
        if (queue) {
          queue.push({ input, resolve, reject })
          return
        }
        const fresh: Pending[] = [{ input, resolve, reject }]
        queues.set(lane, fresh)
        const task = run(lane, fresh).finally(() => running.delete(task))
        running.add(task)
      })
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running])
    },
    stats: () => ({ orders, transactions }),
  }
}
