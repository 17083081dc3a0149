'use client'

import { useEffect, useState } from 'react'
import type { StoredIdentity } from '../../lib/jury/identity-store'
import type { ProveProgress } from '../../lib/jury/prover'
import { focusRing } from '../../lib/styles'

/** What the ballot form and the human-grant panel show alike while this device proves with a juror identity. */

export function percent(loaded: number, total: number): string {
  return `${Math.min(100, Math.floor((loaded / Math.max(1, total)) * 100))}%`
}

/**
 * The proof's phase, a running clock and a bar: bytes while downloading. The clock ticks every 100 ms while this is
 * shown: the person sees the page is alive (and bench/prove.ts measures that it stays so). Only the phase is a live
 * region, so a screen reader announces each new phase once; the clock and the download's percentage beside it are
 * read on demand, never announced ten times a second.
 */
export function ProvingStatus({
  progress,
  startedAt,
  bytes,
  testId,
  barLabel,
}: {
  progress: ProveProgress
  startedAt: number
  /** The prover files' download, when known. */
  bytes: { loaded: number; total: number } | null
  testId: string
  barLabel: string
}) {
  const [now, setNow] = useState(startedAt)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100)
    return () => clearInterval(timer)
  }, [])
  const phase =
    progress.phase === 'artifacts'
      ? 'Downloading the prover files…'
      : progress.phase === 'group'
        ? "Rebuilding the jury's tree from every member…"
        : 'Proving you are a juror, without saying which one…'
  return (
    <div className="mt-3" data-testid={testId} data-phase={`proving:${progress.phase}`}>
      <p className="text-sm text-zinc-700 dark:text-zinc-200">
        <span role="status">{phase}</span>{' '}
        {progress.phase === 'artifacts' && bytes ? <span>{percent(bytes.loaded, bytes.total)} </span> : null}
        <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
          {(Math.max(0, now - startedAt) / 1000).toFixed(1)} s
        </span>
      </p>
      {/* Indeterminate while proving (snarkjs reports no progress); a byte count while downloading. */}
      <progress
        className="mt-2 h-1.5 w-full accent-sky-600"
        aria-label={barLabel}
        {...(progress.phase === 'artifacts' && bytes
          ? { value: bytes.loaded, max: Math.max(1, bytes.total) }
          : {})}
      />
    </div>
  )
}

/** A choice among the juror identities this device holds (when it holds more than one). */
export function IdentitySelect({
  id,
  label,
  identities,
  chosen,
  onChoose,
  disabled,
  className = '',
}: {
  id: string
  label: string
  identities: StoredIdentity[]
  chosen: string
  onChoose: (commitment: string) => void
  disabled: boolean
  className?: string
}) {
  return (
    <label htmlFor={id} className={`flex flex-wrap items-center gap-2 text-sm ${className}`}>
      <span className="text-zinc-600 dark:text-zinc-300">{label}</span>
      <select
        id={id}
        value={chosen}
        disabled={disabled}
        onChange={(e) => onChoose(e.target.value)}
        className={`rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900 ${focusRing}`}
      >
        {identities.map((i) => (
          <option key={i.commitment} value={i.commitment}>
            {i.did ?? 'an imported identity'} ({i.commitment.slice(0, 8)}…)
          </option>
        ))}
      </select>
    </label>
  )
}
