/** What the verified-human faucet's panel and its server action exchange. Amounts are micro-credits, in decimal. */
import type { ArtifactManifest } from './types'

/** Everything the panel needs to prove a claim for the signed-in curator (rendered by the server). */
export interface FaucetView {
  /** The grant, micro-credits. */
  amountMicro: string
  /** This account already received it. */
  claimed: boolean
  /** The group's current version to prove against; null while the jury has no members. */
  group: { version: number; root: string; url: string } | null
  /** Decimal: FAUCET_SCOPE. */
  scope: string
  /** Decimal: faucetMessage(the session's DID). */
  message: string
  depth: number
  artifacts: ArtifactManifest
}

export type FaucetClaimResult =
  | { status: 'granted'; amountMicro: string; balanceMicro: string }
  | { status: 'refused'; code: string; message: string }
