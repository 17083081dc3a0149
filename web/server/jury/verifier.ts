import 'server-only'
import { verifyProof as verifyOnThisThread } from '@semaphore-protocol/core'
import {
  createVerifierPool,
  isVerifierUnavailable,
  type VerifierPool,
} from '@curia/curation/service/ballot-verifier'
import type { VerifyProof } from '@curia/curation/service/ballot'
import { getWebConfig } from '../config'

/**
 * The proof check for ballots and grant claims: a pool of worker threads (curation's ballot-verifier), so a burst of
 * ballots neither blocks the pages everyone else is loading nor waits on one core. The pool starts with the first
 * proof (a reader never pays for it) and is shared by every route and action of the process through globalThis,
 * like the other services (server/db.ts). `undefined` means "verify on this thread": CURIA_VERIFIER_THREADS=0, or a
 * pool that could not start (said once in the log).
 *
 * A pool whose threads stop (killed, out of memory) cannot check the proofs it holds: those are checked on this
 * thread instead (never refused for the pool's failure, never accepted unchecked), and the next proof starts a new
 * pool.
 */
const slot = globalThis as typeof globalThis & { __curiaVerifier?: Promise<VerifierPool | undefined> }

export async function getProofVerifier(): Promise<VerifyProof | undefined> {
  const threads = getWebConfig().verifierThreads
  if (threads === 0) return undefined
  const current = (slot.__curiaVerifier ??= createVerifierPool({ size: threads }).then(
    (pool) => {
      console.log(`jury: verifying proofs on ${pool.size} worker thread(s)`)
      return pool
    },
    (err: unknown) => {
      // Said once: this process verifies on the request thread from now on (correct, only slower).
      console.error('proof verifier threads did not start; verifying on the request thread:', err)
      return undefined
    },
  ))
  const pool = await current
  if (!pool) return undefined
  return async (proof) => {
    try {
      return await pool.verify(proof)
    } catch (err) {
      if (!isVerifierUnavailable(err)) throw err
      if (slot.__curiaVerifier === current) {
        console.error('proof verifier threads stopped; starting new ones:', err)
        slot.__curiaVerifier = undefined
        void pool.close()
      }
      return verifyOnThisThread(proof)
    }
  }
}

/** Stops the verifier threads (tests; a process that is exiting need not). */
export async function closeProofVerifier(): Promise<void> {
  const pool = await slot.__curiaVerifier
  slot.__curiaVerifier = undefined
  await pool?.close()
}
