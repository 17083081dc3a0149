import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keccak256, toHex, zeroHash, type Address, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { isCurationError } from '../src/errors'
import {
  anchorRoot,
  commitEligibleHash,
  connectChain,
  deployRoundAnchor,
  deployTestPersonhoodRegistry,
  readAnchor,
  readEligibleCommitment,
  revertName,
  setTestHuman,
  type ChainClients,
} from '../src/chain/anchor'
import { ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '../src/chain/anvil'
import {
  EVM_VERSION,
  roundAnchorAbi,
  roundAnchorBytecode,
  SOLC_VERSION,
  testPersonhoodRegistryAbi,
  testPersonhoodRegistryBytecode,
} from '../src/chain/artifacts'
import { compileContracts } from '../src/chain/compile'
import { isRegisteredHuman, parseRegistryFunction } from '../src/chain/personhood'

let chain: LocalChain
let operator: ChainClients
let anchor: Address

beforeAll(async () => {
  chain = await startAnvil()
  operator = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  anchor = (await deployRoundAnchor(operator)).address
})
afterAll(async () => {
  await chain?.stop()
})

const rootFor = (text: string): Hex => keccak256(toHex(text))

describe('contracts', () => {
  it('the committed artifacts are exactly what solc makes of contracts/*.sol', () => {
    const fresh = compileContracts()
    expect(SOLC_VERSION).toBe(fresh.solcVersion)
    expect(EVM_VERSION).toBe('cancun')
    expect(roundAnchorAbi).toEqual(fresh.contracts.RoundAnchor.abi)
    expect(roundAnchorBytecode).toBe(fresh.contracts.RoundAnchor.bytecode)
    expect(testPersonhoodRegistryAbi).toEqual(fresh.contracts.TestPersonhoodRegistry.abi)
    expect(testPersonhoodRegistryBytecode).toBe(fresh.contracts.TestPersonhoodRegistry.bytecode)
  })
})

describe('RoundAnchor on anvil', () => {
  it('anchors a root once, reads it back, and costs under 50k gas', async () => {
    expect(await readAnchor(operator.publicClient, { address: anchor, roundId: 1 })).toBeNull()
    const root = rootFor('round 1 export')
    const receipt = await anchorRoot(operator, { address: anchor, roundId: 1, root })
    expect(await readAnchor(operator.publicClient, { address: anchor, roundId: 1 })).toBe(root)
    // Measured, and reported in the README: one fresh storage slot plus one event.
    expect(receipt.gasUsed).toBeLessThan(50_000n)
    console.log(`RoundAnchor.anchor gas used: ${receipt.gasUsed}`)
    const logs = await operator.publicClient.getContractEvents({
      address: anchor,
      abi: roundAnchorAbi,
      eventName: 'RoundAnchored',
      fromBlock: receipt.blockNumber,
      toBlock: receipt.blockNumber,
    })
    expect(logs.map((l) => l.args)).toEqual([{ roundId: 1n, root }])
  })

  it('the contract itself refuses a second anchor for a round, even sent without a simulation', async () => {
    const first = rootFor('round 2 export')
    await anchorRoot(operator, { address: anchor, roundId: 2, root: first })
    // Our client refuses before spending gas...
    const err = await anchorRoot(operator, { address: anchor, roundId: 2, root: rootFor('another') }).catch(
      (e: unknown) => e,
    )
    expect(isCurationError(err, 'already_anchored')).toBe(true)
    // ...and the chain refuses regardless: a transaction forced through (fixed gas, no estimate) reverts.
    const txHash = await operator.walletClient.writeContract({
      address: anchor,
      abi: roundAnchorAbi,
      functionName: 'anchor',
      args: [2n, rootFor('another')],
      gas: 100_000n,
    })
    const receipt = await operator.publicClient.waitForTransactionReceipt({ hash: txHash })
    expect(receipt.status).toBe('reverted')
    // The same root again is refused too: write-once, not "write the same".
    const same = await operator.publicClient
      .simulateContract({
        account: operator.walletClient.account,
        address: anchor,
        abi: roundAnchorAbi,
        functionName: 'anchor',
        args: [2n, first],
      })
      .catch((e: unknown) => e)
    expect(revertName(same)).toBe('AlreadyAnchored')
    expect(await readAnchor(operator.publicClient, { address: anchor, roundId: 2 })).toBe(first)
  })

  it("commits a round's eligible list once, apart from its root, readable as of any block, under 50k gas", async () => {
    const hash = rootFor('round 4 eligible list')
    const before = await operator.publicClient.getBlockNumber()
    const receipt = await commitEligibleHash(operator, { address: anchor, roundId: 4, eligibleHash: hash })
    expect(receipt.gasUsed).toBeLessThan(50_000n)
    console.log(`RoundAnchor.commitEligible gas used: ${receipt.gasUsed}`)
    expect(await readEligibleCommitment(operator.publicClient, { address: anchor, roundId: 4 })).toBe(hash)
    // The state as of a block: absent before the one that included it, present from it on.
    expect(
      await readEligibleCommitment(operator.publicClient, {
        address: anchor,
        roundId: 4,
        blockNumber: before,
      }),
    ).toBeNull()
    expect(
      await readEligibleCommitment(operator.publicClient, {
        address: anchor,
        roundId: 4,
        blockNumber: receipt.blockNumber,
      }),
    ).toBe(hash)
    // A separate slot: the round's export root is still unanchored, and anchoring it leaves the commitment alone.
    expect(await readAnchor(operator.publicClient, { address: anchor, roundId: 4 })).toBeNull()
    await anchorRoot(operator, { address: anchor, roundId: 4, root: rootFor('round 4 export') })
    expect(await readEligibleCommitment(operator.publicClient, { address: anchor, roundId: 4 })).toBe(hash)
    // Write-once, operator-only, never zero.
    const again = await commitEligibleHash(operator, {
      address: anchor,
      roundId: 4,
      eligibleHash: hash,
    }).catch((e: unknown) => e)
    expect(isCurationError(again, 'already_anchored')).toBe(true)
    const stranger = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: generatePrivateKey() })
    const squat = await commitEligibleHash(stranger, {
      address: anchor,
      roundId: 5,
      eligibleHash: hash,
    }).catch((e: unknown) => e)
    expect(isCurationError(squat, 'bad_auth')).toBe(true)
    const zero = await commitEligibleHash(operator, {
      address: anchor,
      roundId: 5,
      eligibleHash: zeroHash,
    }).catch((e: unknown) => e)
    expect(isCurationError(zero, 'bad_request')).toBe(true)
    const direct = await operator.publicClient
      .simulateContract({
        account: operator.walletClient.account,
        address: anchor,
        abi: roundAnchorAbi,
        functionName: 'commitEligible',
        args: [4n, rootFor('another list')],
      })
      .catch((e: unknown) => e)
    expect(revertName(direct)).toBe('AlreadyCommitted')
  })

  it('only the operator anchors, and never a zero root', async () => {
    const stranger = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: generatePrivateKey() })
    const notOperator = await anchorRoot(
      { publicClient: stranger.publicClient, walletClient: stranger.walletClient },
      { address: anchor, roundId: 3, root: rootFor('squat') },
    ).catch((e: unknown) => e)
    expect(isCurationError(notOperator, 'bad_auth')).toBe(true)
    const zero = await anchorRoot(operator, { address: anchor, roundId: 3, root: zeroHash }).catch(
      (e: unknown) => e,
    )
    expect(isCurationError(zero, 'bad_request')).toBe(true)
    const direct = await operator.publicClient
      .simulateContract({
        account: operator.walletClient.account,
        address: anchor,
        abi: roundAnchorAbi,
        functionName: 'anchor',
        args: [3n, zeroHash],
      })
      .catch((e: unknown) => e)
    expect(revertName(direct)).toBe('ZeroRoot')
    expect(await readAnchor(operator.publicClient, { address: anchor, roundId: 3 })).toBeNull()
  })
})

