'use client'

import { useEffect, useId, useRef, useState, useTransition, type ReactNode, type RefObject } from 'react'
import { formatAbsoluteTime } from '../../lib/format'
import type { AllowlistView, OperatorConsoleView, OperatorMemberView } from '../../lib/operator-types'
import { buttonPrimary, buttonSecondary, focusRing, panel } from '../../lib/styles'
import { NewInviteCodes } from '../jury/new-invite-codes'
import {
  allowAction,
  createOperatorInvitesAction,
  disallowAction,
  revokeBranchAction,
} from '../../server/operator/actions'

const secondary = buttonSecondary('small')
const danger = `rounded-full bg-red-700 px-3 py-1 text-xs font-medium text-white transition-colors hover:bg-red-800 disabled:opacity-50 ${focusRing}`
const input = `w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900 ${focusRing}`

const VERIFIER_WORDS: Record<OperatorMemberView['verifier'], string> = {
  allowlist: 'allowlist',
  invite: 'invite',
  personhood: 'wallet',
}

/**
 * The operator's page body: the invite tree, the allowlist, operator invites, and the log of what operators did. Each action revalidates the page on
 * the server, and its answer brings the page back as it now stands.
 */
export function OperatorConsole({ view }: { view: OperatorConsoleView }) {
  return (
    <>
      <InviteTree members={view.members} />
      <Allowlist entries={view.allowlist} />
      <OperatorInvites ttlDays={view.inviteTtlDays} />
      <OperatorLog lines={view.log} />
    </>
  )
}

type Note = { text: string; error: boolean } | null

/**
 * The outcome of a section's last action: a status, or an alert for a refusal. Focusable from script
 * (`tabIndex={-1}`), for when the action removed the button that had the focus.
 */
function Status({ note, focusRef }: { note: Note; focusRef?: RefObject<HTMLParagraphElement | null> }) {
  if (!note) return null
  return (
    <p
      ref={focusRef}
      tabIndex={-1}
      role={note.error ? 'alert' : 'status'}
      className={`mt-3 text-sm outline-none ${note.error ? 'text-red-700 dark:text-red-400' : 'text-emerald-800 dark:text-emerald-300'}`}
    >
      {note.text}
    </p>
  )
}

/**
 * Keyboard focus for buttons that remove themselves: `moveFocus(target)` focuses what `target` returns once the
 * render in progress has committed (the element may not exist before it), so the focus never drops to the page.
 */
function useMoveFocus(): (target: () => HTMLElement | null | undefined) => void {
  const next = useRef<(() => HTMLElement | null | undefined) | null>(null)
  useEffect(() => {
    const target = next.current
    if (!target) return
    const element = target()
    if (element) {
      next.current = null
      element.focus()
    }
  })
  return (target) => {
    next.current = target
  }
}

