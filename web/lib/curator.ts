/**
 * A curator's page and the skill figures for display, shared by the leaderboard, the curator page and the
 * portfolio. Hand-rolled like lib/format.ts, so server and browser agree.
 */
import { isDid } from './bsky-urls'

/**
 * `/curator/<did>`. A DID's characters are literal in a URL path except `%` (did:web ports: `localhost%3A3000`),
 * which is escaped so the segment decodes back to the DID itself. Null for anything that is not a DID.
 */
export function curatorPath(did: string): string | null {
  return isDid(did) ? `/curator/${did.replaceAll('%', '%25')}` : null
}

/** A Brier score (0 perfect, 0.25 a coin flip): `0.0423`. */
export function formatBrier(brier: number | null): string {
  return brier === null || !Number.isFinite(brier) ? '—' : brier.toFixed(4)
}

/** A mean log score (0 perfect, −0.693 a coin flip): `−0.213`, with a real minus sign. */
export function formatLogScore(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return '—'
  const text = Math.abs(score).toFixed(3)
  return score < 0 && text !== '0.000' ? `−${text}` : text
}

/** A Brier skill score against the market, as a signed percentage: `+31%`, `−12%`, `0%`. */
export function formatSkill(skill: number | null): string {
  if (skill === null || !Number.isFinite(skill)) return '—'
  const pct = Math.round(skill * 100)
  if (pct === 0) return '0%'
  return pct > 0 ? `+${pct}%` : `−${-pct}%`
}

/** `70–80%`: a calibration bin's forecast range. */
export function binRange(bin: { lower: number; upper: number }): string {
  return `${Math.round(bin.lower * 100)}–${Math.round(bin.upper * 100)}%`
}

/** Text colour for a signed figure: green above zero, red below. */
export function signColour(sign: number): string {
  if (sign > 0) return 'text-emerald-700 dark:text-emerald-400'
  if (sign < 0) return 'text-rose-700 dark:text-rose-400'
  return ''
}
