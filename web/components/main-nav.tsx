'use client'

import { usePathname } from 'next/navigation'

const LINKS = [
  { href: '/', label: 'Feed', signedInOnly: false },
  { href: '/leaderboard', label: 'Leaderboard', signedInOnly: false },
  { href: '/portfolio', label: 'Portfolio', signedInOnly: true },
  { href: '/open', label: 'Open a market', signedInOnly: false },
  { href: '/jury', label: 'Jury', signedInOnly: false },
  { href: '/about', label: 'How it works', signedInOnly: false },
] as const

const OPERATOR_LINK = { href: '/operator', label: 'Operator', signedInOnly: true }

const navLink =
  'block whitespace-nowrap rounded-full px-3 py-1.5 text-sm font-medium text-zinc-600 transition-colors hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 aria-[current=page]:bg-zinc-100 aria-[current=page]:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-900 dark:hover:text-zinc-100 dark:aria-[current=page]:bg-zinc-900 dark:aria-[current=page]:text-zinc-100'

/**
 * The site's links. On a narrow screen they wrap onto a second row rather than scrolling sideways: a row that
 * scrolls hides its last links (How it works, Operator) with nothing to say they are there.
 */
export function MainNav({ signedIn, operator = false }: { signedIn: boolean; operator?: boolean }) {
  const pathname = usePathname()
  const links = [...LINKS.filter((l) => signedIn || !l.signedInOnly), ...(operator ? [OPERATOR_LINK] : [])]
  return (
    <nav aria-label="Main" className="-mx-1 mt-2">
      <ul className="flex flex-wrap items-center gap-x-1 gap-y-0.5 px-1 pb-1">
        {links.map((link) => (
          <li key={link.href} className="shrink-0">
            <a
              href={link.href}
              aria-current={pathname === link.href ? 'page' : undefined}
              className={navLink}
            >
              {link.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}
