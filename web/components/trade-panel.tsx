'use client'

import { startTransition, useActionState, useId, useMemo, useRef, useState } from 'react'
import { isCurationError } from '@curia/curation/errors'
import { formatMicro, parseCreditsToMicro } from '@curia/curation/market/amount'
import {
  heldElsewhere,
  quoteTrade,
  type Fill,
  type MarketView as TradeMarketView,
  type TradeLimit,
} from '@curia/curation/market/trade'
import { formatCredits, formatPercent, formatPrice } from '../lib/credits'
import { describeLimit, panelLimit, PRICE_TOLERANCE } from '../lib/trade-limit'
import type {
  HoldingView,
  PricedMarketView,
  Outcome,
  TradeFormState,
  TradeRulesView,
  TradeSide,
  ViewerView,
} from '../lib/market-types'
import { placeTradeAction } from '../server/actions/trade'
import { focusRing, panel } from '../lib/styles'

const initial: TradeFormState = { status: 'idle' }

type Quote =
  | { kind: 'empty' }
  | { kind: 'ok'; amountMicro: bigint; fill: Fill; limit: TradeLimit }
  | { kind: 'refused'; message: string }

/**
 * Buying and selling YES/NO. The quote is `quoteTrade` from @curia/curation, the function the server decides with,
 * run here on the market state this page loaded; the form sends the bound `panelLimit` makes of it (the quote
 * with `PRICE_TOLERANCE` for other people's trades in between, stated under the quote), so the server fills it
 * within that bound or refuses it, never worse. Each distinct order gets its own
 * idempotency key: sending the same form twice (a double click) places it once. After an answer the page reloads
 * the market, so when a trade's fate is unknown (the server failed after it may have committed) the quote, and with
 * it the key, may have changed: the retry offered then resends the exact order that was sent, key and bound
 * included, which the server fills at most once.
 */
export function TradePanel({
  market,
  viewer,
  holding,
  rules,
  signInHref,
}: {
  market: PricedMarketView
  viewer: ViewerView | null
  holding: HoldingView | null
  rules: TradeRulesView
  signInHref: string
}) {
  const [state, action, pending] = useActionState(placeTradeAction, initial)
  const sent = useRef<FormData | null>(null)
  const send = (form: FormData) => {
    sent.current = form
    action(form)
  }
  const resend = () => {
    const form = sent.current
    if (form) startTransition(() => action(form))
  }
  const [side, setSide] = useState<TradeSide>('buy')
  const [outcome, setOutcome] = useState<Outcome>('yes')
  const [amount, setAmount] = useState('')
  // A filled order clears the amount (its receipt stays below): a second buy takes a new amount typed on purpose,
  // never one more click or Enter on the old one, and no new quote stands above the receipt to contradict it.
  const [answered, setAnswered] = useState(state)
  if (answered !== state) {
    setAnswered(state)
    if (state.status === 'filled') setAmount('')
  }
  const ids = useId()

  const held = {
    yes: BigInt(holding?.yesSharesMicro ?? '0'),
    no: BigInt(holding?.noSharesMicro ?? '0'),
  }
  const quote = useMemo<Quote>(
    () => computeQuote({ market, viewer, holding, rules, side, outcome, amount }),
    [market, viewer, holding, rules, side, outcome, amount],
  )

  // A fresh key whenever the order differs (or the previous one filled); the same key while it stays the same.
  const lastFill = state.status === 'filled' ? state.tradeId : 0
  const signature =
    quote.kind === 'ok'
      ? `${market.id}|${side}|${outcome}|${quote.amountMicro}|${limitValue(quote.limit)}|${lastFill}`
      : 'none'
  const [keyed, setKeyed] = useState({ signature: 'none', key: '' })
  if (keyed.signature !== signature) setKeyed({ signature, key: signature === 'none' ? '' : newKey() })

  const open = market.status === 'open' && Date.parse(market.closesAt) > Date.now()
  if (!open) return <TradingClosedNote />

  const verb = side === 'buy' ? 'Buy' : 'Sell'
  const outcomeLabel = outcome.toUpperCase()
  const amountId = `${ids}-amount`
  const quoteId = `${ids}-quote`

  return (
    <form action={send} className={`mt-5 ${panel}`} aria-label="Trade">
      <input type="hidden" name="marketId" value={market.id} />
      <input type="hidden" name="limitKind" value={quote.kind === 'ok' ? quote.limit.kind : ''} />
      <input type="hidden" name="limitValue" value={quote.kind === 'ok' ? limitValue(quote.limit) : ''} />
      <input type="hidden" name="idempotencyKey" value={keyed.key} />

      <div className="grid gap-3 sm:grid-cols-2">
        <Segmented
          legend="Side"
          name="side"
          value={side}
          onChange={(v) => setSide(v as TradeSide)}
          options={[
            { value: 'buy', label: 'Buy' },
            { value: 'sell', label: 'Sell' },
          ]}
        />
        <Segmented
          legend="Outcome"
          name="outcome"
          value={outcome}
          onChange={(v) => setOutcome(v as Outcome)}
          options={[
            { value: 'yes', label: `YES ${formatPercent(market.yesPrice)}` },
            { value: 'no', label: `NO ${formatPercent(1 - market.yesPrice)}` },
          ]}
        />
      </div>

      <div className="mt-4">
        <div className="flex items-baseline justify-between gap-2">
          <label htmlFor={amountId} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
            {side === 'buy' ? 'Amount to spend (credits)' : `${outcomeLabel} shares to sell`}
          </label>
          {side === 'sell' && held[outcome] > 0n ? (
            <button
              type="button"
              onClick={() => setAmount(formatMicro(held[outcome]))}
              className={`rounded text-xs font-medium text-sky-700 hover:underline dark:text-sky-400 ${focusRing}`}
            >
              All {formatCredits(held[outcome])}
            </button>
          ) : null}
        </div>
        <input
          id={amountId}
          name="amount"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          placeholder={side === 'buy' ? '10' : '5.5'}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          aria-describedby={quoteId}
          aria-invalid={quote.kind === 'refused' ? true : undefined}
          className="mt-1.5 w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base text-zinc-900 tabular-nums placeholder:text-zinc-400 focus:border-sky-600 focus:outline-2 focus:outline-sky-600 aria-invalid:border-rose-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        />
      </div>

      <div id={quoteId} aria-live="polite" className="mt-3 min-h-[4.5rem] text-sm" data-testid="trade-quote">
        <QuoteText quote={quote} outcome={outcome} />
      </div>

      <div className="mt-3 flex flex-wrap items-center gap-3">
        {viewer ? (
          <button
            type="submit"
            disabled={pending || quote.kind !== 'ok' || keyed.key === ''}
            className={`rounded-lg px-5 py-2 font-medium text-white transition-colors disabled:cursor-not-allowed disabled:opacity-50 ${
              outcome === 'yes' ? 'bg-emerald-600 hover:bg-emerald-700' : 'bg-rose-600 hover:bg-rose-700'
            } ${focusRing}`}
          >
            {pending ? 'Placing…' : `${verb} ${outcomeLabel}`}
          </button>
        ) : (
          <a
            href={signInHref}
            className={`rounded-lg bg-zinc-900 px-5 py-2 font-medium text-white dark:bg-zinc-100 dark:text-zinc-900 ${focusRing}`}
          >
            Sign in to trade
          </a>
        )}
        {viewer ? (
          <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="trade-holdings">
            Balance {formatCredits(viewer.balanceMicro)} credits
            {BigInt(viewer.heldMicro) > 0n
              ? ` (${formatCredits(viewer.heldMicro)} held until their markets settle)`
              : ''}{' '}
            · You hold {formatCredits(held.yes)} YES, {formatCredits(held.no)} NO
          </p>
        ) : null}
      </div>

      <TradeResult state={state} onResend={resend} pending={pending} />
    </form>
  )
}

