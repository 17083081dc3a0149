/**
 * The jury layer's settings, read once by the process entry point (`parseJuryConfig(process.env)`); everything else
 * takes the parsed object. Every variable has a default that runs offline. The beacon is the next Ethereum block's
 * hash whenever CURIA_JURY_BEACON_RPC_URL names an endpoint to read it from (with the anchor contract on the same
 * chain, the operator then cannot grind the sample), and the operator's committed seed alone only when there is none
 * or CURIA_JURY_BEACON=operator says so.
 */
import { z } from 'zod'
import { DEFAULT_ROUND_PARAMS, assertRoundParams, type RoundParams } from '../jury/round'

const MINUTE_MS = 60_000

const optionalBool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1'))

const env = z.object({
  /** Run the jury's job worker in this process. */
  CURIA_JURY_ENABLED: optionalBool,
  /** A round opens this often; its window of closed markets is this long. */
  CURIA_JURY_CADENCE_MINUTES: z.coerce
    .number()
    .positive()
    .default(24 * 60),
  /** How long jurors may vote once the sample is drawn. */
  CURIA_JURY_VOTING_MINUTES: z.coerce
    .number()
    .positive()
    .default(24 * 60),
  CURIA_JURY_P_MIN: z.coerce.number().gt(0).max(1).default(DEFAULT_ROUND_PARAMS.pMin),
  CURIA_JURY_P_MAX: z.coerce.number().gt(0).max(1).default(DEFAULT_ROUND_PARAMS.pMax),
  CURIA_JURY_HALF_EXPOSURE: z.coerce.number().positive().default(DEFAULT_ROUND_PARAMS.halfExposure),
  CURIA_JURY_CAPACITY: z.coerce.number().int().min(0).default(DEFAULT_ROUND_PARAMS.capacity),
  CURIA_JURY_QUORUM: z.coerce.number().int().min(1).default(DEFAULT_ROUND_PARAMS.quorum),
  /** Sampled posts each ballot covers, assigned by a hash of the juror's round nullifier (../jury/assignment.ts). */
  CURIA_JURY_POSTS_PER_BALLOT: z.coerce.number().int().min(1).default(DEFAULT_ROUND_PARAMS.postsPerBallot),
  /** Unset: `block` when CURIA_JURY_BEACON_RPC_URL is set, `operator` otherwise. */
  CURIA_JURY_BEACON: z.enum(['operator', 'block', '']).optional(),
  CURIA_JURY_BEACON_RPC_URL: z.url().optional(),
  /** Blocks that must follow the beacon block before its hash is used (reorg safety). */
  CURIA_JURY_BEACON_CONFIRMATIONS: z.coerce.number().int().min(0).default(2),
  /** How often the worker looks for due jobs (pg-boss polling; at least 0.5). */
  CURIA_JURY_POLL_SECONDS: z.coerce.number().min(0.5).default(5),
})

export interface JuryConfig {
  enabled: boolean
  cadenceMs: number
  votingMs: number
  params: RoundParams
  beacon: { kind: 'operator' } | { kind: 'block'; rpcUrl: string; confirmations: number }
  pollSeconds: number
}

export function parseJuryConfig(source: Record<string, string | undefined>): JuryConfig {
  const e = env.parse(source)
  const params: RoundParams = {
    pMin: e.CURIA_JURY_P_MIN,
    pMax: e.CURIA_JURY_P_MAX,
    halfExposure: e.CURIA_JURY_HALF_EXPOSURE,
    capacity: e.CURIA_JURY_CAPACITY,
    quorum: e.CURIA_JURY_QUORUM,
    postsPerBallot: e.CURIA_JURY_POSTS_PER_BALLOT,
  }
  try {
    assertRoundParams(params)
  } catch {
    throw new Error('CURIA_JURY_P_MIN must not exceed CURIA_JURY_P_MAX')
  }
  const beaconKind = e.CURIA_JURY_BEACON || (e.CURIA_JURY_BEACON_RPC_URL ? 'block' : 'operator')
  if (beaconKind === 'block' && !e.CURIA_JURY_BEACON_RPC_URL) {
    throw new Error('CURIA_JURY_BEACON=block needs CURIA_JURY_BEACON_RPC_URL (an Ethereum JSON-RPC endpoint)')
  }
  return {
    enabled: e.CURIA_JURY_ENABLED ?? true,
    cadenceMs: Math.round(e.CURIA_JURY_CADENCE_MINUTES * MINUTE_MS),
    votingMs: Math.round(e.CURIA_JURY_VOTING_MINUTES * MINUTE_MS),
    params,
    beacon:
      beaconKind === 'block'
        ? {
            kind: 'block',
            rpcUrl: e.CURIA_JURY_BEACON_RPC_URL!,
            confirmations: e.CURIA_JURY_BEACON_CONFIRMATIONS,
          }
        : { kind: 'operator' },
    pollSeconds: e.CURIA_JURY_POLL_SECONDS,
  }
}

export const DEFAULT_JURY_CONFIG: JuryConfig = parseJuryConfig({})
