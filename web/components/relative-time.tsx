import { formatAbsoluteTime, formatRelativeTime } from '../lib/format'

/**
 * "3h", with the exact time as its tooltip and machine-readable `dateTime`. `nowMs` is passed in, not read, so the
 * server's render and the browser's hydration agree.
 */
export function RelativeTime({ iso, nowMs, className }: { iso: string; nowMs: number; className?: string }) {
  return (
    <time dateTime={iso} title={formatAbsoluteTime(iso)} className={className}>
      {formatRelativeTime(iso, nowMs).short}
    </time>
  )
}
