/**
 * `npm run verify-round -- <export.json> [--rpc <url>] [--anchor <address>] [--root <hex>]`: re-verifies a closed
 * jury round from its export with no Curia server: the export's Merkle root, the eligible list against the
 * commitment fixed at freeze, the seed against its commitment and the mixed seed, the group root from the
 * commitments, the sample recomputed from the eligible list, every ballot (depth, scope, root, message, content) and
 * its Semaphore proof, nullifier uniqueness, and the tallies. Exits 0 when everything checks, 1 with one line per
 * mismatch otherwise, 2 when the file cannot be read or the options make no sense.
 *
 * Offline, an export can only agree with itself: one rewritten whole (a ballot dropped, tallies and root
 * recomputed) passes. What binds it is the root anchored at close: `--rpc <url> --anchor <address>` reads the
 * round's anchored root (and, for a block beacon, its eligible commitment, which must have been on-chain before the
 * beacon block) from the RoundAnchor contract; `--root <hex>` compares with a root obtained elsewhere. The export's
 * root is always printed, so a reader can compare it by hand. `--rpc` alone checks a block beacon's hash on its chain.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { verifyProof } from '@semaphore-protocol/core'
import { createPublicClient, http, isAddress } from 'viem'
import { checkRoundAnchors } from '@curia/curation/chain/round-anchor-check'
import { ROUND_EXPORT_FORMAT_V1, verifyRoundExport } from '@curia/curation/jury/export'
import { createBlockSource } from '@curia/curation/service/jury-beacon'

const USAGE =
  'usage: npm run verify-round -- <export.json> [--rpc <url>] [--anchor <contract address>] [--root <0x hex>]'

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { rpc: { type: 'string' }, anchor: { type: 'string' }, root: { type: 'string' } },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) {
    console.error(USAGE)
    return 2
  }
  if (values.anchor !== undefined && (!values.rpc || !isAddress(values.anchor, { strict: false }))) {
    console.error(`--anchor takes the RoundAnchor contract's 0x address, and needs --rpc\n${USAGE}`)
    return 2
  }
  const expectedRoot = values.root?.toLowerCase()
  if (expectedRoot !== undefined && !/^0x[0-9a-f]{64}$/.test(expectedRoot)) {
    console.error(`--root takes a 0x-prefixed 32-byte hex root\n${USAGE}`)
    return 2
  }
  let input: unknown
  try {
    input = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as Error).message}`)
    return 2
  }
  const report = await verifyRoundExport(input, { verifyProof })
  const problems = [...report.problems]
  const notes: string[] = []
  const anchored: string[] = []
  const block = report.beaconBlock
  const round = (input as { round?: { id?: unknown } }).round?.id
  if (block && values.rpc) {
    try {
      const source = await createBlockSource({ rpcUrl: values.rpc, confirmations: 0 })
      const hash = source.chainId === block.chainId ? await source.getBlockHash(block.number) : undefined
      if (source.chainId !== block.chainId) {
        problems.push(`beacon: the RPC serves chain ${source.chainId}, the round used chain ${block.chainId}`)
      } else if (hash !== block.hash) {
        problems.push(
          `beacon: block ${block.number} has hash ${hash ?? '(not mined)'}, the export says ${block.hash}`,
        )
      }
    } catch (err) {
      problems.push(
        `beacon: could not read block ${block.number} from ${values.rpc}: ${(err as Error).message}`,
      )
    }
  }
  const recomputed = report.recomputed
  if (recomputed && expectedRoot !== undefined) {
    if (recomputed.exportRoot !== expectedRoot) {
      problems.push(`root: the export hashes to ${recomputed.exportRoot}, not the given root ${expectedRoot}`)
    } else anchored.push('export root equals the given root')
  }
  if (recomputed && values.anchor && values.rpc) {
    try {
      const check = await checkRoundAnchors(createPublicClient({ transport: http(values.rpc) }), {
        address: values.anchor,
        roundId: Number(round),
        exportRoot: recomputed.exportRoot,
        eligibleHash: recomputed.eligibleHash,
        hasEligibleCommitment: (input as { format?: unknown }).format !== ROUND_EXPORT_FORMAT_V1,
        beaconBlock: block,
      })
      problems.push(...check.problems)
      notes.push(...check.notes)
      anchored.push(...check.checked)
    } catch (err) {
      problems.push(
        `anchor: could not read contract ${values.anchor} through ${values.rpc}: ${(err as Error).message.split('\n')[0]}`,
      )
    }
  }

  for (const line of problems) console.log(`MISMATCH ${line}`)
  if (recomputed) {
    console.log(`export root: ${recomputed.exportRoot}`)
    console.log(`eligible list hash: ${recomputed.eligibleHash}`)
  }
  for (const line of notes) console.log(`note: ${line}`)
  if (block && !values.rpc) {
    console.log(
      `note: beacon block ${block.number} on chain ${block.chainId} should have hash ${block.hash} (not checked: no --rpc)`,
    )
  }
  if (recomputed && !values.anchor && expectedRoot === undefined) {
    console.log(
      'note: the export root was not compared with the one anchored at close (give --rpc and --anchor, or --root): ' +
        'an export rewritten whole would pass the other checks',
    )
  }
  if (problems.length > 0) {
    console.log(`round ${String(round)}: FAILED, ${problems.length} problem(s)`)
    return 1
  }
  const { ballots, proofsVerified, eligible, sampled } = report.checked
  console.log(
    `round ${String(round)}: OK: ${proofsVerified}/${ballots} ballot proofs verified, nullifiers unique, ` +
      `seed matches its commitment, sample of ${sampled} from ${eligible} eligible recomputed, tallies recomputed` +
      (block && values.rpc ? ', beacon block hash checked' : '') +
      anchored.map((a) => `, ${a}`).join(''),
  )
  return 0
}

try {
  process.exitCode = await main()
} catch (err) {
  console.error(`verify-round: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 2
} finally {
  // snarkjs keeps worker threads alive otherwise.
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
}
