export type LeaderboardBy = 'profit' | 'skill'

const TABS: { by: LeaderboardBy; label: string }[] = [
  { by: 'profit', label: 'Profit' },
  { by: 'skill', label: 'Skill' },
]

const tab =
  'block whitespace-nowrap rounded-full border px-3.5 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ' +
  'border-zinc-200 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:border-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-900 dark:hover:text-zinc-100 ' +
  'aria-[current=page]:border-zinc-900 aria-[current=page]:bg-zinc-900 aria-[current=page]:text-white dark:aria-[current=page]:border-zinc-100 dark:aria-[current=page]:bg-zinc-100 dark:aria-[current=page]:text-zinc-900'

/**
 * The two boards as plain links (`?by=profit|skill`): each is its own URL, works without JavaScript, and is
 * reached with Tab like any link. The current one carries aria-current="page".
 */
export function LeaderboardTabs({ current }: { current: LeaderboardBy }) {
  return (
    <nav aria-label="Leaderboards" className="mt-4">
      <ul className="flex gap-2">
        {TABS.map((t) => (
          <li key={t.by}>
            <a
              href={`/leaderboard?by=${t.by}`}
              aria-current={t.by === current ? 'page' : undefined}
              className={tab}
              data-testid={`leaderboard-tab-${t.by}`}
            >
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}
