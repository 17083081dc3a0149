/** The keyboard focus outline every interactive element shares. */
export const focusRing =
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600'

/** The filled button of a panel's main action. */
export const buttonPrimary = `rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white transition-colors hover:bg-zinc-700 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300 ${focusRing}`

/** The outlined button of a secondary action (`small` for one inside a list row). */
export function buttonSecondary(size: 'normal' | 'small' = 'normal'): string {
  const box = size === 'small' ? 'px-3 py-1 text-xs' : 'px-3.5 py-1.5 text-sm'
  return `rounded-full border border-zinc-300 ${box} font-medium text-zinc-800 transition-colors hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:text-zinc-100 dark:hover:bg-zinc-900 ${focusRing}`
}

/** A bordered panel within a page. */
export const panel = 'rounded-2xl border border-zinc-200 p-4 sm:p-5 dark:border-zinc-800'