describe('personhood registry reads', () => {
  it('reads a bool registry function and refuses signatures that do not fit', async () => {
    const registry = (await deployTestPersonhoodRegistry(operator)).address
    const human = privateKeyToAccount(generatePrivateKey()).address
    const bot = privateKeyToAccount(generatePrivateKey()).address
    await setTestHuman(operator, { registry, account: human, human: true })
    const fn = parseRegistryFunction('function isHuman(address) view returns (bool)')
    const config = { address: registry, fn, minimum: 1n }
    expect(await isRegisteredHuman(operator.publicClient, config, human)).toBe(true)
    expect(await isRegisteredHuman(operator.publicClient, config, bot)).toBe(false)
    await setTestHuman(operator, { registry, account: human, human: false })
    expect(await isRegisteredHuman(operator.publicClient, config, human)).toBe(false)

    expect(() => parseRegistryFunction('function setHuman(address, bool)')).toThrow(/view/)
    expect(() => parseRegistryFunction('function score(uint256) view returns (bool)')).toThrow(/one address/)
    expect(() => parseRegistryFunction('function name(address) view returns (string)')).toThrow(
      /bool or uint/,
    )
    expect(parseRegistryFunction('function balanceOf(address) view returns (uint256)').name).toBe('balanceOf')
  })
})
