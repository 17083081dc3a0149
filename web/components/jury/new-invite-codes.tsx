import { formatAbsoluteTime } from '../../lib/format'

/** Invite codes just created: shown once (only their hashes are stored), each with its expiry. */
export function NewInviteCodes({
  invites,
  testId,
}: {
  invites: readonly { code: string; expiresAt: string }[]
  testId: string
}) {
  if (invites.length === 0) return null
  return (
    <ul className="mt-3 space-y-2">
      {invites.map((m) => (
        <li key={m.code} className="rounded-lg bg-zinc-100 px-3 py-2 dark:bg-zinc-900">
          <p className="font-mono text-sm break-all" data-testid={testId}>
            {m.code}
          </p>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            Shown once: Curia keeps only its hash. Expires {formatAbsoluteTime(m.expiresAt)}.
          </p>
        </li>
      ))}
    </ul>
  )
}
