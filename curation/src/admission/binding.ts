/**
 * Whether a person may bind a commitment, given the bindings that already hold one of their keys (pure: the
 * admission service loads the rows, locked, and acts on the answer). A person's keys are the signed-in account and,
 * through the personhood check, a wallet; each binds at most one commitment, whichever verifier came first, and a
 * revoked binding shuts out both of its keys.
 */
import { CurationError } from '../errors'

export interface HeldBinding {
  id: number
  did: string | null
  wallet: string | null
  commitment: string
  added: boolean
  revoked: boolean
}

export type BindingDecision =
  /** Neither key is bound: write a new binding. */
  | { kind: 'new' }
  /** This very binding was recorded but not yet added to the group (a crash between): finish it. */
  | { kind: 'resume'; bindingId: number }
  /** A personhood binding from before accounts were recorded, same wallet and identity: record the account. */
  | { kind: 'attach_did'; bindingId: number }

/**
 * Decides an admission of `person` with `commitment` against `held`: every binding whose DID or wallet is one of the
 * person's (at most two rows, the keys being unique). Throws the refusal when there is one.
 */
export function decideBinding(
  held: readonly HeldBinding[],
  person: { did: string; wallet: string | null },
  commitment: string,
): BindingDecision {
  const byDid = held.find((b) => b.did === person.did)
  const byWallet = person.wallet === null ? undefined : held.find((b) => b.wallet === person.wallet)

  // Revocation first, whichever key it holds: an account revoked as fake cannot come back through a wallet, nor a
  // revoked wallet through another account.
  if (byDid?.revoked) {
    throw new CurationError('admission_revoked', "This account's jury membership was revoked.")
  }
  if (byWallet?.revoked) {
    throw new CurationError('admission_revoked', "This wallet's jury membership was revoked.")
  }

  if (byDid) {
    if (byDid.commitment === commitment && !byDid.added && byDid.wallet === person.wallet) {
      return { kind: 'resume', bindingId: byDid.id }
    }
    throw new CurationError(
      'already_admitted',
      byDid.wallet !== null && byDid.wallet !== person.wallet
        ? 'This account already holds a jury identity, through another wallet. One person, one identity.'
        : person.wallet !== null && byDid.wallet === null
          ? 'This account already holds a jury identity; a wallet cannot add a second one. One person, one identity.'
          : 'This account already holds a jury identity.',
    )
  }
  if (byWallet) {
    if (byWallet.did === null && byWallet.commitment === commitment) {
      return { kind: 'attach_did', bindingId: byWallet.id }
    }
    throw new CurationError(
      'already_admitted',
      byWallet.did === null
        ? 'This wallet already holds a jury identity, enrolled before accounts were recorded. To attach this ' +
            'account to it, verify again from a device that holds that identity (import its backup first).'
        : 'This wallet already holds a jury identity, enrolled with another account. One person, one identity.',
    )
  }
  return { kind: 'new' }
}
