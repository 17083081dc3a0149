/**
 * `npm run verify-round -- <export.json> [--rpc <url>]`: re-verifies a closed jury round from its export with no
 * Curia server: the export's Merkle root, the seed against its commitment and the mixed seed, the group root from the
 * commitments, the sample recomputed from the eligible set, every ballot (depth, scope, root, message, content) and
 * its Semaphore proof, nullifier uniqueness, and the tallies. Exits 0 when everything checks, 1 with one line per
 * mismatch otherwise, 2 when the file cannot be read.
 *
 * A block beacon's hash comes from the chain, which an offline check cannot see: give `--rpc` (any Ethereum JSON-RPC
 * of the round's chain) to compare it, otherwise the block is printed for you to look up.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { verifyProof } from '@semaphore-protocol/core'
import { verifyRoundExport } from '@curia/curation/jury/export'
import { createBlockSource } from '@curia/curation/service/jury-beacon'

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { rpc: { type: 'string' } },
  })
  const file = positionals[0]
  if (!file || positionals.length > 1) {
    console.error('usage: npm run verify-round -- <export.json> [--rpc <url>]')
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
  const block = report.beaconBlock
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
  for (const line of problems) console.log(`MISMATCH ${line}`)
  const round = (input as { round?: { id?: unknown } }).round?.id
  const { ballots, proofsVerified, eligible, sampled } = report.checked
  if (block && !values.rpc) {
    console.log(
      `note: beacon block ${block.number} on chain ${block.chainId} should have hash ${block.hash} (not checked: no --rpc)`,
    )
  }
  if (problems.length > 0) {
    console.log(`round ${String(round)}: FAILED, ${problems.length} problem(s)`)
    return 1
  }
  console.log(
    `round ${String(round)}: OK: ${proofsVerified}/${ballots} ballot proofs verified, nullifiers unique, ` +
      `seed matches its commitment, sample of ${sampled} from ${eligible} eligible recomputed, tallies recomputed` +
      (block && values.rpc ? ', beacon block hash checked' : ''),
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
