import { formatCredits } from '../lib/credits'
import type { SettlementView } from '../lib/market-types'

/**
 * How a settled market ended, in place of the trade panel: the verdict and what it paid, or why the market was
 * voided and refunded, the round that decided it, and what settlement moved to the signed-in curator.
 */
export function SettlementNote({ settlement }: { settlement: SettlementView }) {
  const { resolution, cause, roundId } = settlement
  const round =
    roundId === null ? null : (
      <a href={`/jury/rounds/${roundId}`} className="text-sky-700 underline dark:text-sky-400">
        round {roundId}
      </a>
    )
  const inRound = round ? <> in {round}</> : null
  const viewer = settlement.viewerMicro === null ? 0n : BigInt(settlement.viewerMicro)

  return (
    <div
      className="mt-5 space-y-1 rounded-lg bg-zinc-100 px-4 py-3 text-sm text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300"
      data-testid="settlement-note"
      data-resolution={resolution}
    >
      <p>
        {resolution === 'yes' ? (
          <>The jury endorsed this post{inRound}: each YES share paid 1 credit, NO shares nothing.</>
        ) : resolution === 'no' ? (
          <>The jury did not endorse this post{inRound}: each NO share paid 1 credit, YES shares nothing.</>
        ) : cause === 'no_quorum' ? (
          <>
            The jury sampled this post{inRound}, but too few jurors judged it to reach a verdict: every
            trader&apos;s net spend was refunded.
          </>
        ) : (
          <>
            {round ? (
              <>The sample of {round} passed this post over</>
            ) : (
              <>The jury did not sample this post</>
            )}
            : every trader&apos;s net spend was refunded.
          </>
        )}
      </p>
      {viewer > 0n ? (
        <p className="font-medium" data-testid="settlement-viewer">
          Settlement paid you {formatCredits(viewer)} credits.
        </p>
      ) : viewer < 0n ? (
        <p className="font-medium" data-testid="settlement-viewer">
          Settlement took back {formatCredits(-viewer)} credits of trading profit from you.
        </p>
      ) : null}
    </div>
  )
}
