/**
 * `npm run jury -- <command>`: the operator's jury admission commands (curation/src/service/admission.ts). With no
 * DATABASE_URL it uses the embedded database in $CURIA_DATA_DIR/pglite (through the running launcher's socket when
 * there is one).
 *
 *   allow <did | handle> [--note text]  put an account on the allowlist: it may enroll as a juror (signed in)
 *   disallow <did | handle>     take it off (a juror already enrolled stays; revoke removes one)
 *   invite [--count n]          create operator invite codes (roots of the invite tree; each admits one person)
 *   tree                        the invite tree: who invited whom, each member's invites, revocations
 *   revoke <did | handle | eth:0x...>  revoke that member (named by account or by wallet: either shuts out both) and
 *                               everyone admitted through their invites, transitively, and remove them from the
 *                               jury group (rounds already open keep the root they froze)
 *   revoke --catch-up           remove any revoked member still in the group (an older revocation)
 *   log [--count n]             the operators' log, newest first: who allowed, invited or revoked whom, and when
 *
 * Invite codes are printed once: only their hashes are stored. Exits 0 on success, 1 when the operation is refused
 * (an unknown member, a malformed DID), 2 on bad usage.
 */
import { join, resolve } from 'node:path'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { openDatabase, type Database } from '@curia/db'
import { parseAdmissionConfig } from '@curia/curation/admission/admission-config'
import { describeOperatorAction } from '@curia/curation/admission/operator-log'
import { isCurationError } from '@curia/curation/errors'
import {
  addToAllowlist,
  createOperatorInvites,
  getInviteTree,
  listOperatorActions,
  removeFromAllowlist,
  removeRevokedMembers,
  revokeInviteBranch,
  type InviteTreeNode,
} from '@curia/curation/service/admission'
import { getGroupHead } from '@curia/curation/service/jury-group'
import { createNetworkIdentity, resolveAccount } from '@curia/curation/service/author-profiles'
import { readCurationConfig } from '@curia/curation/config'

const USAGE = `usage: npm run jury -- allow <did | handle> [--note text] | disallow <did | handle> | invite [--count n]
                      | tree | revoke <did | handle | eth:0x...> | revoke --catch-up | log [--count n]`

class UsageError extends Error {}

const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    CURIA_DATA_DIR: z.string().default(join(resolve(import.meta.dirname, '..'), 'data')),
  })
  .parse(process.env)

/** The tree, one member per line, indented under who invited them. */
function formatInviteTree(nodes: readonly InviteTreeNode[]): string {
  if (nodes.length === 0) return 'no jurors yet'
  const children = new Map<number | null, InviteTreeNode[]>()
  for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n])
  const lines: string[] = []
  const walk = (parent: number | null, depth: number) => {
    for (const n of children.get(parent) ?? []) {
      const i = n.invites
      const invites = [
        `${i.used} of ${i.created} invites used`,
        i.pending > 0 ? `${i.pending} pending` : '',
        i.expired > 0 ? `${i.expired} expired` : '',
        i.withdrawn > 0 ? `${i.withdrawn} withdrawn` : '',
      ].filter(Boolean)
      lines.push(
        `${'  '.repeat(depth)}${n.personKey}  (${n.verifier}${n.wallet ? ` ${n.wallet}` : ''}, ` +
          `admitted ${n.admittedAt.slice(0, 10)}` +
          `${n.revokedAt ? `, REVOKED ${n.revokedAt.slice(0, 10)}` : ''}; ${invites.join(', ')})`,
      )
      walk(n.memberId, depth + 1)
    }
  }
  walk(null, 0)
  return lines.join('\n')
}

const COMMANDS = ['allow', 'disallow', 'invite', 'tree', 'revoke', 'log']

/** The command line, checked before any database is opened. */
function parseCommand(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { note: { type: 'string' }, count: { type: 'string' }, 'catch-up': { type: 'boolean' } },
  })
  if (!COMMANDS.includes(positionals[0] ?? '')) {
    throw new UsageError(positionals[0] ? `unknown command: ${positionals[0]}` : 'no command')
  }
  return { positionals, values }
}

