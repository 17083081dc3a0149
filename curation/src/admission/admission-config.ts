/**
 * Jury admission settings, read once by the process entry point (`parseAdmissionConfig(process.env)`); everything
 * else takes the parsed object. Defaults run offline: the allowlist and invites work with no chain; the personhood
 * verifier switches on when its RPC URL and registry address are set.
 */
import { getAddress, isAddress } from 'viem'
import { z } from 'zod'
import { DID } from './verifier'
import {
  DEFAULT_PERSONHOOD_FUNCTION,
  parseRegistryFunction,
  type PersonhoodRegistry,
} from '../chain/personhood'

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

export interface InvitePolicy {
  /** Invites one member may create per period. */
  perPeriod: number
  periodMs: number
  /** An invite code expires this long after it was made. */
  ttlMs: number
}

export interface SiwePolicy {
  /** The RFC 3986 authority the message must name (the web app's host[:port]). */
  domain: string
  /** The URI the message must name (the web app's origin). */
  uri: string
  /** The chain the wallet signs for: the registry's chain. */
  chainId: number
  /** A nonce is accepted up to this long after it was issued. */
  nonceTtlMs: number
  /** Clock skew tolerated on the message's issued-at and not-before. */
  clockSkewMs: number
}

export interface AdmissionConfig {
  invites: InvitePolicy
  siwe: SiwePolicy
  /** Set when the personhood verifier is on. */
  personhood: { rpcUrl: string; registry: PersonhoodRegistry } | undefined
  /**
   * The Bluesky accounts that may run admission from the web app (the /operator page: the invite tree, revoking a
   * branch, the allowlist, operator invites). Empty: only the `npm run jury` commands, which need the database.
   */
  operators: ReadonlySet<string>
}

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'an 0x address')
  .transform((v) => getAddress(v))

/** DIDs separated by commas or spaces. */
const didList = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const dids = v.split(/[\s,]+/).filter(Boolean)
    for (const did of dids) {
      if (!DID.test(did)) ctx.addIssue({ code: 'custom', message: `not a DID: ${did.slice(0, 80)}` })
    }
    return new Set(dids)
  })

const env = z.object({
  CURIA_OPERATOR_DIDS: didList,
  CURIA_INVITES_PER_PERIOD: z.coerce.number().int().min(0).default(3),
  CURIA_INVITE_PERIOD_DAYS: z.coerce.number().positive().default(30),
  CURIA_INVITE_TTL_DAYS: z.coerce.number().positive().default(14),
  CURIA_SIWE_DOMAIN: z.string().min(1).default('localhost:3000'),
  CURIA_SIWE_URI: z.url().default('http://localhost:3000'),
  CURIA_SIWE_NONCE_TTL_MINUTES: z.coerce.number().positive().default(10),
  CURIA_PERSONHOOD_RPC_URL: z.url().optional(),
  CURIA_PERSONHOOD_CHAIN_ID: z.coerce.number().int().positive().default(1),
  CURIA_PERSONHOOD_REGISTRY: address.optional(),
  CURIA_PERSONHOOD_FUNCTION: z.string().default(DEFAULT_PERSONHOOD_FUNCTION),
  CURIA_PERSONHOOD_MINIMUM: z.coerce.bigint().min(1n).default(1n),
})

export function parseAdmissionConfig(source: Record<string, string | undefined>): AdmissionConfig {
  const e = env.parse(source)
  let personhood: AdmissionConfig['personhood']
  if (e.CURIA_PERSONHOOD_RPC_URL || e.CURIA_PERSONHOOD_REGISTRY) {
    if (!e.CURIA_PERSONHOOD_RPC_URL || !e.CURIA_PERSONHOOD_REGISTRY) {
      throw new Error('CURIA_PERSONHOOD_RPC_URL and CURIA_PERSONHOOD_REGISTRY are set together')
    }
    personhood = {
      rpcUrl: e.CURIA_PERSONHOOD_RPC_URL,
      registry: {
        address: e.CURIA_PERSONHOOD_REGISTRY,
        fn: parseRegistryFunction(e.CURIA_PERSONHOOD_FUNCTION),
        minimum: e.CURIA_PERSONHOOD_MINIMUM,
      },
    }
  }
  return {
    invites: {
      perPeriod: e.CURIA_INVITES_PER_PERIOD,
      periodMs: e.CURIA_INVITE_PERIOD_DAYS * DAY_MS,
      ttlMs: e.CURIA_INVITE_TTL_DAYS * DAY_MS,
    },
    siwe: {
      domain: e.CURIA_SIWE_DOMAIN,
      uri: e.CURIA_SIWE_URI,
      chainId: e.CURIA_PERSONHOOD_CHAIN_ID,
      nonceTtlMs: e.CURIA_SIWE_NONCE_TTL_MINUTES * MINUTE_MS,
      clockSkewMs: 60_000,
    },
    personhood,
    operators: e.CURIA_OPERATOR_DIDS,
  }
}
