/**
 * Anchoring settings, read once by the process entry point (`parseAnchorConfig(process.env)`). Off unless all three
 * are set: anchoring needs a chain, the deployed RoundAnchor, and the operator's key (which pays the gas).
 */
import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'

export interface AnchorConfig {
  rpcUrl: string
  address: Address
  privateKey: Hex
}

const env = z.object({
  CURIA_ANCHOR_RPC_URL: z.url().optional(),
  CURIA_ANCHOR_ADDRESS: z
    .string()
    .refine((v) => isAddress(v, { strict: false }), 'an 0x address')
    .transform((v) => getAddress(v))
    .optional(),
  CURIA_ANCHOR_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'a 0x-prefixed 32-byte private key')
    .optional(),
})

export function parseAnchorConfig(source: Record<string, string | undefined>): AnchorConfig | undefined {
  const e = env.parse(source)
  const set = [e.CURIA_ANCHOR_RPC_URL, e.CURIA_ANCHOR_ADDRESS, e.CURIA_ANCHOR_PRIVATE_KEY].filter(
    Boolean,
  ).length
  if (set === 0) return undefined
  if (set < 3) {
    throw new Error(
      'CURIA_ANCHOR_RPC_URL, CURIA_ANCHOR_ADDRESS and CURIA_ANCHOR_PRIVATE_KEY are set together',
    )
  }
  return {
    rpcUrl: e.CURIA_ANCHOR_RPC_URL!,
    address: e.CURIA_ANCHOR_ADDRESS!,
    privateKey: e.CURIA_ANCHOR_PRIVATE_KEY! as Hex,
  }
}
