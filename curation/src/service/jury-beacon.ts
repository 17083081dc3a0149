/**
 * The block beacon read through viem: the chain's latest block number at freeze, the hash of the next block at
 * reveal. Anything answering Ethereum JSON-RPC works (a node, a provider, anvil in tests).
 */
import { BlockNotFoundError, createPublicClient, http, type PublicClient } from 'viem'
import type { BlockSource } from './round'

export async function createBlockSource(opts: { rpcUrl: string; timeoutMs?: number }): Promise<BlockSource> {
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
