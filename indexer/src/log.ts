/** Where the indexer writes its log lines. Embedders pass their own; the default writes to the console. */
export interface IndexerLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export function createConsoleLogger(prefix = '[indexer]'): IndexerLogger {
  return {
    info: (message) => console.log(`${prefix} ${message}`),
    warn: (message) => console.warn(`${prefix} ${message}`),
    error: (message) => console.error(`${prefix} ${message}`),
  }
}

/**
 * Lets one line per key through every `intervalMs` and counts what it held back, so a flood of bad records costs a
 * log line per reason per interval instead of one per record. Time is passed in.
 */
export class LogThrottle {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>()
  constructor(private readonly intervalMs: number) {}

  /** Returns how many lines were suppressed since the last one let through, or `undefined` to stay quiet. */
  admit(key: string, nowMs: number): number | undefined {
    const entry = this.last.get(key)
    if (entry && nowMs - entry.atMs < this.intervalMs) {
      entry.suppressed++
      return undefined
    }
    const suppressed = entry?.suppressed ?? 0
    this.last.set(key, { atMs: nowMs, suppressed: 0 })
    return suppressed
  }
}

/** One line for an error, with its cause chain: postgres.js and ws errors carry the useful part in `code`. */
export function describeError(err: unknown): string {
  const parts: string[] = []
  let current: unknown = err
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      const message =
        current.message || (current instanceof AggregateError ? describeError(current.errors[0]) : '')
      parts.push(
        typeof code === 'string' && !message.includes(code) ? `${message} (${code})`.trim() : message,
      )
      current = current.cause
    } else {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current))
      break
    }
  }
  return parts.filter((p) => p.length > 0).join(': ') || 'unknown error'
}
