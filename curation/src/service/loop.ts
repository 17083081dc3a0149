/**
 * A background job of the curation service: one run at a time (`runNow` joins the run in flight), the next run
 * `nextDelayMs` after the last one ended, a failed run logged (`<name>: run failed, retrying next run: ...`) and
 * retried on schedule, the timer never keeping the process alive, and `stop` waiting for the run in flight.
 * `run` gets a signal that aborts when the loop stops, to end a long run between steps.
 */
export interface BackgroundLoop<T> {
  runNow(): Promise<T | undefined>
  stop(): Promise<void>
}

export function startLoop<T>(opts: {
  name: string
  run: (signal: AbortSignal) => Promise<T>
  firstDelayMs: number
  /** Delay before the next run, given what the last one returned (undefined: it failed). */
  nextDelayMs: (result: T | undefined) => number
  log: (line: string) => void
}): BackgroundLoop<T> {
  const aborter = new AbortController()
  let running: Promise<T | undefined> | undefined
  let timer: NodeJS.Timeout | undefined
  const runNow = () =>
    (running ??= opts
      .run(aborter.signal)
      .catch((err: unknown) => {
        opts.log(`${opts.name}: run failed, retrying next run: ${(err as Error).message}`)
        return undefined
      })
      .finally(() => {
        running = undefined
      }))
  const schedule = (delayMs: number) => {
    if (aborter.signal.aborted) return
    timer = setTimeout(() => void runNow().then((result) => schedule(opts.nextDelayMs(result))), delayMs)
    timer.unref()
  }
  schedule(opts.firstDelayMs)
  return {
    runNow,
    async stop() {
      aborter.abort()
      clearTimeout(timer)
      await running
    },
  }
}
