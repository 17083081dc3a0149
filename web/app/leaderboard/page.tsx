import type { Metadata } from 'next'
import { connection } from 'next/server'
import { ProfitBoard, SkillBoard } from '../../components/leaderboard-boards'
import { LeaderboardTabs, type LeaderboardBy } from '../../components/leaderboard-tabs'
import { getWebServices } from '../../server/db'
import { loadLeaderboard } from '../../server/queries/market'
import { loadSkillLeaderboard, parseSkillMinMarkets } from '../../server/queries/skill'

export const metadata: Metadata = { title: 'Leaderboard — Curia' }

type SearchParams = Record<string, string | string[] | undefined>

/** Two boards on one page: `?by=profit` (the default) and `?by=skill`; anything else is the default. */
export default async function LeaderboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection()
  const query = await searchParams
  const by: LeaderboardBy = query.by === 'skill' ? 'skill' : 'profit'
  const database = await getWebServices().database

  return (
    <div className="px-4 py-6 sm:px-6">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Leaderboard</h1>
      <LeaderboardTabs current={by} />
      {by === 'skill' ? (
        <SkillBoard
          board={await loadSkillLeaderboard(database, { minMarkets: parseSkillMinMarkets(query.min) })}
        />
      ) : (
        <ProfitBoard rows={await loadLeaderboard(database)} />
      )}
    </div>
  )
}