/** One of the page's panels: a named region with its heading and what it is for. */
function Section({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  const id = useId()
  return (
    <section className={`mt-6 ${panel}`} aria-labelledby={id}>
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{intro}</p>
      {children}
    </section>
  )
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

function InviteTree({ members }: { members: OperatorMemberView[] }) {
  const [confirming, setConfirming] = useState<string | null>(null)
  const [message, setMessage] = useState<Note>(null)
  const [pending, startTransition] = useTransition()
  const active = members.filter((m) => m.revokedAt === null).length
  // Revoke becomes a confirmation (focus its confirm button); the answer removes both (focus the message), and
  // Cancel brings the member's Revoke button back (focus it).
  const moveFocus = useMoveFocus()
  const list = useRef<HTMLUListElement>(null)
  const confirmButton = useRef<HTMLButtonElement>(null)
  const messageRef = useRef<HTMLParagraphElement>(null)
  const revokeButton = (personKey: string) =>
    Array.from(list.current?.querySelectorAll<HTMLElement>('[data-revoke]') ?? []).find(
      (b) => b.dataset.revoke === personKey,
    )

  function revoke(member: OperatorMemberView) {
    startTransition(async () => {
      const answer = await revokeBranchAction(member.personKey)
      setConfirming(null)
      moveFocus(() => messageRef.current)
      if (answer.status === 'revoked') {
        setMessage({
          text:
            `Revoked ${plural(answer.members, 'member')} and withdrew ${plural(answer.invites, 'unused invite')}; ` +
            `${plural(answer.removed, 'identity', 'identities')} left the jury group. Rounds already open keep ` +
            'the group they froze.',
          error: false,
        })
      } else setMessage({ text: answer.message, error: true })
    })
  }

  return (
    <Section
      title="Jury members"
      intro={`${plural(active, 'active member')}, indented under whoever invited them. Revoking a member revokes everyone admitted through their invites and withdraws their unused ones.`}
    >
      <Status note={message} focusRef={messageRef} />
      {members.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">No one has joined the jury yet.</p>
      ) : (
        <ul
          ref={list}
          className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-900"
          data-testid="invite-tree"
        >
          {members.map((m) => {
            const branch = 1 + m.descendants
            return (
              <li
                key={m.personKey}
                className="py-2.5"
                style={{ paddingLeft: `${Math.min(m.depth, 8) * 1.25}rem` }}
                data-testid="tree-member"
                data-person-key={m.personKey}
                data-depth={m.depth}
                data-revoked={m.revokedAt !== null}
              >
                <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                  <p className="min-w-0 text-sm">
                    {m.depth > 0 ? (
                      <span aria-hidden className="mr-1 text-zinc-400">
                        ↳
                      </span>
                    ) : null}
                    <bdi
                      className={`font-medium break-all ${m.revokedAt ? 'text-zinc-500 line-through' : ''}`}
                    >
                      {m.handle ? `@${m.handle}` : m.personKey}
                    </bdi>
                    <span className="ml-2 text-xs text-zinc-600 dark:text-zinc-400">
                      {VERIFIER_WORDS[m.verifier]}
                      {m.wallet ? ` ${m.wallet}` : ''} · joined {formatAbsoluteTime(m.admittedAt)}
                      {m.revokedAt ? ` · revoked ${formatAbsoluteTime(m.revokedAt)}` : ''}
                    </span>
                  </p>
                  {m.revokedAt === null ? (
                    confirming === m.personKey ? (
                      <span className="flex items-center gap-2">
                        <span className="text-xs text-zinc-700 dark:text-zinc-300">
                          Revoke {branch === 1 ? 'this member' : `these ${branch} members`}?
                        </span>
                        <button
                          ref={confirmButton}
                          type="button"
                          className={danger}
                          disabled={pending}
                          onClick={() => revoke(m)}
                        >
                          {pending ? 'Revoking…' : 'Revoke'}
                        </button>
                        <button
                          type="button"
                          className={secondary}
                          disabled={pending}
                          onClick={() => {
                            setConfirming(null)
                            moveFocus(() => revokeButton(m.personKey))
                          }}
                        >
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className={secondary}
                        data-revoke={m.personKey}
                        onClick={() => {
                          setConfirming(m.personKey)
                          moveFocus(() => confirmButton.current)
                        }}
                      >
                        {m.descendants > 0 ? `Revoke branch (${branch})` : 'Revoke'}
                        <span className="sr-only"> {m.handle ? `@${m.handle}` : m.personKey}</span>
                      </button>
                    )
                  ) : null}
                </div>
                <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
                  Invites: {m.invites.used} of {m.invites.created} used
                  {m.invites.pending > 0 ? `, ${m.invites.pending} pending` : ''}
                  {m.invites.expired > 0 ? `, ${m.invites.expired} expired` : ''}
                  {m.invites.withdrawn > 0 ? `, ${m.invites.withdrawn} withdrawn` : ''}
                </p>
              </li>
            )
          })}
        </ul>
      )}
    </Section>
  )
}

function Allowlist({ entries }: { entries: AllowlistView[] }) {
  const [message, setMessage] = useState<Note>(null)
  const [pending, startTransition] = useTransition()
  const accountId = useId()
  const noteId = useId()
  // Remove takes its own button (and row) away: the focus goes to the message saying what happened.
  const moveFocus = useMoveFocus()
  const messageRef = useRef<HTMLParagraphElement>(null)

  function add(form: HTMLFormElement) {
    const data = new FormData(form)
    startTransition(async () => {
      const answer = await allowAction({ account: data.get('account'), note: data.get('note') })
      if (answer.status === 'refused') return setMessage({ text: answer.message, error: true })
      const who = answer.handle ? `@${answer.handle} (${answer.did})` : answer.did
      setMessage({
        text: answer.status === 'added' ? `${who} may now enroll.` : `${who} was already listed.`,
        error: false,
      })
      form.reset()
    })
  }

  function remove(did: string) {
    startTransition(async () => {
      const answer = await disallowAction(did)
      moveFocus(() => messageRef.current)
      if (answer.status === 'refused') return setMessage({ text: answer.message, error: true })
      setMessage({ text: `${did} is off the allowlist.`, error: false })
    })
  }

  return (
    <Section
      title="Allowlist"
      intro="Accounts that may enroll without an invite. Taking one off stops future enrollment; a member stays until revoked above."
    >
      <form
        className="mt-4 grid gap-3 sm:grid-cols-[2fr_1fr_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault()
          add(e.currentTarget)
        }}
      >
        <div>
          <label htmlFor={accountId} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Handle or DID
          </label>
          <input
            id={accountId}
            name="account"
            required
            maxLength={2048}
            placeholder="alice.bsky.social or did:plc:…"
            autoComplete="off"
            spellCheck={false}
            className={`${input} mt-1 font-mono`}
          />
        </div>
        <div>
          <label htmlFor={noteId} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Note (optional)
          </label>
          <input id={noteId} name="note" maxLength={200} className={`${input} mt-1`} />
        </div>
        <button type="submit" className={buttonPrimary} disabled={pending}>
          Allow
        </button>
      </form>
      <Status note={message} focusRef={messageRef} />
      {entries.length > 0 ? (
        <ul className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="allowlist">
          {entries.map((e) => (
            <li key={e.did} className="flex flex-wrap items-baseline justify-between gap-2 py-2.5">
              <p className="min-w-0 text-sm">
                <bdi className="font-mono break-all">{e.did}</bdi>
                {e.handle ? <bdi className="ml-2 text-zinc-600 dark:text-zinc-400">@{e.handle}</bdi> : null}
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                  Added {formatAbsoluteTime(e.addedAt)}
                  {e.member ? ' · enrolled' : ' · not enrolled yet'}
                  {e.note ? (
                    <>
                      {' '}
                      · <bdi>{e.note}</bdi>
                    </>
                  ) : null}
                </span>
              </p>
              <button
                type="button"
                className={secondary}
                disabled={pending}
                onClick={() => remove(e.did)}
                aria-label={`Remove ${e.did} from the allowlist`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  )
}

function OperatorInvites({ ttlDays }: { ttlDays: number }) {
  const [made, setMade] = useState<{ code: string; expiresAt: string }[]>([])
  const [error, setError] = useState<Note>(null)
  const [pending, startTransition] = useTransition()
  const countId = useId()

  return (
    <Section
      title="Operator invites"
      intro={`Each code admits one person as a root of the tree, and expires after ${plural(ttlDays, 'day')}. Codes are shown once: Curia keeps only their hashes.`}
    >
      <form
        className="mt-4 flex items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          const count = Number(new FormData(e.currentTarget).get('count'))
          startTransition(async () => {
            setError(null)
            const answer = await createOperatorInvitesAction(count)
            if (answer.status === 'refused') return setError({ text: answer.message, error: true })
            setMade((m) => [...answer.invites, ...m])
          })
        }}
      >
        <div>
          <label htmlFor={countId} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            How many
          </label>
          <input
            id={countId}
            name="count"
            type="number"
            min={1}
            max={50}
            defaultValue={1}
            required
            className={`${input} mt-1 w-24`}
          />
        </div>
        <button type="submit" className={buttonPrimary} disabled={pending}>
          {pending ? 'Creating…' : 'Create invite codes'}
        </button>
      </form>
      <Status note={error} />
      <NewInviteCodes invites={made} testId="operator-invite-code" />
    </Section>
  )
}

function OperatorLog({ lines }: { lines: OperatorConsoleView['log'] }) {
  return (
    <Section
      title="Operators' log"
      intro="Every change to who may join the jury, newest first, with who made it: written with the change itself, and kept. The command npm run jury -- log prints it too."
    >
      {lines.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">No operator has changed anything yet.</p>
      ) : (
        <ol className="mt-4 divide-y divide-zinc-100 text-sm dark:divide-zinc-900" data-testid="operator-log">
          {lines.map((line) => (
            <li key={line.id} className="py-2">
              <p className="break-words">
                <bdi className="font-medium">{line.actor}</bdi> <bdi>{line.text}</bdi>
              </p>
              <p className="text-xs text-zinc-600 dark:text-zinc-400">
                <time dateTime={line.at}>{formatAbsoluteTime(line.at)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
    </Section>
  )
}
