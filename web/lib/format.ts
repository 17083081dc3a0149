/**
 * Date and number formatting for post cards. Hand-rolled rather than `Intl` on purpose: the server and the browser
 * render the same card and must produce the same string (hydration), and ICU data differs between Node and
 * browsers (spaces, abbreviations, the viewer's time zone). A fixed English/UTC format cannot drift.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

export interface RelativeTime {
  /** Compact, for display: `now`, `42s`, `5m`, `3h`, `6d`, `Mar 4`, `Mar 4, 2024`. */
  short: string
  /** For assistive technology: `5 minutes ago`, `on Mar 4, 2024`. */
  long: string
}

export function formatRelativeTime(iso: string, nowMs: number): RelativeTime {
  const thenMs = Date.parse(iso)
  if (Number.isNaN(thenMs)) return { short: '', long: '' }
  const ageMs = nowMs - thenMs
  // A timestamp in the future (a skewed clock or a record that lies) gets its date rather than "now".
  if (ageMs < -MINUTE_MS || ageMs >= 7 * DAY_MS) {
    const d = new Date(thenMs)
    const sameYear = d.getUTCFullYear() === new Date(nowMs).getUTCFullYear()
    const date = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}${sameYear ? '' : `, ${d.getUTCFullYear()}`}`
    return { short: date, long: `on ${date}` }
  }
  if (ageMs < 5_000) return { short: 'now', long: 'just now' }
  if (ageMs < MINUTE_MS) return unit(Math.floor(ageMs / 1000), 's', 'second')
  if (ageMs < HOUR_MS) return unit(Math.floor(ageMs / MINUTE_MS), 'm', 'minute')
  if (ageMs < DAY_MS) return unit(Math.floor(ageMs / HOUR_MS), 'h', 'hour')
  return unit(Math.floor(ageMs / DAY_MS), 'd', 'day')
}

function unit(n: number, suffix: string, word: string): RelativeTime {
  return { short: `${n}${suffix}`, long: `${n} ${word}${n === 1 ? '' : 's'} ago` }
}

/**
 * A configured length of time in words: `2 minutes`, `8 hours`, `48 hours`, `7 days` (whole days from three days up;
 * never `0 hours` for a window shorter than an hour).
 */
export function formatDuration(ms: number): string {
  const words = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  if (ms < 90 * MINUTE_MS) return words(Math.max(1, Math.round(ms / MINUTE_MS)), 'minute')
  const hours = Math.round(ms / HOUR_MS)
  return hours >= 72 && hours % 24 === 0 ? words(hours / 24, 'day') : words(hours, 'hour')
}

/** `Mar 4, 2026, 14:05 UTC`. */
export function formatAbsoluteTime(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ''
  const d = new Date(ms)
  const hh = String(d.getUTCHours()).padStart(2, '0')
  const mm = String(d.getUTCMinutes()).padStart(2, '0')
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hh}:${mm} UTC`
}

/** `999`, `1.2K`, `12K`, `3.4M`: counts as Bluesky shows them. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '0'
  if (n < 1000) return String(Math.floor(n))
  for (const [size, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ] as const) {
    if (n >= size) {
      const scaled = n / size
      // One decimal below 10 (1.2K), none above (12K); truncate so 1999 reads 1.9K, never an overstated 2K.
      const shown = scaled < 10 ? Math.floor(scaled * 10) / 10 : Math.floor(scaled)
      return `${shown}${suffix}`
    }
  }
  return String(n)
}

/**
 * A one-line excerpt of untrusted text: runs of whitespace (newlines included) become one space, and text longer
 * than `max` characters is cut to `max - 1` and an ellipsis. Counts code points, so a cut never splits an emoji's
 * surrogate pair.
 */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim())
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`
}
