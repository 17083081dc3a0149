import { CurationError } from '../errors'
import { MICRO } from './lmsr'

/**
 * Strict parsing of the amounts a curator types or a client sends. Money and shares are integers in micro units;
 * anything else (zero, negative, fractional, NaN, exponent notation, a number past 2^53 that JavaScript already
 * rounded, or past the configured ceiling) is refused with a message a person can act on, before any state is read.
 *
 * Pure: no I/O.
 */

const DIGITS = /^[0-9]+$/
/**
 * Whole credits, optionally with up to six decimals (one micro-credit), after a point or a comma (a phone's decimal
 * keyboard in much of the world has only the comma). No sign, no exponent, no thousands separators.
 */
const CREDITS = /^([0-9]+)(?:[.,]([0-9]{1,6}))?$/
/** "1,000": a thousand in English, one in much of Europe. Refused rather than guessed. */
const AMBIGUOUS_COMMA = /^[0-9]{1,3},[0-9]{3}$/

/** `what` names the field in messages, e.g. "amount" or "minimum proceeds". */
export function parseAmountMicro(value: unknown, what: string, maxMicro: bigint): bigint {
  const micro = toBigInt(value, what)
  if (micro <= 0n) throw new CurationError('bad_amount', `The ${what} must be more than zero.`)
  if (micro > maxMicro) {
    throw new CurationError(
      'bad_amount',
      `The ${what} is too large: at most ${formatMicro(maxMicro)} credits or shares.`,
    )
  }
  return micro
}

/** Like `parseAmountMicro` but zero is allowed (a slippage floor of nothing). */
export function parseNonNegativeMicro(value: unknown, what: string, maxMicro: bigint): bigint {
  const micro = toBigInt(value, what)
  if (micro < 0n) throw new CurationError('bad_amount', `The ${what} cannot be negative.`)
  if (micro > maxMicro) throw new CurationError('bad_amount', `The ${what} is too large.`)
  return micro
}

/** "12.5" (or "12,5") credits -> 12_500_000n micro-credits; the web form's input. */
export function parseCreditsToMicro(text: unknown, what: string, maxMicro: bigint): bigint {
  return parseAmountMicro(creditsToMicro(text, what), what, maxMicro)
}

/** The format half of `parseCreditsToMicro`: any non-negative amount, zero included, no ceiling but length. */
export function creditsToMicro(text: unknown, what: string): bigint {
  if (typeof text !== 'string')
    throw new CurationError('bad_amount', `The ${what} must be a number of credits.`)
  const trimmed = text.trim()
  if (AMBIGUOUS_COMMA.test(trimmed)) {
    throw new CurationError(
      'bad_amount',
      `The ${what} “${trimmed}” could mean ${trimmed.replace(',', '')} or ${trimmed.replace(',', '.')}: write it without the comma, or with a point for decimals.`,
    )
  }
  const m = CREDITS.exec(trimmed)
  if (!m || m[1]!.length > 24) {
    throw new CurationError(
      'bad_amount',
      `The ${what} must be a plain number of credits with at most six decimals, like 12.5.`,
    )
  }
  const whole = BigInt(m[1]!)
  const fraction = BigInt((m[2] ?? '').padEnd(6, '0'))
  return whole * MICRO + fraction
}

/** 12_500_000n -> "12.5". */
export function formatMicro(micro: bigint): string {
  const sign = micro < 0n ? '-' : ''
  const abs = micro < 0n ? -micro : micro
  const whole = abs / MICRO
  const fraction = (abs % MICRO).toString().padStart(6, '0').replace(/0+$/, '')
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`
}

function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CurationError('bad_amount', `The ${what} must be a number.`)
    if (!Number.isInteger(value)) {
      throw new CurationError('bad_amount', `The ${what} must be a whole number of micro units.`)
    }
    // Past 2^53 the number the caller meant may already have been rounded; refuse rather than guess.
    if (!Number.isSafeInteger(value)) throw new CurationError('bad_amount', `The ${what} is too large.`)
    return BigInt(value)
  }
  if (typeof value === 'string') {
    const s = value.trim()
    if (s.startsWith('-')) throw new CurationError('bad_amount', `The ${what} cannot be negative.`)
    if (!DIGITS.test(s)) {
      throw new CurationError('bad_amount', `The ${what} must be a whole number of micro units.`)
    }
    // Bound the length before BigInt so a megabyte of digits costs nothing.
    if (s.replace(/^0+/, '').length > 30) throw new CurationError('bad_amount', `The ${what} is too large.`)
    return BigInt(s)
  }
  throw new CurationError('bad_amount', `The ${what} must be a number.`)
}
