/**
 * A local chain for tests and the demo: anvil from `@foundry-rs/anvil` (npm; runs offline, ready in under a second)
 * on a free port, with its ten well-known funded development accounts. Never for production.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Hex } from 'viem'

/** Anvil's first development account (from its default mnemonic): funded, and public knowledge. */
export const ANVIL_DEV_PRIVATE_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
export const ANVIL_CHAIN_ID = 31337

export interface LocalChain {
  rpcUrl: string
  chainId: number
  stop(): Promise<void>
}

export async function startAnvil(opts: { chainId?: number; timeoutMs?: number } = {}): Promise<LocalChain> {
  const pkg = dirname(createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json'))
  const chainId = opts.chainId ?? ANVIL_CHAIN_ID
  const child: ChildProcess = spawn(
    process.execPath,
    [join(pkg, 'bin.mjs'), '--port', '0', '--chain-id', String(chainId)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  try {
    const rpcUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('anvil did not start listening in time')),
        opts.timeoutMs ?? 30_000,
      )
      child.once('exit', (code) => reject(new Error(`anvil exited with ${code} before listening`)))
      lines.on('line', (line) => {
        const m = /Listening on ([\d.]+:\d+)/.exec(line)
        if (m) {
          clearTimeout(timer)
          resolve(`http://${m[1]}`)
        }
      })
    })
    // Keep draining its log, or a full pipe would stall it.
    return {
      rpcUrl,
      chainId,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        }),
    }
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
}
