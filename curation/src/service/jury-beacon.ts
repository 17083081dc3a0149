/**
 * The block beacon read through viem: the chain's latest block number at freeze, the hash of the next block at
 * reveal. Anything answering Ethereum JSON-RPC works (a node, a provider, anvil in tests).
 *
 * A block's hash is handed out only once `confirmations` more blocks sit on it (default 2): a short reorg after the
 * reveal would otherwise leave the export naming a hash the canonical chain does not have, which `verify-round
 * --rpc` would report as a mismatch.
 */
import { BlockNotFoundError, createPublicClient, http, type PublicClient } from 'viem'
import type { BlockSource } from './round'

export async function createBlockSource(opts: {
  rpcUrl: string
  timeoutMs?: number
  confirmations?: number
}): Promise<BlockSource> {
  const confirmations = opts.confirmations ?? 2
  const client: PublicClient = createPublicClient({
    transport: http(opts.rpcUrl, { timeout: opts.timeoutMs ?? 10_000, retryCount: 2 }),
  })
  const chainId = await client.getChainId()
  return {
    chainId,
    async latestBlockNumber() {
      return Number(await client.getBlockNumber({ cacheTime: 0 }))
    },
    async getBlockHash(blockNumber) {
      const latest = Number(await client.getBlockNumber({ cacheTime: 0 }))
      if (latest < blockNumber + confirmations) return undefined
      try {
        const block = await client.getBlock({ blockNumber: BigInt(blockNumber) })
        return block.hash
      } catch (err) {
        if (err instanceof BlockNotFoundError) return undefined
        throw err
      }
    },
  }
}
