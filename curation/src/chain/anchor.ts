/**
 * The RoundAnchor contract through viem: deploy it, anchor a round's eligible-list commitment (at freeze) and its
 * export Merkle root (at close), read them back. The contract is write-once per round and value, and operator-only
 * (contracts/RoundAnchor.sol), so an anchored value cannot be replaced, by the operator or anyone else.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CurationError } from '../errors'
import {
  roundAnchorAbi,
  roundAnchorBytecode,
  testPersonhoodRegistryAbi,
  testPersonhoodRegistryBytecode,
} from './artifacts'

export interface ChainClients {
  publicClient: PublicClient
  /** Signs as the operator (anchoring, deploying). */
  walletClient: WalletClient<Transport, Chain, Account>
}

/** Clients for an RPC endpoint; the chain id is read from it when not given. */
export async function connectChain(opts: {
  rpcUrl: string
  privateKey: Hex
  chainId?: number
  timeoutMs?: number
}): Promise<ChainClients> {
  const transport = http(opts.rpcUrl, { timeout: opts.timeoutMs ?? 10_000, retryCount: 2 })
  const probe = createPublicClient({ transport })
  const chainId = opts.chainId ?? (await probe.getChainId())
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  })
  return {
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ chain, transport, account: privateKeyToAccount(opts.privateKey) }),
  }
}

export interface TxReceipt {
  txHash: Hex
  blockNumber: bigint
  gasUsed: bigint
}

/** Deploys RoundAnchor with `operator` (default: the wallet's own account) as the only account allowed to anchor. */
export async function deployRoundAnchor(
  clients: ChainClients,
  opts: { operator?: Address } = {},
): Promise<TxReceipt & { address: Address }> {
  const txHash = await clients.walletClient.deployContract({
    abi: roundAnchorAbi,
    bytecode: roundAnchorBytecode,
    args: [opts.operator ?? clients.walletClient.account.address],
  })
  return deployed(clients, txHash)
}

/** Deploys the test personhood registry (tests and the local demo chain only). */
export async function deployTestPersonhoodRegistry(
  clients: ChainClients,
): Promise<TxReceipt & { address: Address }> {
  const txHash = await clients.walletClient.deployContract({
    abi: testPersonhoodRegistryAbi,
    bytecode: testPersonhoodRegistryBytecode,
  })
  return deployed(clients, txHash)
}

/** Marks `account` human (or not) in a test registry the wallet owns. */
export async function setTestHuman(
  clients: ChainClients,
  opts: { registry: Address; account: Address; human: boolean },
): Promise<TxReceipt> {
  const txHash = await clients.walletClient.writeContract({
    address: opts.registry,
    abi: testPersonhoodRegistryAbi,
    functionName: 'setHuman',
    args: [opts.account, opts.human],
  })
  return mined(clients, txHash)
}

const BYTES32 = /^0x[0-9a-f]{64}$/

/**
 * Anchors `root` (a closed round's export Merkle root) for `roundId`. Simulated first, so a refusal (another root
 * already anchored, a wrong operator, a zero root) comes back as a CurationError before any gas is spent; the
 * contract refuses regardless.
 */
export async function anchorRoot(
  clients: ChainClients,
  opts: { address: Address; roundId: number | bigint; root: Hex; confirmations?: number },
): Promise<TxReceipt> {
  return writeOnce(clients, { ...opts, functionName: 'anchor', value: opts.root, what: 'root' })
}

/**
 * Commits the eligible list's hash (`eligibleSetHash`, fixed at freeze) for `roundId`, before the round's beacon
 * block is chosen. Write-once, refused like `anchorRoot`. `confirmations`: blocks to wait for on top of the one
 * that includes it (the beacon block is chosen after them).
 */
export async function commitEligibleHash(
  clients: ChainClients,
  opts: { address: Address; roundId: number | bigint; eligibleHash: Hex; confirmations?: number },
): Promise<TxReceipt> {
  return writeOnce(clients, {
    ...opts,
    functionName: 'commitEligible',
    value: opts.eligibleHash,
    what: 'eligible commitment',
  })
}

