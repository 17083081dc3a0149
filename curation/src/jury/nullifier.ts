/**
 * A juror's round nullifier, computed from the identity without proving: the juror's browser needs it to know its
 * assigned posts (assignment.ts) before it builds the ballot content the proof signs.
 *
 * Semaphore v4 (@semaphore-protocol/proof 4.14.2, generateProof) does not feed the scope to the circuit as given:
 * it passes hash(scope) = keccak256(scope as a 32-byte big-endian word) >> 8, and the circuit outputs
 * nullifier = Poseidon2(hash(scope), secretScalar), where secretScalar is the identity's EdDSA-Poseidon secret
 * (`Identity.secretScalar`). The test checks this against the nullifier of a real proof.
 *
 * Pure, and light enough for a page's main thread (one keccak and one Poseidon): it imports neither Semaphore's
 * prover nor its identity package (nor ./ballot, which loads Semaphore's group); the caller passes the secret
 * scalar and the scope (a round's is `roundScope(roundId)`, which the ballot sheet also carries).
 */
import { poseidon2 } from 'poseidon-lite/poseidon2'
import { keccak256, numberToHex } from 'viem'

/** Semaphore's hash of a scope (or message) before the circuit: keccak256 of the 32-byte word, top 248 bits. */
export function semaphoreHash(value: bigint): bigint {
  if (value < 0n || value >= 1n << 256n)
    throw new TypeError('a Semaphore scope is a 256-bit unsigned integer')
  return BigInt(keccak256(numberToHex(value, { size: 32 }))) >> 8n
}

/** The nullifier an identity's proofs carry for `scope`: Poseidon2(semaphoreHash(scope), secretScalar). */
export function semaphoreNullifier(secretScalar: bigint, scope: bigint): bigint {
  return poseidon2([semaphoreHash(scope), secretScalar])
}
