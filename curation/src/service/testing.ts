import { randomUUID } from 'node:crypto'
import type { Database } from '@curia/db'
import { MICRO, type Outcome } from '../market/lmsr'
import type { TradeRules } from '../market/trade'
import { placeTrade, type TradeReceipt } from './trade'

/**
 * For tests that need positions, not trading: spends `credits` on `outcome` through the real trade service, at any
 * price (no slippage bound), with a fresh idempotency key. Refusals throw as `placeTrade`'s do.
 */
export function buyAtAnyPrice(
  database: Database,
  rules: TradeRules,
  order: { did: string; marketId: number; outcome: Outcome; credits: bigint; now: Date },
): Promise<TradeReceipt> {
  return placeTrade(
    database,
    {
      did: order.did,
      marketId: order.marketId,
      side: 'buy',
      outcome: order.outcome,
      amountMicro: order.credits * MICRO,
      limit: { kind: 'max_average_price', price: 1 },
      idempotencyKey: `test-${randomUUID()}`,
      now: order.now,
    },
    { rules },
  )
}
