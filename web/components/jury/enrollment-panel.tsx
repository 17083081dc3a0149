'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useId, useState, useTransition } from 'react'
import type { EnrollMethod, EnrollResult, EnrollmentView, InviteView } from '../../lib/jury/enrollment-types'
import { createIdentity, parseBackup } from '../../lib/jury/identity-keys'
import { backupText, identityFor, storeIdentity, type StoredIdentity } from '../../lib/jury/identity-store'
import { formatAbsoluteTime } from '../../lib/format'
import {
  createInviteAction,
  enrollAction,
  finishEnrollmentAction,
  prepareSiweAction,
} from '../../server/jury/actions'
import { buttonPrimary, buttonSecondary, focusRing, panel } from '../../lib/styles'
import { NewInviteCodes } from './new-invite-codes'

const secondary = buttonSecondary()

interface EthereumProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>
}

/**
 * Enrolling as a juror, for the signed-in person. The Semaphore identity is made here, in the browser, and stored on
 * this device before anything is sent; the server receives its commitment only, through one of the verifiers (an
 * invite code, the operator's allowlist, or a wallet registered as a human). Members back up their identity (the
 * secret never reaches Curia) and create invites for others.
 */
export function EnrollmentPanel({ view }: { view: EnrollmentView }) {
  const [local, setLocal] = useState<StoredIdentity | null | undefined>(undefined)
  const [result, setResult] = useState<EnrollResult | null>(null)
  const [pending, startTransition] = useTransition()
  const router = useRouter()

  useEffect(() => setLocal(identityFor(view.did) ?? null), [view.did])

  const member = view.member
  const enrolled = member !== null || result?.status === 'enrolled'
  const matches = local && member ? local.commitment === member.commitment : enrolled && local !== null

  function enroll(method: EnrollMethod, extra: { code?: string; message?: string; signature?: string } = {}) {
    startTransition(async () => {
      // The identity is stored before the commitment leaves the page: a crash after the server accepted it cannot
      // lose the secret. A refused attempt keeps it for the next try (one identity per person on this device).
      const identity = identityFor(view.did) ?? createIdentity(view.did)
      setLocal(identity)
      const answer = await enrollAction({ method, commitment: identity.commitment, ...extra })
      setResult(answer)
      if (answer.status === 'enrolled') router.refresh()
    })
  }

  /** Adds an enrollment recorded but not finished to the group, with this device's identity (the same one). */
  function finish(commitment: string) {
    startTransition(async () => {
      const answer = await finishEnrollmentAction({ commitment })
      setResult(answer)
      if (answer.status === 'enrolled') router.refresh()
    })
  }

  if (local === undefined) return null

  return (
    <div className="space-y-5">
      {enrolled ? (
        <div className={panel} data-testid="jury-member" data-revoked={member?.revoked ? 'true' : undefined}>
          <h2 className="text-base font-semibold">
            {member?.revoked ? 'Your jury membership was revoked' : 'You are a juror'}
          </h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            {result?.status === 'enrolled'
              ? 'Welcome to the jury. You can vote in rounds that open from now on.'
              : `Enrolled ${member ? formatAbsoluteTime(member.admittedAt) : ''} through ${verifierName(member?.verifier ?? 'invite')}.`}
          </p>
          {member?.revoked ? (
            <p className="mt-2 text-sm text-red-700 dark:text-red-400">
              The operator revoked this membership (and the branch of invites it belongs to): you cannot vote
              in rounds that open from now on, or invite anyone.
            </p>
          ) : null}
          {member && !member.inGroup && !member.revoked && result?.status !== 'enrolled' ? (
            <div className="mt-2" data-testid="jury-unfinished">
              <p className="text-sm text-amber-800 dark:text-amber-300">
                {matches
                  ? 'Your enrollment was recorded but not finished: you are not in the jury yet. Finish it with the identity on this device.'
                  : 'Your enrollment was recorded but not finished: you are not in the jury yet. Import your backup on this device to finish it.'}
              </p>
              {matches && local ? (
                <button
                  type="button"
                  className={`${buttonPrimary} mt-2`}
                  disabled={pending}
                  onClick={() => finish(local.commitment)}
                  data-testid="jury-finish"
                >
                  {pending ? 'Finishing…' : 'Finish enrolling'}
                </button>
              ) : null}
            </div>
          ) : null}
          {!matches && !member?.revoked ? (
            <p
              className="mt-2 text-sm text-amber-800 dark:text-amber-300"
              data-testid="jury-identity-missing"
            >
              {local
                ? 'The identity stored on this device is not the one you enrolled with. Import your backup to vote here.'
                : 'This device does not hold your juror identity. Import your backup to vote here.'}
            </p>
          ) : null}
          {matches && member?.inGroup && !member.revoked ? (
            <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
              As a verified human you may also claim a one-time grant of credits for your curator account,
              proved anonymously: nothing links it to which juror you are.{' '}
              <a href="/portfolio#human-grant" className="text-sky-700 underline dark:text-sky-400">
                Claim it on your portfolio
              </a>
              .
            </p>
          ) : null}
        </div>
      ) : (
        <EnrollForms view={view} pending={pending} onEnroll={enroll} />
      )}

      {result?.status === 'refused' ? (
        <p
          role="alert"
          className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
          data-testid="enroll-refused"
          data-code={result.code}
        >
          {result.message}
        </p>
      ) : null}

      {local ? <BackupPanel identity={local} /> : null}
      <ImportPanel
        did={view.did}
        onImported={(identity) => setLocal(identity)}
        expected={member?.commitment ?? null}
      />
      {enrolled && !member?.revoked ? <InvitePanel invites={view.invites} /> : null}
    </div>
  )
}