/** What stands in for the trade panel once trading has closed and before the market is settled. */
export function TradingClosedNote() {
  return (
    <p className="mt-5 rounded-lg bg-zinc-100 px-4 py-3 text-sm text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300">
      Trading on this post has closed. The market waits for the next jury round.
    </p>
  )
}

function computeQuote(input: {
  market: PricedMarketView
  viewer: ViewerView | null
  holding: HoldingView | null
  rules: TradeRulesView
  side: TradeSide
  outcome: Outcome
  amount: string
}): Quote {
  if (input.amount.trim() === '') return { kind: 'empty' }
  const rules = {
    positionCapMicro: BigInt(input.rules.positionCapMicro),
    maxAmountMicro: BigInt(input.rules.maxAmountMicro),
  }
  try {
    const amountMicro = parseCreditsToMicro(
      input.amount,
      input.side === 'buy' ? 'amount to spend' : 'number of shares to sell',
      rules.maxAmountMicro,
    )
    const market: TradeMarketView = {
      id: input.market.id,
      status: input.market.status,
      closesAtMs: Date.parse(input.market.closesAt),
      state: {
        b: BigInt(input.market.state.b),
        qYes: BigInt(input.market.state.qYes),
        qNo: BigInt(input.market.state.qNo),
      },
    }
    // Signed out, the quote still shows the price; the balance is then no limit (trading needs signing in).
    const position = {
      spentMicro: BigInt(input.holding?.spentMicro ?? '0'),
      receivedMicro: BigInt(input.holding?.receivedMicro ?? '0'),
    }
    const trader = {
      balanceMicro: input.viewer ? BigInt(input.viewer.balanceMicro) : rules.maxAmountMicro,
      yesSharesMicro: BigInt(input.holding?.yesSharesMicro ?? '0'),
      noSharesMicro: BigInt(input.holding?.noSharesMicro ?? '0'),
      ...position,
      // What the account holds for its other markets (the server counts the same; this market's own held
      // proceeds are spendable here).
      heldElsewhereMicro: input.viewer ? heldElsewhere(BigInt(input.viewer.heldMicro), position) : 0n,
    }
    const fill = quoteTrade(
      market,
      trader,
      { marketId: market.id, side: input.side, outcome: input.outcome, amountMicro },
      rules,
      Date.now(),
    )
    return { kind: 'ok', amountMicro, fill, limit: panelLimit(fill) }
  } catch (err) {
    if (isCurationError(err)) return { kind: 'refused', message: err.message }
    throw err
  }
}

