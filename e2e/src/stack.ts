/**
 * Where the stack that global setup booted lives. Global setup writes these variables before the test workers
 * start, and workers inherit its environment, so a spec reads them rather than booting anything itself.
 */
export interface CuriaStack {
  /** The reader's page (`next start`). */
  webUrl: string
  /** The feed generator (getFeedSkeleton). */
  feedUrl: string
  /** The local PDS, where fixtures create accounts and posts. */
  pdsUrl: string
  plcUrl: string
  /** The Jetstream-protocol relay the indexer reads. */
  relayUrl: string
  /** The local account the web app treats as an operator (CURIA_OPERATOR_DIDS); its password follows its handle. */
  operatorHandle: string
}

const KEYS = {
  webUrl: 'CURIA_E2E_WEB_URL',
  feedUrl: 'CURIA_E2E_FEED_URL',
  pdsUrl: 'CURIA_E2E_PDS_URL',
  plcUrl: 'CURIA_E2E_PLC_URL',
  relayUrl: 'CURIA_E2E_RELAY_URL',
  operatorHandle: 'CURIA_E2E_OPERATOR_HANDLE',
} as const satisfies Record<keyof CuriaStack, string>

export function publishStack(stack: CuriaStack): void {
  for (const [field, key] of Object.entries(KEYS)) process.env[key] = stack[field as keyof CuriaStack]
}

export function readStack(): CuriaStack {
  const entries = Object.entries(KEYS).map(([field, key]) => {
    const value = process.env[key]
    if (!value)
      throw new Error(`${key} is not set: run the specs through playwright.config.ts (global setup).`)
    return [field, value]
  })
  return Object.fromEntries(entries) as CuriaStack
}
