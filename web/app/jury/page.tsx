import type { Metadata } from 'next'
import { EnrollmentPanel } from '../../components/jury/enrollment-panel'
import { formatAbsoluteTime } from '../../lib/format'
import { signInPath } from '../../lib/sign-in-path'
import { panel } from '../../lib/styles'
import { getSession } from '../../server/auth/session'
import { getWebServices } from '../../server/db'
import { getJuryWebConfig } from '../../server/jury/config'
import { loadEnrollment } from '../../server/jury/enrollment'
import { loadJuryAgenda, loadJurySize } from '../../server/jury/queries'

export const metadata: Metadata = { title: 'Jury — Curia' }
export const dynamic = 'force-dynamic'

/**
 * The jury's front door: the round that is voting now, joining (for the signed-in person), the juror's identity
 * backup and invites, and the way to every round's public record.
 */
export default async function JuryPage() {
  const [session, database] = await Promise.all([getSession(), getWebServices().database])
  const [{ voting, next }, size, enrollment] = await Promise.all([
    loadJuryAgenda(database),
    loadJurySize(database),
    session
      ? loadEnrollment(database, { did: session.did, now: new Date(), config: getJuryWebConfig() })
      : null,
  ])

  return (
    <div className="px-4 py-6 sm:px-6">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">The jury</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        {size} verified {size === 1 ? 'human judges' : 'humans judge'} a random sample of the posts curators
        bet on. Each juror casts one anonymous ballot per round, proved in their own browser; the verdicts
        settle the bets. Nobody, Curia included, can tell who cast which ballot.{' '}
        <a href="/jury/rounds" className="text-sky-700 underline dark:text-sky-400">
          Every round&apos;s public record
        </a>
        .
      </p>

      {voting ? (
        <div
          className="mt-5 rounded-2xl bg-sky-50 p-4 sm:p-5 dark:bg-sky-950"
          data-testid="jury-voting-round"
        >
          <p className="text-sm font-medium text-sky-900 dark:text-sky-100">
            Round {voting.id} is voting until {formatAbsoluteTime(voting.votingEndsAt!)}.
          </p>
          <a
            href={`/jury/rounds/${voting.id}/ballot`}
            className="mt-3 inline-block rounded-full bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800"
          >
            Open the ballot
          </a>
        </div>
      ) : (
        <p
          className="mt-5 rounded-2xl bg-zinc-100 p-4 text-sm text-zinc-700 sm:p-5 dark:bg-zinc-900 dark:text-zinc-300"
          data-testid="jury-next-round"
        >
          No round is taking ballots right now.{' '}
          {next === undefined
            ? 'The next round has not opened yet.'
            : next.status === 'committed'
              ? `Round ${next.id} is gathering the markets that close before ${formatAbsoluteTime(next.windowEndsAt)}; its ballot opens soon after.`
              : `Round ${next.id} is drawing its sample; its ballot opens within minutes.`}
        </p>
      )}

      <div className="mt-6">
        {enrollment ? (
          <EnrollmentPanel view={enrollment} />
        ) : (
          <div className={panel}>
            <h2 className="text-base font-semibold">Join the jury</h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              Sign in with Bluesky to enroll with an invite code, the operator&apos;s allowlist or a
              verified-human wallet. Already a juror? Voting needs no sign-in: the ballot page uses the
              identity stored in your browser.
            </p>
            <a
              href={signInPath('/jury')}
              className="mt-3 inline-block rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
            >
              Sign in
            </a>
          </div>
        )}
      </div>
    </div>
  )
}
