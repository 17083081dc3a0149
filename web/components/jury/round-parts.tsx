import type { ReactNode } from 'react'
import type { RoundSummary } from '@curia/curation/service/round'
import { formatAbsoluteTime } from '../../lib/format'
import type { TradedPostChange } from '../../lib/jury/types'

/** Pieces shared by the jury's server-rendered pages. */

export const STATUS_TEXT: Record<RoundSummary['status'], string> = {
  committed: 'Collecting',
  frozen: 'Waiting for the beacon',
  voting: 'Voting',
  closed: 'Closed',
}

export function StatusBadge({ status, settled }: { status: RoundSummary['status']; settled?: boolean }) {
  const tone =
    status === 'voting'
      ? 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200'
      : status === 'closed'
        ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200'
        : 'bg-zinc-100 text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300'
  return (
    <span
      className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ${tone}`}
      data-testid="round-status"
    >
      {STATUS_TEXT[status]}
      {status === 'closed' && settled ? ', settled' : ''}
    </span>
  )
}

const CHANGED_SINCE: Record<TradedPostChange, string> = {
  deleted: 'Its author has since deleted this post.',
  rewritten: 'Its author has since replaced this post with another at the same address.',
  account: 'Its author has since deactivated or deleted their account.',
}

/**
 * Above a ballot's post that its author changed after curators bet on it: the juror judges it as it was, so that
 * deleting a post once sampled does not void the bets on it.
 */
export function ChangedSinceNote({ change }: { change: TradedPostChange }) {
  return (
    <p
      className="mx-4 mt-3 rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-900 sm:mx-5 dark:bg-amber-950 dark:text-amber-200"
      data-testid="ballot-changed-since"
    >
      {CHANGED_SINCE[change]} Judge it as it was when curators bet on it, shown here.
    </p>
  )
}

export function DeletedPost({ postUri, bskyUrl }: { postUri: string; bskyUrl: string | null }) {
  return (
    <div className="px-4 py-4 text-sm text-zinc-600 sm:px-5 dark:text-zinc-400">
      <p>Curia no longer has this post (it may have been deleted).</p>
      <p className="mt-1 break-all text-xs">
        {bskyUrl ? (
          <a
            href={bskyUrl}
            target="_blank"
            rel="noopener noreferrer"
            className="text-sky-700 underline dark:text-sky-400"
          >
            {postUri}
          </a>
        ) : (
          postUri
        )}
      </p>
    </div>
  )
}

/** A definition list row (long hashes inside it are `Hash`, which breaks anywhere). */
export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="py-2 sm:grid sm:grid-cols-[11rem_1fr] sm:gap-3">
      <dt className="text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        {label}
      </dt>
      <dd
        className="mt-0.5 min-w-0 text-sm break-words text-zinc-900 sm:mt-0 dark:text-zinc-100"
        data-testid={testId}
      >
        {children}
      </dd>
    </div>
  )
}

export function Hash({ value }: { value: string }) {
  return <code className="font-mono text-xs break-all">{value}</code>
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-400">—</span>
  return <time dateTime={iso}>{formatAbsoluteTime(iso)}</time>
}

export function describeBeacon(beacon: RoundSummary['beacon']): string {
  if (beacon.kind === 'operator') return "The operator's reveal alone (no public randomness)"
  const block = beacon.number === undefined ? 'a block chosen at freeze' : `block ${beacon.number}`
  return `Ethereum chain ${beacon.chainId}, ${block}${beacon.hash ? `, hash ${beacon.hash}` : ' (not mined yet)'}`
}
