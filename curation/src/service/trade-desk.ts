/**
 * Group commit for trades. Every trade on a market serialises on that market's row lock, and the lock is held
 * until the commit's WAL flush: one trade per fsync is the ceiling of a hot market (about 900/s for a bare
 * single-row UPDATE on the bench machine). The desk queues the orders a process receives for one market while a
 * transaction on it is in flight and then takes them all through `placeTrades` in the next transaction: one lock,
 * one commit, each order still decided in arrival order against the state the previous one left, each with its
 * own receipt or refusal. Idle, a batch is one order and adds no wait.
 *
 * It is per process and only an optimisation: correctness comes from the row locks, so several processes (or
 * direct `placeTrade` calls) beside a desk stay correct.
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
  opts: { rules: TradeRules; maxBatch?: number },
): TradeDesk {
  const maxBatch = opts.maxBatch ?? 100
  const queues = new Map<number, Pending[]>()
  const running = new Set<Promise<void>>()
  let orders = 0
  let transactions = 0

  async function run(marketId: number, queue: Pending[]): Promise<void> {
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
    queues.delete(marketId)
  }

  return {
    placeTrade(input) {
      orders++
      if (typeof input.marketId !== 'number') {
        transactions++
        return placeTrade(database, input, { rules: opts.rules })
      }
      return new Promise<TradeReceipt>((resolve, reject) => {
        const queue = queues.get(input.marketId)
        if (queue) {
          queue.push({ input, resolve, reject })
          return
        }
        const fresh: Pending[] = [{ input, resolve, reject }]
        queues.set(input.marketId, fresh)
        const task = run(input.marketId, fresh).finally(() => running.delete(task))
        running.add(task)
      })
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running])
    },
    stats: () => ({ orders, transactions }),
  }
}
