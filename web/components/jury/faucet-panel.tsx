'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useId, useRef, useState } from 'react'
import { formatCredits } from '../../lib/credits'
import type { FaucetClaimResult, FaucetView } from '../../lib/jury/faucet-types'
import { loadIdentities, type StoredIdentity } from '../../lib/jury/identity-store'
import {
  ProverError,
  startProver,
  type Prover,
  type ProveProgress,
  type WarmState,
} from '../../lib/jury/prover'
import { claimHumanGrantAction } from '../../server/jury/faucet-actions'
import { buttonPrimary, panel } from '../../lib/styles'
import { IdentitySelect, ProvingStatus } from './proving-parts'

type Stage =
  | { kind: 'idle' }
  | { kind: 'proving'; progress: ProveProgress; startedAt: number }
  | { kind: 'sending' }
  | { kind: 'granted'; amountMicro: string; balanceMicro: string }
  | { kind: 'refused'; code: string; message: string }

/**
 * The verified-human grant, for a signed-in curator whose browser holds a juror identity: a Semaphore proof made in
 * the proof worker (scope "faucet", message naming this account) shows the claimant is one of the jury's members
 * without saying which one, and the server pays once per person and once per account. The prover (about 5 MB) is
 * downloaded only when the curator asks for the grant.
 */
export function FaucetPanel({ view, did }: { view: FaucetView; did: string }) {
  const [identities, setIdentities] = useState<StoredIdentity[] | null>(null)
  const [chosen, setChosen] = useState('')
  const [stage, setStage] = useState<Stage>({ kind: 'idle' })
  const [warm, setWarm] = useState<WarmState | null>(null)
  const prover = useRef<Prover | null>(null)
  const router = useRouter()
  const pickerId = useId()

  useEffect(() => {
    const list = loadIdentities()
    setIdentities(list)
    // This account's own identity first, else the newest on the device: any member may fund any account.
    setChosen((list.filter((i) => i.did === did).at(-1) ?? list.at(-1))?.commitment ?? '')
    return () => {
      prover.current?.terminate()
      prover.current = null
    }
  }, [did])

  if (identities === null) return null
  const amount = formatCredits(view.amountMicro)

  if (view.claimed && stage.kind !== 'granted') {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="faucet-claimed">
        This account has received the verified-human grant ({amount} credits).
      </p>
    )
  }
  if (identities.length === 0) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="faucet-hint">
        Verified humans on the jury can claim a one-time grant of {amount} credits.{' '}
        <a href="/jury" className="text-sky-700 underline dark:text-sky-400">
          Join the jury
        </a>{' '}
        (or import your juror backup there) to claim it from this browser.
      </p>
    )
  }

  const identity = identities.find((i) => i.commitment === chosen)
  const busy = stage.kind === 'proving' || stage.kind === 'sending'
  // Refusals that another try cannot change: no button to press again.
  const settled =
    stage.kind === 'granted' ||
    (stage.kind === 'refused' &&
      (stage.code === 'human_already_claimed' || stage.code === 'did_already_claimed'))
  const group = view.group

  async function claim(): Promise<void> {
    if (!identity || !group || busy) return
    const startedAt = Date.now()
    setStage({ kind: 'proving', progress: { phase: 'artifacts' }, startedAt })
    prover.current ??= startProver(view.artifacts, setWarm, { url: group.url, root: group.root })
    let proof
    try {
      ;({ proof } = await prover.current.proveSignal(
        {
          privateKey: identity.privateKey,
          groupUrl: group.url,
          root: group.root,
          scope: view.scope,
          message: view.message,
          depth: view.depth,
          purpose: 'faucet',
        },
        (progress) => setStage({ kind: 'proving', progress, startedAt }),
      ))
    } catch (err) {
      setStage({
        kind: 'refused',
        code: err instanceof ProverError ? err.code : 'failed',
        message: err instanceof Error ? err.message : String(err),
      })
      return
    }
    setStage({ kind: 'sending' })
    let answer: FaucetClaimResult
    try {
      answer = await claimHumanGrantAction({ proof })
    } catch {
      setStage({
        kind: 'refused',
        code: 'network',
        message: 'The claim could not be sent. Claiming again is safe: the grant is paid once.',
      })
      return
    }
    if (answer.status === 'granted') {
      setStage({ kind: 'granted', amountMicro: answer.amountMicro, balanceMicro: answer.balanceMicro })
      prover.current?.terminate()
      prover.current = null
      router.refresh()
    } else {
      setStage({ kind: 'refused', code: answer.code, message: answer.message })
    }
  }

  return (
    <section className={panel} aria-labelledby={`${pickerId}-h`} data-testid="faucet-panel">
      <h2 id={`${pickerId}-h`} className="text-base font-semibold">
        Claim your verified-human grant
      </h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        As a juror you can claim a one-time grant of {amount} credits for this account. The claim is
        anonymous: this browser proves you are one of the jury&apos;s members without saying which one, so the
        grant is not linked to which juror you are (nor to your votes). It is one grant per person and one per
        account.
      </p>
      {identities.length > 1 ? (
        <IdentitySelect
          id={pickerId}
          label="Prove with"
          identities={identities}
          chosen={chosen}
          onChoose={setChosen}
          disabled={busy || settled}
          className="mt-3"
        />
      ) : null}
      {!settled ? (
        <button
          type="button"
          onClick={() => void claim()}
          disabled={!identity || !group || busy}
          className={`mt-3 ${buttonPrimary}`}
        >
          {stage.kind === 'proving'
            ? 'Proving…'
            : stage.kind === 'sending'
              ? 'Claiming…'
              : `Claim ${amount} credits`}
        </button>
      ) : null}
      {!group ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">The jury has no members yet.</p>
      ) : null}
      <StageLine stage={stage} warm={warm} />
    </section>
  )
}

function StageLine({ stage, warm }: { stage: Stage; warm: WarmState | null }) {
  if (stage.kind === 'idle') return null
  if (stage.kind === 'proving') {
    // The download reports through the warm-up (the claim waits on the same download).
    const loaded = warm?.status === 'loading' ? warm : null
    return (
      <ProvingStatus
        progress={stage.progress}
        startedAt={stage.startedAt}
        bytes={loaded ? { loaded: loaded.loadedBytes, total: loaded.totalBytes } : null}
        testId="faucet-status"
        barLabel="Claim progress"
      />
    )
  }
  if (stage.kind === 'sending') {
    return (
      <p
        className="mt-3 text-sm text-zinc-700 dark:text-zinc-200"
        role="status"
        data-testid="faucet-status"
        data-phase="sending"
      >
        Proof made. Claiming the grant…
      </p>
    )
  }
  if (stage.kind === 'granted') {
    return (
      <div
        className="mt-3 rounded-lg bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
        role="status"
        data-testid="faucet-status"
        data-phase="granted"
      >
        <p className="font-semibold">{formatCredits(stage.amountMicro)} credits added.</p>
        <p className="mt-1">Your balance is now {formatCredits(stage.balanceMicro)} credits.</p>
      </div>
    )
  }
  return (
    <p
      className="mt-3 rounded-lg bg-red-50 px-4 py-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
      role="alert"
      data-testid="faucet-status"
      data-phase="refused"
      data-code={stage.code}
    >
      {stage.message}
    </p>
  )
}