async function run(
  database: Database,
  { positionals, values }: ReturnType<typeof parseCommand>,
): Promise<void> {
  const [command, ...rest] = positionals
  const now = new Date()
  // Who, in the operators' log: this machine's user (the web app's page logs the operator's DID).
  const by = `cli:${userInfo().username}`
  /** A DID as given, or a handle resolved (both ways) to one through CURIA_PLC_URL and CURIA_OAUTH_HANDLE_RESOLVER. */
  const account = async (input: string): Promise<{ did: string; label: string }> => {
    const { identity, authors } = readCurationConfig()
    const found = await resolveAccount(createNetworkIdentity({ ...identity, ...authors }), input)
    return { did: found.did, label: found.handle ? `@${found.handle} (${found.did})` : found.did }
  }
  const one = (what: string): string => {
    if (rest.length !== 1) throw new UsageError(`${command} takes one ${what}`)
    return rest[0]!
  }
  switch (command) {
    case 'allow': {
      const { did, label } = await account(one('DID or handle'))
      const { added } = await addToAllowlist(database, {
        did,
        now,
        by,
        ...(values.note ? { note: values.note } : {}),
      })
      console.log(added ? `${label} may now enroll as a juror` : `${label} was already on the allowlist`)
      return
    }
    case 'disallow': {
      const { did, label } = await account(one('DID or handle'))
      const { removed } = await removeFromAllowlist(database, { did, now, by })
      console.log(removed ? `${label} is off the allowlist` : `${label} was not on the allowlist`)
      return
    }
    case 'invite': {
      if (rest.length !== 0) throw new UsageError('invite takes no arguments')
      const count = values.count === undefined ? 1 : Number(values.count)
      const { invites } = parseAdmissionConfig(process.env)
      const created = await createOperatorInvites(database, { count, now, by, policy: invites })
      for (const c of created) console.log(`${c.code}  (expires ${c.expiresAt})`)
      console.log(`${created.length} invite(s); each admits one person. Shown once: Curia keeps only hashes.`)
      return
    }
    case 'tree': {
      if (rest.length !== 0) throw new UsageError('tree takes no arguments')
      console.log(formatInviteTree(await getInviteTree(database, { now })))
      return
    }
    case 'log': {
      if (rest.length !== 0) throw new UsageError('log takes no arguments')
      const limit = values.count === undefined ? 50 : Number(values.count)
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError('--count must be a positive whole number')
      const entries = await listOperatorActions(database, { limit })
      if (entries.length === 0) console.log('no operator actions yet')
      for (const e of entries) console.log(`${e.at}  ${e.actor}  ${describeOperatorAction(e)}`)
      return
    }
    case 'revoke': {
      if (values['catch-up']) {
        if (rest.length !== 0) throw new UsageError('revoke --catch-up takes no member')
        const removed = await removeRevokedMembers(database, { now })
        console.log(`removed ${removed} revoked member(s) still in the jury group`)
      } else {
        const member = one('member (a DID, a handle or an eth:0x... key)')
        const personKey = member.startsWith('eth:') ? member : (await account(member)).did
        const result = await revokeInviteBranch(database, { personKey, now, by })
        console.log(
          `revoked ${result.members} member(s) in the branch of ${personKey}, withdrew ${result.invites} unused ` +
            `invite(s), removed ${result.removed} member(s) from the jury group`,
        )
      }
      const head = await getGroupHead(database)
      console.log(
        `jury group: root version ${head.version}; rounds opened from now on exclude revoked members, rounds ` +
          'already open keep the root they froze',
      )
      return
    }
  }
}

async function main(): Promise<number> {
  let database: Database | undefined
  try {
    const command = parseCommand(process.argv.slice(2))
    database = await openDatabase({
      url: env.DATABASE_URL,
      dataDir: join(env.CURIA_DATA_DIR, 'pglite'),
      max: 1,
      name: 'curia-jury-admin',
    })
    await run(database, command)
    return 0
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n${USAGE}`)
      return 2
    }
    if (isCurationError(err)) {
      console.error(`refused: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await database?.close()
  }
}

process.exitCode = await main()