async function writeOnce(
  clients: ChainClients,
  opts: {
    address: Address
    roundId: number | bigint
    functionName: 'anchor' | 'commitEligible'
    value: Hex
    what: string
    confirmations?: number | undefined
  },
): Promise<TxReceipt> {
  const value = opts.value.toLowerCase() as Hex
  if (!BYTES32.test(value) || /^0x0+$/.test(value)) {
    throw new CurationError('bad_request', `A round's ${opts.what} is a non-zero 0x-prefixed bytes32.`)
  }
  const roundId = BigInt(opts.roundId)
  try {
    const { request } = await clients.publicClient.simulateContract({
      account: clients.walletClient.account,
      address: opts.address,
      abi: roundAnchorAbi,
      functionName: opts.functionName,
      args: [roundId, value],
    })
    return await mined(clients, await clients.walletClient.writeContract(request), opts.confirmations)
  } catch (err) {
    const reverted = revertName(err)
    if (reverted === 'AlreadyAnchored' || reverted === 'AlreadyCommitted') {
      throw new CurationError('already_anchored', `Round ${roundId}'s ${opts.what} is already anchored.`, {
        cause: err,
      })
    }
    if (reverted === 'NotOperator') {
      throw new CurationError('bad_auth', 'This key is not the anchor contract’s operator.', { cause: err })
    }
    if (reverted) throw err
    throw new CurationError(
      'chain_unavailable',
      `Anchoring round ${roundId}'s ${opts.what} failed: ${errorSummary(err)}`,
      { cause: err },
    )
  }
}

/** The root anchored for `roundId`, lower-case hex, or null when none is. */
export async function readAnchor(
  publicClient: PublicClient,
  opts: { address: Address; roundId: number | bigint },
): Promise<Hex | null> {
  return readWriteOnce(publicClient, 'rootOf', opts)
}

/**
 * The eligible commitment anchored for `roundId`, lower-case hex, or null when none is; at `blockNumber` (the state
 * after that block: reading an old block needs a node that keeps its state, an archive node for anything but recent
 * blocks) or now.
 */
export async function readEligibleCommitment(
  publicClient: PublicClient,
  opts: { address: Address; roundId: number | bigint; blockNumber?: number | bigint },
): Promise<Hex | null> {
  return readWriteOnce(publicClient, 'eligibleOf', opts)
}

/** One of the contract's write-once bytes32 values: lower-case hex, or null for the zero an unwritten slot holds. */
async function readWriteOnce(
  publicClient: PublicClient,
  functionName: 'rootOf' | 'eligibleOf',
  opts: { address: Address; roundId: number | bigint; blockNumber?: number | bigint },
): Promise<Hex | null> {
  const value = await publicClient.readContract({
    address: opts.address,
    abi: roundAnchorAbi,
    functionName,
    args: [BigInt(opts.roundId)],
    ...(opts.blockNumber === undefined ? {} : { blockNumber: BigInt(opts.blockNumber) }),
  })
  return /^0x0+$/.test(value) ? null : (value.toLowerCase() as Hex)
}

/**
 * The block that included `roundId`'s eligible commitment, from its `EligibleCommitted` event, or null when none
 * is anchored. (The commitment is write-once, so there is at most one such event.)
 */
export async function eligibleCommitmentBlock(
  publicClient: PublicClient,
  opts: { address: Address; roundId: number | bigint },
): Promise<bigint | null> {
  const events = await publicClient.getContractEvents({
    address: opts.address,
    abi: roundAnchorAbi,
    eventName: 'EligibleCommitted',
    args: { roundId: BigInt(opts.roundId) },
    fromBlock: 'earliest',
    strict: true,
  })
  return events[0]?.blockNumber ?? null
}

/** The custom error a contract call reverted with, if it did. */
export function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined
}

function errorSummary(err: unknown): string {
  return err instanceof BaseError ? err.shortMessage : String(err)
}

async function mined(clients: ChainClients, txHash: Hex, confirmations?: number): Promise<TxReceipt> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({
    hash: txHash,
    ...(confirmations === undefined ? {} : { confirmations: Math.max(1, confirmations) }),
  })
  if (receipt.status !== 'success') throw new Error(`transaction ${txHash} reverted`)
  return { txHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }
}

async function deployed(clients: ChainClients, txHash: Hex): Promise<TxReceipt & { address: Address }> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash: txHash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment ${txHash} failed`)
  return {
    txHash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    address: receipt.contractAddress,
  }
}