function QuoteText({ quote, outcome }: { quote: Quote; outcome: Outcome }) {
  if (quote.kind === 'empty') {
    return (
      <p className="text-zinc-600 dark:text-zinc-400">
        Each {outcome.toUpperCase()} share pays 1 credit if the post is sampled and the jury{' '}
        {outcome === 'yes' ? 'endorses' : 'rejects'} it.
      </p>
    )
  }
  if (quote.kind === 'refused') return <p className="text-rose-700 dark:text-rose-400">{quote.message}</p>
  const { fill, limit } = quote
  const shares = formatCredits(fill.sharesMicro)
  const money = formatCredits(fill.moneyMicro)
  const average = formatPrice(Number(fill.moneyMicro) / Number(fill.sharesMicro))
  const move = `YES ${formatPercent(fill.yesPriceBefore)} → ${formatPercent(fill.yesPriceAfter)}`
  const bound = (
    <p className="mt-1 text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="trade-limit">
      If others trade first, up to {Math.round(PRICE_TOLERANCE * 100)}% worse: {describeLimit(limit)}.
    </p>
  )
  return fill.side === 'buy' ? (
    <>
      <p className="text-zinc-800 tabular-nums dark:text-zinc-200">
        You pay <strong>{money} credits</strong> for <strong>{shares}</strong> {fill.outcome.toUpperCase()}{' '}
        shares (average {average}). <span className="text-zinc-600 dark:text-zinc-400">{move}</span>
      </p>
      {bound}
    </>
  ) : (
    <>
      <p className="text-zinc-800 tabular-nums dark:text-zinc-200">
        You receive <strong>{money} credits</strong> for {shares} {fill.outcome.toUpperCase()} shares (average{' '}
        {average}). <span className="text-zinc-600 dark:text-zinc-400">{move}</span>
      </p>
      {bound}
    </>
  )
}

function TradeResult({
  state,
  onResend,
  pending,
}: {
  state: TradeFormState
  onResend: () => void
  pending: boolean
}) {
  if (state.status === 'filled') {
    return (
      <p
        role="status"
        data-testid="trade-result"
        className="mt-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
      >
        {state.summary}
        {state.replayed ? ' (already placed; not repeated)' : ''}
      </p>
    )
  }
  if (state.status === 'refused') {
    return (
      <p
        role="alert"
        data-testid="trade-result"
        className="mt-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200"
      >
        {state.error.code === 'unavailable' ? (
          <>
            Something went wrong on our side, and the order may or may not have been placed: your holding
            above is as the server sees it now.{' '}
            <button
              type="button"
              onClick={onResend}
              disabled={pending}
              className={`font-medium underline underline-offset-2 disabled:opacity-50 ${focusRing}`}
            >
              Send the same order again
            </button>{' '}
            places it at most once.
          </>
        ) : (
          state.error.message
        )}
      </p>
    )
  }
  return null
}

function Segmented({
  legend,
  name,
  value,
  onChange,
  options,
}: {
  legend: string
  name: string
  value: string
  onChange: (value: string) => void
  options: { value: string; label: string }[]
}) {
  return (
    <fieldset>
      <legend className="sr-only">{legend}</legend>
      <div className="flex rounded-lg bg-zinc-100 p-1 dark:bg-zinc-900">
        {options.map((o) => (
          <label
            key={o.value}
            className="relative flex-1 cursor-pointer rounded-md px-3 py-1.5 text-center text-sm font-medium text-zinc-600 transition-colors select-none has-checked:bg-white has-checked:text-zinc-900 has-checked:shadow-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-600 dark:text-zinc-400 dark:has-checked:bg-zinc-700 dark:has-checked:text-zinc-50"
          >
            {/* The real radio covers its label, invisible: clicks, taps and the keyboard all land on it. */}
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              className="absolute inset-0 m-0 size-full cursor-pointer appearance-none opacity-0"
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  )
}

function limitValue(limit: TradeLimit): string {
  switch (limit.kind) {
    case 'max_average_price':
      return String(limit.price)
    case 'min_proceeds':
      return limit.proceedsMicro.toString()
    case 'min_shares':
      return limit.sharesMicro.toString()
  }
}

/** 128 random bits as hex; getRandomValues works on any origin (randomUUID needs a secure context). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `t-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}
