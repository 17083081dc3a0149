import 'server-only'
import type { Database } from '@curia/db'
import type { AdmissionConfig } from '@curia/curation/admission/admission-config'
import { describeOperatorAction } from '@curia/curation/admission/operator-log'
import {
  getInviteTree,
  listAllowlist,
  listOperatorActions,
  type InviteTreeNode,
} from '@curia/curation/service/admission'
import type { OperatorConsoleView, OperatorMemberView } from '../../lib/operator-types'
import { guardSession, refused, toRefusal, type Refusal } from '../action-guard'
import { curatorHandles } from '../auth/web-session'
import { getJuryWebConfig } from '../jury/config'

/** How much of the operators' log the page shows (`npm run jury -- log --count n` prints more). */
export const OPERATOR_LOG_LINES = 50

/** Operators are named by DID in CURIA_OPERATOR_DIDS; nobody is one by default. */
export function isOperator(did: string | undefined, config: Pick<AdmissionConfig, 'operators'>): boolean {
  return did !== undefined && config.operators.has(did)
}

/**
 * For the operator's server actions: same origin, signed in, and an operator. Never throws: a fault reading the
 * session or the configuration is a refusal, as the actions' own faults are.
 */
export async function guardOperator(): Promise<{ did: string } | Refusal> {
  const guard = await guardSession()
  if ('status' in guard) return guard
  try {
    if (!isOperator(guard.did, getJuryWebConfig())) {
      return refused('forbidden', "Only Curia's operators can do this.")
    }
  } catch (err) {
    return toRefusal(err, 'guardOperator')
  }
  return guard
}

/**
 * The invite tree in reading order: each member followed by their branch, depth-first, children oldest first (as
 * `getInviteTree` returns them), with the size of every branch so the page can say what a revocation takes.
 */
export function orderInviteTree(
  nodes: readonly InviteTreeNode[],
  handles: ReadonlyMap<string, string>,
): OperatorMemberView[] {
  const children = new Map<number | null, InviteTreeNode[]>()
  const known = new Set(nodes.map((n) => n.memberId))
  for (const n of nodes) {
    // A parent missing from the list cannot happen in one consistent read; show such a member as a root anyway.
    const parent = n.parentId !== null && known.has(n.parentId) ? n.parentId : null
    children.set(parent, [...(children.get(parent) ?? []), n])
  }
  const out: OperatorMemberView[] = []
  const walk = (parent: number | null, depth: number): number => {
    let total = 0
    for (const n of children.get(parent) ?? []) {
      const view: OperatorMemberView = {
        personKey: n.personKey,
        wallet: n.wallet,
        handle: handles.get(n.personKey) ?? null,
        verifier: n.verifier,
        depth,
        admittedAt: n.admittedAt,
        revokedAt: n.revokedAt,
        invites: n.invites,
        descendants: 0,
      }
      out.push(view)
      view.descendants = walk(n.memberId, depth + 1)
      total += 1 + view.descendants
    }
    return total
  }
  walk(null, 0)
  return out
}

export async function loadOperatorConsole(
  database: Database,
  opts: { now: Date; config: Pick<AdmissionConfig, 'invites'> },
): Promise<OperatorConsoleView> {
  const [tree, allowlist, log] = await Promise.all([
    getInviteTree(database, opts),
    listAllowlist(database),
    listOperatorActions(database, { limit: OPERATOR_LOG_LINES }),
  ])
  const handles = await curatorHandles(
    database.sql,
    [
      ...tree.map((n) => n.personKey),
      ...allowlist.map((a) => a.did),
      ...log.flatMap((e) => [e.actor, e.subject ?? '']),
    ].filter((key) => key.startsWith('did:')),
  )
  const name = (key: string) => {
    const handle = handles.get(key)
    return handle ? `@${handle} (${key})` : key
  }
  return {
    members: orderInviteTree(tree, handles),
    allowlist: allowlist.map((a) => ({ ...a, handle: handles.get(a.did) ?? null })),
    inviteTtlDays: Math.round(opts.config.invites.ttlMs / 86_400_000),
    log: log.map((e) => ({
      id: e.id,
      at: e.at,
      actor: handles.has(e.actor) ? `@${handles.get(e.actor)}` : e.actor,
      text: describeOperatorAction(e, name),
    })),
  }
}
