import { signInPath } from '../lib/sign-in-path'

/** A page that needs someone signed in, shown to someone who is not: what it is, and the way in and back. */
export function SignInPrompt({ title, text, returnTo }: { title: string; text: string; returnTo: string }) {
  return (
    <div className="px-5 py-10 sm:px-8">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">{text}</p>
      <a
        href={signInPath(returnTo)}
        className="mt-5 inline-block rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
      >
        Sign in
      </a>
    </div>
  )
}
