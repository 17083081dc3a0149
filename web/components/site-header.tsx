import { CuriaMark } from './icons'
import { MainNav } from './main-nav'

export function SiteHeader() {
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950">
      <div className="mx-auto max-w-2xl px-4 pt-4 pb-3.5 sm:px-5">
        <div className="flex items-center justify-between gap-4">
          <a
            href="/"
            className="flex items-center gap-3 rounded-md focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-sky-600"
          >
            <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-zinc-900 text-amber-300 dark:bg-zinc-100 dark:text-amber-700">
              <CuriaMark width={24} height={24} />
            </span>
            <span className="font-serif text-[1.7rem] leading-none font-semibold tracking-tight">Curia</span>
          </a>
          <MainNav />
        </div>
        <p className="mt-2.5 text-sm text-zinc-500 dark:text-zinc-400">
          A Bluesky feed ranked by forecasters and kept honest by a jury of verified humans.
        </p>
      </div>
    </header>
  )
}
