/**
 * The operators' log (`operator_action`, written by service/admission.ts in the same transaction as each change):
 * one line per change to who may join the jury. Pure: the CLI (`npm run jury -- log`) and the web app's operator
 * page describe a line the same way.
 */
import type { OperatorActionKind } from '@curia/db'

export interface OperatorActionEntry {
  id: number
  /** ISO 8601 UTC. */
  at: string
  /** An operator's DID (the web app), `cli:<user>` (`npm run jury`), or what a script named itself. */
  actor: string
  action: OperatorActionKind
  /** The DID allowed or taken off, the member whose branch was revoked; null for operator invites. */
  subject: string | null
  detail: Record<string, string | number>
}

const count = (n: unknown, one: string, many = `${one}s`) => {
  const k = typeof n === 'number' ? n : 0
  return `${k.toLocaleString('en-US')} ${k === 1 ? one : many}`
}

/** What a line says was done, e.g. "allowed did:plc:… (note: met at the meetup)"; `name` renders a DID. */
export function describeOperatorAction(
  entry: Pick<OperatorActionEntry, 'action' | 'subject' | 'detail'>,
  name: (key: string) => string = (key) => key,
): string {
  const who = entry.subject === null ? 'nobody' : name(entry.subject)
  const d = entry.detail
  switch (entry.action) {
    case 'allow':
      return `allowed ${who}${typeof d.note === 'string' ? ` (note: ${d.note})` : ''}`
    case 'disallow':
      return `took ${who} off the allowlist`
    case 'invite':
      return `created ${count(d.count, 'operator invite')}`
    case 'revoke':
      return (
        `revoked the branch of ${who}: ${count(d.members, 'member')}, ` +
        `${count(d.invites, 'unused invite')} withdrawn, ${count(d.removed, 'member')} removed from the jury group`
      )
  }
}
