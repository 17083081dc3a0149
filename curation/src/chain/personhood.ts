/**
 * Reading a personhood registry through viem: any contract view function that takes an address and answers a bool
 * (a proof-of-humanity registry's `isHuman`, `isRegistered`, `isVerified`) or a uint (an attestation count, a
 * soulbound token's `balanceOf`; human when at least `minimum`). Which function is configuration, as a
 * human-readable signature.
 */
import { parseAbiItem, type AbiFunction, type Address, type PublicClient } from 'viem'

export interface PersonhoodRegistry {
  address: Address
  /** e.g. `function isHuman(address) view returns (bool)` */
  fn: AbiFunction
  /** For a uint answer: the least value that counts as human (default 1). */
  minimum: bigint
}

export const DEFAULT_PERSONHOOD_FUNCTION = 'function isHuman(address) view returns (bool)'

/** Parses and checks a registry function signature: view or pure, one address in, one bool or uint out. */
export function parseRegistryFunction(signature: string): AbiFunction {
  let item: unknown
  try {
    item = parseAbiItem(signature)
  } catch (err) {
    throw new Error(`not a function signature: ${signature} (${(err as Error).message})`)
  }
  const fn = item as AbiFunction
  if (fn.type !== 'function') throw new Error(`not a function: ${signature}`)
  if (fn.stateMutability !== 'view' && fn.stateMutability !== 'pure') {
    throw new Error(`the registry function must be view: ${signature}`)
  }
  if (fn.inputs.length !== 1 || fn.inputs[0]!.type !== 'address') {
    throw new Error(`the registry function must take one address: ${signature}`)
  }
  const out = fn.outputs[0]?.type
  if (fn.outputs.length !== 1 || !(out === 'bool' || /^uint(8|16|32|64|128|256)?$/.test(out ?? ''))) {
    throw new Error(`the registry function must return one bool or uint: ${signature}`)
  }
  return fn
}

/** True when the registry counts `account` as a human. Throws when the chain cannot be read. */
export async function isRegisteredHuman(
  publicClient: PublicClient,
  registry: PersonhoodRegistry,
  account: Address,
): Promise<boolean> {
  const answer: unknown = await publicClient.readContract({
    address: registry.address,
    abi: [registry.fn],
    functionName: registry.fn.name,
    args: [account],
  })
  if (typeof answer === 'boolean') return answer
  if (typeof answer === 'bigint') return answer >= registry.minimum
  throw new Error(`registry ${registry.address} answered ${typeof answer}`)
}
