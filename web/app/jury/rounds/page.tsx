import type { Metadata } from 'next'
import { StatusBadge, Time } from '../../../components/jury/round-parts'
import { getWebServices } from '../../../server/db'
import { loadRoundList } from '../../../server/jury/queries'

export const metadata: Metadata = { title: 'Jury rounds — Curia' }
export const dynamic = 'force-dynamic'

const th = 'px-2 py-2 text-left text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400'
const td = 'px-2 py-2.5 align-top tabular-nums'

/** Every round, newest first: what each has published so far. */
export default async function RoundsPage() {
  const rounds = await loadRoundList(await getWebServices().database)
  return (
    <div className="px-4 py-6 sm:px-6">
      <a href="/jury" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
        ← Jury
      </a>
      <h1 className="mt-2 font-serif text-2xl font-semibold tracking-tight">Jury rounds</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Each round commits to a secret seed, freezes the markets that closed in its window, reveals the seed
        mixed with a public beacon to draw a sample anyone can recompute, and takes one anonymous ballot per
        juror. Tallies and ballots are published when voting closes, with an export anyone can verify.
      </p>
      {rounds.length === 0 ? (
        <p className="mt-6 text-sm text-zinc-600 dark:text-zinc-400" data-testid="rounds-empty">
          No round has opened yet.
        </p>
      ) : (
        <div className="mt-5 overflow-x-auto">
          <table className="w-full min-w-[36rem] text-sm" data-testid="rounds">
            <thead className="border-b border-zinc-200 dark:border-zinc-800">
              <tr>
                <th scope="col" className={th}>
                  Round
                </th>
                <th scope="col" className={th}>
                  Status
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Jurors
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Eligible
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Sampled
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Ballots
                </th>
                <th scope="col" className={th}>
                  Voting ends
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
              {rounds.map((r) => (
                <tr key={r.id} data-testid="round-row" data-round={r.id}>
                  <td className={td}>
                    <a
                      href={`/jury/rounds/${r.id}`}
                      className="font-medium whitespace-nowrap text-sky-700 hover:underline dark:text-sky-400"
                    >
                      Round {r.id}
                    </a>
                  </td>
                  <td className={td}>
                    <StatusBadge status={r.status} settled={r.settledAt !== null} />
                  </td>
                  <td className={`${td} text-right`}>{r.members}</td>
                  <td className={`${td} text-right`}>{r.eligible ?? '—'}</td>
                  <td className={`${td} text-right`}>{r.sampled ?? '—'}</td>
                  <td className={`${td} text-right`}>{r.ballots ?? '—'}</td>
                  <td className={td}>
                    <Time iso={r.votingEndsAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
