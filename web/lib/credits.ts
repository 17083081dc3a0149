/**
 * Credits and prices for display. Amounts arrive as micro-unit strings or bigints and are formatted with bigint
 * arithmetic (no float rounding of money); like lib/format.ts, hand-rolled so server and browser agree.
 */

const MICRO = 1_000_000n

/** `column`: keep trailing zeros (`0.80`, `1,000.00`), so a right-aligned column of amounts lines up. */
export interface CreditsFormat {
  column?: boolean
}

/**
 * `1234567890` micro -> `1,234.57`. Rounded half away from zero to `decimals` (default 2) and trailing zeros
 * dropped, so whole amounts read `1,000` (kept in a `column`).
 */
export function formatCredits(micro: bigint | string, decimals = 2, format: CreditsFormat = {}): string {
  const value = typeof micro === 'bigint' ? micro : toBigInt(micro)
  const negative = value < 0n
  const abs = negative ? -value : value
  const scale = 10n ** BigInt(6 - decimals)
  const rounded = (abs + scale / 2n) / scale // in units of 10^-decimals credits
  const unit = 10n ** BigInt(decimals)
  const whole = (rounded / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const digits = decimals > 0 ? (rounded % unit).toString().padStart(decimals, '0') : ''
  const fraction = format.column ? digits : digits.replace(/0+$/, '')
  const sign = negative && rounded > 0n ? '−' : ''
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Profit with an explicit sign: `+12.5`, `−3`, `0` (in a `column`: `+12.50`, `−3.00`, `0.00`). */
export function formatSignedCredits(micro: bigint | string, format: CreditsFormat = {}): string {
  const value = typeof micro === 'bigint' ? micro : toBigInt(micro)
  const text = formatCredits(value, 2, format)
  return value > 0n && /[1-9]/.test(text) ? `+${text}` : text
}

/** A YES price as a percentage: `62%`; one decimal near the ends (`99.4%`, `0.6%`), where rounding would lie. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '—'
  const pct = p * 100
  if (pct > 0 && pct < 1) return `${pct.toFixed(1)}%`
  if (pct > 99 && pct < 100) return `${Math.min(pct, 99.9).toFixed(1)}%`
  return `${Math.round(pct)}%`
}

/** An average price per share: `0.5486`. */
export function formatPrice(p: number): string {
  return Number.isFinite(p) ? p.toFixed(4) : '—'
}

function toBigInt(text: string): bigint {
  return /^-?\d{1,40}$/.test(text) ? BigInt(text) : 0n
}

export { MICRO }
