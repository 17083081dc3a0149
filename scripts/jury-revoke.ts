/**
 * `npm run jury:revoke`: the operator revokes a branch of the jury's invite tree and removes its members from the
 * Semaphore group (curation/src/service/admission.ts). With no DATABASE_URL it uses the embedded database in
 * $CURIA_DATA_DIR/pglite (through the running launcher's socket when there is one).
 *
 *   npm run jury:revoke -- did:plc:abc   revoke that member and everyone admitted through their invites, transitively
 *   npm run jury:revoke -- --catch-up    remove any revoked member still in the group (an older revocation)
 *
 * Prints how many members were revoked, invites withdrawn and commitments removed (one new root version each).
 * Rounds already open keep the root they froze, so a revoked member can still vote in those; not in later ones.
 * Exits 0 on success, 1 when the operation is refused (no member has that key), 2 on bad usage.
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { openDatabase } from '@curia/db'
import { isCurationError } from '@curia/curation/errors'
import { removeRevokedMembers, revokeInviteBranch } from '@curia/curation/service/admission'
import { getGroupHead } from '@curia/curation/service/jury-group'

const USAGE = 'usage: npm run jury:revoke -- <member DID or eth:0x... key> | --catch-up'

const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    CURIA_DATA_DIR: z.string().default(join(resolve(import.meta.dirname, '..'), 'data')),
  })
  .parse(process.env)

async function main(): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'catch-up': { type: 'boolean' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { positionals, values } = parsed
  const catchUp = values['catch-up'] === true
  if (catchUp ? positionals.length !== 0 : positionals.length !== 1) {
    console.error(USAGE)
    return 2
  }
  const database = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: join(env.CURIA_DATA_DIR, 'pglite'),
    max: 1,
    name: 'curia-jury-revoke',
  })
  try {
    const now = new Date()
    if (catchUp) {
      const removed = await removeRevokedMembers(database, { now })
      console.log(`removed ${removed} revoked member(s) still in the jury group`)
    } else {
      const personKey = positionals[0]!
      const result = await revokeInviteBranch(database, { personKey, now })
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
    return 0
  } catch (err) {
    if (isCurationError(err)) {
      console.error(`refused: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await database.close()
  }
}

process.exitCode = await main()
