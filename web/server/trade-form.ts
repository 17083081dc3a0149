import { isCurationError } from '@curia/curation/errors'
import { parseCreditsToMicro } from '@curia/curation/market/amount'
import type { TradeLimit } from '@curia/curation/market/trade'
import type { PlaceTradeInput, TradeReceipt } from '@curia/curation/service/trade'
import { formatCredits, formatPrice } from '../lib/credits'
import type { TradeFormState } from '../lib/market-types'
import { slippageMessage } from '../lib/trade-limit'
import { refusal, toFormError } from './form-errors'

/** What the trade form posts (see components/trade-panel.tsx). */
export interface FormLike {
  get(name: string): FormDataEntryValue | null
}

export interface TradeFormDeps {
  desk: { placeTrade(input: PlaceTradeInput): Promise<TradeReceipt> }
  maxAmountMicro: bigint
  now: Date
  log?: (message: string, err: unknown) => void
}

const KEY = /^[\x21-\x7e]{1,128}$/
const MARKET_ID = /^[1-9][0-9]{0,14}$/
const MICRO_DIGITS = /^[0-9]{1,30}$/
// A float as JavaScript prints one: the trade panel sends `String(limit.price)`.
const FLOAT = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e-[0-9]{1,3})?$/

/**
 * The trade form's server half: the signed-in curator (checked by the caller, passed in), the form's fields parsed
 * strictly, then the order through the process's trade desk. Every refusal comes back as form state with the
 * submission's idempotency key, so the browser can resubmit the same trade safely; nothing is moved unless the
 * desk fills it.
 */
export async function submitTradeForm(
  deps: TradeFormDeps,
  session: { did: string } | null,
  form: FormLike,
): Promise<TradeFormState> {
  const key = text(form.get('idempotencyKey'))
  const refuse = (error: ReturnType<typeof refusal>): TradeFormState => ({
    status: 'refused',
    error,
    idempotencyKey: key,
  })
  if (!session) return refuse(refusal('auth_required', 'Your session has ended. Sign in again to trade.'))
  if (!KEY.test(key))
    return refuse(refusal('bad_request', 'This form is missing its submission key; reload the page.'))

  const marketId = text(form.get('marketId'))
  const side = text(form.get('side'))
  const outcome = text(form.get('outcome'))
  if (!MARKET_ID.test(marketId)) return refuse(refusal('unknown_market', 'This market does not exist.'))
  if (side !== 'buy' && side !== 'sell') return refuse(refusal('bad_request', 'Choose to buy or to sell.'))
  if (outcome !== 'yes' && outcome !== 'no') return refuse(refusal('bad_request', 'Choose YES or NO.'))

  let limit: TradeLimit | null = null
  try {
    const amountMicro = parseCreditsToMicro(
      text(form.get('amount')),
      side === 'buy' ? 'amount to spend' : 'number of shares to sell',
      deps.maxAmountMicro,
    )
    limit = readLimit(side, form)
    if (!limit) {
      return refuse(
        refusal('bad_request', 'This trade has no quote to honour; check the quote and submit again.'),
      )
    }
    const receipt = await deps.desk.placeTrade({
      did: session.did,
      marketId: Number(marketId),
      side,
      outcome,
      amountMicro,
      limit,
      idempotencyKey: key,
      now: deps.now,
    })
    return {
      status: 'filled',
      summary: describeFill(receipt),
      tradeId: receipt.tradeId,
      replayed: receipt.replayed,
      idempotencyKey: key,
    }
  } catch (err) {
    // The price moved past the order's bound: said with the bound as the panel stated it (the market layer's
    // sentence prints amounts to the micro-credit).
    if (limit && isCurationError(err, 'slippage_exceeded')) {
      return refuse(refusal('slippage_exceeded', slippageMessage(side, limit)))
    }
    return refuse(toFormError(err, deps.log))
  }
}

/** The quote's bound, as `limitForQuote` made it in the browser; malformed is "no bound" (refused above). */
function readLimit(side: 'buy' | 'sell', form: FormLike): TradeLimit | null {
  const kind = text(form.get('limitKind'))
  const value = text(form.get('limitValue'))
  if (side === 'buy' && kind === 'max_average_price' && FLOAT.test(value)) {
    return { kind, price: Number(value) }
  }
  if (side === 'sell' && kind === 'min_proceeds' && MICRO_DIGITS.test(value)) {
    return { kind, proceedsMicro: BigInt(value) }
  }
  return null
}

export function describeFill(
  r: Pick<TradeReceipt, 'side' | 'outcome' | 'sharesMicro' | 'moneyMicro'>,
): string {
  const shares = formatCredits(r.sharesMicro)
  const money = formatCredits(r.moneyMicro)
  const average = formatPrice(Number(r.moneyMicro) / Number(r.sharesMicro))
  const outcome = r.outcome.toUpperCase()
  return r.side === 'buy'
    ? `Bought ${shares} ${outcome} shares for ${money} credits (average ${average}).`
    : `Sold ${shares} ${outcome} shares for ${money} credits (average ${average}).`
}

function text(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value.trim() : ''
}