function EnrollForms({
  view,
  pending,
  onEnroll,
}: {
  view: EnrollmentView
  pending: boolean
  onEnroll: (method: EnrollMethod, extra?: { code?: string; message?: string; signature?: string }) => void
}) {
  const [code, setCode] = useState('')
  const [wallet, setWallet] = useState<EthereumProvider | null>(null)
  const [walletError, setWalletError] = useState<string | null>(null)
  const codeId = useId()

  useEffect(() => {
    const eth = (window as unknown as { ethereum?: EthereumProvider }).ethereum
    if (eth && typeof eth.request === 'function') setWallet(eth)
  }, [])

  async function withWallet(): Promise<void> {
    if (!wallet) return
    setWalletError(null)
    try {
      const accounts = (await wallet.request({ method: 'eth_requestAccounts' })) as string[]
      const address = accounts[0]
      if (!address) throw new Error('The wallet shared no account.')
      const prepared = await prepareSiweAction(address)
      if (prepared.status !== 'ready') throw new Error(prepared.message)
      const hex = `0x${Array.from(new TextEncoder().encode(prepared.message), (b) => b.toString(16).padStart(2, '0')).join('')}`
      const signature = (await wallet.request({ method: 'personal_sign', params: [hex, address] })) as string
      onEnroll('personhood', { message: prepared.message, signature })
    } catch (err) {
      setWalletError(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <div className={panel} data-testid="jury-enroll">
      <h2 className="text-base font-semibold">Join the jury</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Jurors are verified humans who judge a random sample of posts, anonymously: one person, one vote, no
        money at stake. Joining makes a secret identity in this browser; Curia receives only its public
        commitment and never learns how you vote.
      </p>

      {view.allowlisted ? (
        <div className="mt-4">
          <p className="text-sm text-zinc-700 dark:text-zinc-300">
            The operator&apos;s allowlist names your account.
          </p>
          <button
            type="button"
            className={`${buttonPrimary} mt-2`}
            disabled={pending}
            onClick={() => onEnroll('allowlist')}
          >
            {pending ? 'Joining…' : 'Join the jury'}
          </button>
        </div>
      ) : null}

      <form
        className="mt-4"
        onSubmit={(e) => {
          e.preventDefault()
          onEnroll('invite', { code: code.trim() })
        }}
      >
        <label htmlFor={codeId} className="block text-sm font-medium">
          Invite code
        </label>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          From a juror who knows you, or from the operator.
        </p>
        <div className="mt-2 flex flex-wrap gap-2">
          <input
            id={codeId}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder="inv_…"
            autoComplete="off"
            spellCheck={false}
            className={`min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-3 py-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900 ${focusRing}`}
          />
          <button type="submit" className={buttonPrimary} disabled={pending || code.trim() === ''}>
            {pending ? 'Joining…' : 'Join with invite'}
          </button>
        </div>
      </form>

      {view.personhood ? (
        <div className="mt-5">
          <p className="text-sm font-medium">Verified human wallet</p>
          {wallet ? (
            <>
              <p className="text-xs text-zinc-600 dark:text-zinc-400">
                Sign in with Ethereum; Curia reads the personhood registry for your address.
              </p>
              <button
                type="button"
                className={`${secondary} mt-2`}
                disabled={pending}
                onClick={() => void withWallet()}
              >
                Verify with my wallet
              </button>
            </>
          ) : (
            <p className="text-xs text-zinc-600 dark:text-zinc-400">
              Open this page in a browser with an Ethereum wallet to verify through the personhood registry.
            </p>
          )}
          {walletError ? <p className="mt-2 text-sm text-red-700 dark:text-red-400">{walletError}</p> : null}
        </div>
      ) : null}
    </div>
  )
}

function BackupPanel({ identity }: { identity: StoredIdentity }) {
  const [copied, setCopied] = useState(false)
  const [href, setHref] = useState<string | null>(null)

  useEffect(() => {
    const url = URL.createObjectURL(new Blob([backupText(identity)], { type: 'application/json' }))
    setHref(url)
    return () => URL.revokeObjectURL(url)
  }, [identity])

  return (
    <div className={panel} data-testid="jury-backup">
      <h2 className="text-base font-semibold">Your juror identity on this device</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Its secret exists only in this browser. Clearing the site&apos;s data or switching devices loses it,
        and with it your vote: keep a backup somewhere private. Anyone holding the secret can vote as you.
      </p>
      <p className="mt-3 text-xs text-zinc-600 dark:text-zinc-400">Public commitment</p>
      <p className="font-mono text-xs break-all" data-testid="jury-commitment">
        {identity.commitment}
      </p>
      <div className="mt-3 flex flex-wrap gap-2">
        {href ? (
          <a href={href} download="curia-juror-identity.json" className={secondary}>
            Download backup
          </a>
        ) : null}
        <button
          type="button"
          className={secondary}
          onClick={() => {
            void navigator.clipboard.writeText(backupText(identity)).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy backup'}
        </button>
      </div>
    </div>
  )
}

function ImportPanel({
  did,
  expected,
  onImported,
}: {
  did: string
  expected: string | null
  onImported: (identity: StoredIdentity) => void
}) {
  const [open, setOpen] = useState(false)
  const [text, setText] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const id = useId()

  function importText(value: string): void {
    try {
      const identity = parseBackup(value, did)
      if (expected && identity.commitment !== expected) {
        setMessage({
          ok: false,
          text: 'This backup is not the identity you enrolled with; it was not imported.',
        })
        return
      }
      storeIdentity(identity)
      onImported(identity)
      setMessage({ ok: true, text: 'Imported: this device can vote with it.' })
      setText('')
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) })
    }
  }

  if (!open) {
    return (
      <button
        type="button"
        className={`${secondary}`}
        onClick={() => setOpen(true)}
        data-testid="jury-import-open"
      >
        Import a backup
      </button>
    )
  }
  return (
    <div className={panel} data-testid="jury-import">
      <h2 className="text-base font-semibold">Import a backup</h2>
      <label htmlFor={id} className="mt-2 block text-sm text-zinc-600 dark:text-zinc-400">
        Paste the backup (or its secret), or choose the file.
      </label>
      <textarea
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={4}
        spellCheck={false}
        className={`mt-2 w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900 ${focusRing}`}
      />
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <button
          type="button"
          className={buttonPrimary}
          disabled={text.trim() === ''}
          onClick={() => importText(text)}
        >
          Import
        </button>
        <input
          type="file"
          accept="application/json,.json,.txt"
          aria-label="Backup file"
          className="text-sm"
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) void file.text().then(importText)
          }}
        />
      </div>
      {message ? (
        <p
          role={message.ok ? 'status' : 'alert'}
          className={`mt-2 text-sm ${message.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  )
}

function InvitePanel({ invites }: { invites: EnrollmentView['invites'] }) {
  const [made, setMade] = useState<{ code: string; expiresAt: string }[]>([])
  const [error, setError] = useState<string | null>(null)
  const [pending, startTransition] = useTransition()
  const used = invites.createdInPeriod + made.length
  const left = Math.max(0, invites.perPeriod - used)

  return (
    <div className={panel} data-testid="jury-invites">
      <h2 className="text-base font-semibold">Invite someone</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Invite people you know to be real, separate humans: each invite admits one person, and the operator
        can revoke a branch of invites that admitted fakes. You can create {invites.perPeriod} every{' '}
        {invites.periodDays} days; <span data-testid="jury-invites-left">{left}</span> left now.
      </p>
      <button
        type="button"
        className={`${buttonPrimary} mt-3`}
        disabled={pending || left === 0}
        onClick={() =>
          startTransition(async () => {
            setError(null)
            const answer = await createInviteAction()
            if (answer.status === 'created')
              setMade((m) => [{ code: answer.code, expiresAt: answer.expiresAt }, ...m])
            else setError(answer.message)
          })
        }
      >
        {pending ? 'Creating…' : 'Create an invite code'}
      </button>
      {error ? (
        <p
          role="alert"
          className="mt-2 text-sm text-red-700 dark:text-red-400"
          data-testid="jury-invite-error"
        >
          {error}
        </p>
      ) : null}
      <NewInviteCodes invites={made} testId="jury-invite-code" />
      {invites.list.length > 0 ? (
        <ul className="mt-3 divide-y divide-zinc-100 text-sm dark:divide-zinc-900">
          {invites.list.map((inv: InviteView, i) => (
            <li key={i} className="flex justify-between py-1.5">
              <span>Created {formatAbsoluteTime(inv.createdAt)}</span>
              <span className="text-zinc-600 dark:text-zinc-400">{inv.status}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

function verifierName(v: 'allowlist' | 'invite' | 'personhood'): string {
  return v === 'allowlist'
    ? "the operator's allowlist"
    : v === 'invite'
      ? 'an invite'
      : 'a verified-human wallet'
}
