/**
 * Jury admission (MECHANISM.md "Jury layer"; verifiers in ../admission/). One person binds one identity commitment:
 * every `juror_binding` records the signed-in account (`did`) and, through the personhood check, the wallet; the
 * account, the wallet and the commitment are each unique, so a person who could pass two verifiers (allowlisted, and
 * holding a registered wallet) still binds one commitment. The binding is private: nothing here returns it, except
 * `listRevokedCommitments`, which exists for the jury's group maintenance and must never reach an API.
 *
 * `admitJuror`: verify the evidence (outside any transaction), then in one transaction lock the bindings that hold
 * either of the person's keys, decide (`decideBinding`: refused if either key is bound or revoked), write the binding
 * and redeem the verifier's single-use evidence (a refusal there rolls everything back: nothing recorded), then in a
 * second one add the commitment to the Semaphore group (idempotent) and mark the binding added, unless the binding
 * was revoked in between. A crash between the two leaves a binding not yet added. `finishAdmission` finishes it
 * for the signed-in account holding the same commitment, without verifying again (an invite, once used, would not
 * pass again); `admitJuror` with the same commitment also resumes it when the evidence still verifies (the
 * allowlist, a fresh SIWE nonce), never through an invite.
 *
 * `revokeInviteBranch` marks a branch revoked and removes its members' commitments from the group in the same
 * transaction, so no state has a revoked person still in the group; `removeRevokedMembers` catches up any revoked
 * binding whose commitment is still a member (a revocation written before removal existed, or by hand), and the
 * jury worker runs it before every round opens. A revoked binding keeps both its keys, so neither the account nor
 * the wallet can be admitted again.
 */
import { randomBytes } from 'node:crypto'
import type { Database, OperatorActionKind } from '@curia/db'
import type { InvitePolicy, SiwePolicy } from '../admission/admission-config'
import { hashInviteCode, inviteCodeFrom, INVITE_TREE_LOCK } from '../admission/invite'
import { decideBinding, type HeldBinding } from '../admission/binding'
import type { OperatorActionEntry } from '../admission/operator-log'
import { siweNonceFrom } from '../admission/siwe'
import { DID, type AdmissionVerifier, type AdmissionVerifierKind } from '../admission/verifier'
import { CurationError, isCurationError } from '../errors'
import { constraintName, inTransaction, type Tx } from '../ledger/transaction'
import {
  addMemberInTransaction,
  inGroupTransaction,
  removeMembersInTransaction,
  requireCommitment,
} from './jury-group'

export interface AdmissionResult {
  verifier: AdmissionVerifierKind
  /** The group's root version right after this member joined (rounds opened from now on include them). */
  rootVersion: number
  /**
   * True when this call completed a binding an earlier call had recorded: one not yet added to the group, or a
   * personhood binding from before accounts were recorded, which now records the signed-in account.
   */
  resumed: boolean
}

type Random = (bytes: number) => Uint8Array
const systemRandom: Random = (n) => randomBytes(n)

/** Admits a person as a juror through `verifier`. Refusals throw a CurationError; nothing is recorded on any. */
export async function admitJuror(
  database: Database,
  opts: { verifier: AdmissionVerifier; evidence: unknown; commitment: unknown; now: Date },
): Promise<AdmissionResult> {
  const commitment = requireCommitment(opts.commitment)
  const person = await opts.verifier.verify(database, opts.evidence, opts.now)
  const nowIso = opts.now.toISOString()

  const { bindingId, resumed } = await inTransaction(database, async (tx) => {
    // Both keys' bindings, locked: a revocation or a racing admission of either key waits for this one.
    const held = await tx<(Omit<HeldBinding, 'id'> & { id: string })[]>`
      select id::text, did, wallet, commitment, member_added_at is not null as added,
             revoked_at is not null as revoked
      from juror_binding where did = ${person.did} or wallet = ${person.wallet}
      order by id
      for update`
    const decision = decideBinding(
      held.map((b) => ({ ...b, id: Number(b.id) })),
      person,
      commitment,
    )
    if (decision.kind === 'resume') return { bindingId: decision.bindingId, resumed: true }
    try {
      if (decision.kind === 'attach_did') {
        await tx`update juror_binding set did = ${person.did} where id = ${decision.bindingId} and did is null`
        await person.redeem(tx, { bindingId: decision.bindingId, now: opts.now })
        return { bindingId: decision.bindingId, resumed: true }
      }
      const [inserted] = await tx<{ id: string }[]>`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at)
        values (${opts.verifier.kind}, ${person.did}, ${person.wallet}, ${commitment}, ${nowIso}::timestamptz)
        returning id::text`
      const bindingId = Number(inserted!.id)
      await person.redeem(tx, { bindingId, now: opts.now })
      return { bindingId, resumed: false }
    } catch (err) {
      // A racing admission of the same account, wallet or commitment committed first: the constraint has the final
      // word.
      throw uniqueRefusal(err) ?? err
    }
  })

  const rootVersion = await addBoundMember(database, { bindingId, commitment, now: opts.now })
  return { verifier: opts.verifier.kind, rootVersion, resumed }
}

/**
 * Finishes the signed-in person's admission whose binding was recorded but not added to the group (a crash, or a
 * failure, between `admitJuror`'s two transactions): the account's binding, with the commitment this device holds.
 * Nothing is verified again: the binding exists only because its verification passed and its evidence was redeemed
 * in the same transaction (and an invite or a nonce, once spent, could not pass again). Idempotent: a binding
 * already in the group returns the current root version. `did` must be the one the caller authenticated.
 */
export async function finishAdmission(
  database: Database,
  opts: { did: string; commitment: unknown; now: Date },
): Promise<AdmissionResult> {
  assertDid(opts.did)
  const commitment = requireCommitment(opts.commitment)
  const [binding] = await database.sql<
    { id: string; verifier: AdmissionVerifierKind; commitment: string; revoked: boolean }[]
  >`
    select id::text, verifier, commitment, revoked_at is not null as revoked
    from juror_binding where did = ${opts.did}`
  if (!binding) {
    throw new CurationError('not_admitted', 'This account has no jury enrollment to finish. Enroll first.')
  }
  if (binding.revoked) throw new CurationError('admission_revoked', 'This membership was revoked.')
  if (binding.commitment !== commitment) {
    throw new CurationError(
      'already_admitted',
      'This account enrolled with another identity than the one on this device. Import your backup to finish.',
    )
  }
  const rootVersion = await addBoundMember(database, {
    bindingId: Number(binding.id),
    commitment,
    now: opts.now,
  })
  return { verifier: binding.verifier, rootVersion, resumed: true }
}

/**
 * An admission's second transaction: adds a recorded binding's commitment to the group (idempotent) and marks the
 * binding added; returns the group's root version after. The binding's row lock orders this with a revocation:
 * either the revocation sees the member (and removes it in its transaction) or this sees the revocation and adds
 * nothing.
 */
async function addBoundMember(
  database: Database,
  opts: { bindingId: number; commitment: string; now: Date },
): Promise<number> {
  const added = await inGroupTransaction(database, async (tx) => {
    const [binding] = await tx<{ revoked: boolean }[]>`
      select revoked_at is not null as revoked from juror_binding where id = ${opts.bindingId} for update`
    if (binding?.revoked) throw new CurationError('admission_revoked', 'This membership was revoked.')
    const member = await addMemberInTransaction(database, tx, { commitment: opts.commitment, now: opts.now })
    await tx`
      update juror_binding set member_added_at = ${opts.now.toISOString()}::timestamptz
      where id = ${opts.bindingId} and member_added_at is null`
    return member
  })
  return added.version
}

function uniqueRefusal(err: unknown): CurationError | undefined {
  if (isCurationError(err)) return undefined
  switch (constraintName(err)) {
    case 'juror_binding_did_key':
      return new CurationError('already_admitted', 'This account already holds a jury identity.')
    case 'juror_binding_wallet_key':
      return new CurationError('already_admitted', 'This wallet already holds a jury identity.')
    case 'juror_binding_commitment_key':
      return new CurationError('commitment_taken', 'This identity commitment is already bound to someone.')
    default:
      return undefined
  }
}

// --- Sign-In with Ethereum nonces -------------------------------------------------------------------------------

/** Issues a single-use nonce for a SIWE message. */
export async function issueSiweNonce(
  database: Database,
  opts: { now: Date; policy: Pick<SiwePolicy, 'nonceTtlMs'>; random?: Random },
): Promise<{ nonce: string; expiresAt: string }> {
  const nonce = siweNonceFrom((opts.random ?? systemRandom)(16))
  const expiresAt = new Date(opts.now.getTime() + opts.policy.nonceTtlMs).toISOString()
  await database.sql`
    insert into siwe_nonce (nonce, issued_at, expires_at)
    values (${nonce}, ${opts.now.toISOString()}::timestamptz, ${expiresAt}::timestamptz)`
  return { nonce, expiresAt }
}

/** Deletes nonces that expired more than a day ago (used ones too: their rows served their purpose). */
export async function pruneSiweNonces(database: Database, opts: { now: Date }): Promise<number> {
  const rows = await database.sql`
    delete from siwe_nonce where expires_at < ${opts.now.toISOString()}::timestamptz - interval '1 day'
    returning nonce`
  return rows.length
}

// --- The allowlist ----------------------------------------------------------------------------------------------

export async function addToAllowlist(
  database: Database,
  opts: { did: string; note?: string; now: Date; by: string },
): Promise<{ added: boolean }> {
  assertDid(opts.did)
  return inTransaction(database, async (tx) => {
    const rows = await tx`
      insert into juror_allowlist (did, note, added_at)
      values (${opts.did}, ${opts.note ?? null}, ${opts.now.toISOString()}::timestamptz)
      on conflict (did) do nothing
      returning did`
    if (rows.length === 0) return { added: false }
    const detail: Record<string, string> = opts.note ? { note: opts.note } : {}
    await logAction(tx, { action: 'allow', subject: opts.did, detail, ...opts })
    return { added: true }
  })
}

export interface AllowlistEntry {
  did: string
  note: string | null
  addedAt: string
  /** The DID has enrolled (through any verifier: every binding records its account). */
  member: boolean
}

/** The allowlist, newest first, each entry with whether that DID has enrolled. */
export async function listAllowlist(database: Database): Promise<AllowlistEntry[]> {
  return database.sql<AllowlistEntry[]>`
    select l.did, l.note,
           to_char(l.added_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "addedAt",
           exists (select 1 from juror_binding b where b.did = l.did) as member
    from juror_allowlist l
    order by l.added_at desc, l.did`
}

/** Removes a DID from the allowlist: no future admission through it (an existing member stays). */
export async function removeFromAllowlist(
  database: Database,
  opts: { did: string; now: Date; by: string },
): Promise<{ removed: boolean }> {
  return inTransaction(database, async (tx) => {
    const rows = await tx`delete from juror_allowlist where did = ${opts.did} returning did`
    if (rows.length === 0) return { removed: false }
    await logAction(tx, { action: 'disallow', subject: opts.did, detail: {}, ...opts })
    return { removed: true }
  })
}

// --- The operators' log -----------------------------------------------------------------------------------------

/** One line of the operators' log, written in the transaction of the change it records. */
async function logAction(
  tx: Tx,
  line: {
    action: OperatorActionKind
    subject: string | null
    detail: Record<string, string | number>
    now: Date
    by: string
  },
): Promise<void> {
  await tx`
    insert into operator_action (at, actor, action, subject, detail)
    values (${line.now.toISOString()}::timestamptz, ${line.by}, ${line.action}, ${line.subject},
            ${JSON.stringify(line.detail)}::jsonb)`
}

/** The operators' log, newest first. */
export async function listOperatorActions(
  database: Database,
  opts: { limit: number },
): Promise<OperatorActionEntry[]> {
  return database.sql<OperatorActionEntry[]>`
    select id::int, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, actor, action,
           subject, detail
    from operator_action order by id desc limit ${opts.limit}`
}

// --- Invites ----------------------------------------------------------------------------------------------------

export interface CreatedInvite {
  /** Shown once: only its hash is stored. */
  code: string
  expiresAt: string
}

/**
 * A member creates an invite, at most `policy.perPeriod` in any `policy.periodMs` window. The member is named by
 * their signed-in DID, whichever verifier admitted them. The member's binding row is locked, so concurrent requests
 * count right.
 */
export async function createInvite(
  database: Database,
  opts: { inviter: string; now: Date; policy: InvitePolicy; random?: Random },
): Promise<CreatedInvite> {
  return inTransaction(database, async (tx) => {
    const [member] = await tx<{ id: string; added: boolean; revoked: boolean }[]>`
      select id::text, member_added_at is not null as added, revoked_at is not null as revoked
      from juror_binding where did = ${opts.inviter}
      for no key update`
    if (!member || !member.added) throw new CurationError('invite_invalid', 'Only jurors can invite.')
    if (member.revoked) throw new CurationError('admission_revoked', 'This membership was revoked.')
    const since = new Date(opts.now.getTime() - opts.policy.periodMs).toISOString()
    const [count] = await tx<{ n: number }[]>`
      select count(*)::int as n from juror_invite
      where inviter_binding_id = ${member.id} and created_at > ${since}::timestamptz`
    if (count!.n >= opts.policy.perPeriod) {
      throw new CurationError(
        'invite_quota',
        `You have created ${count!.n} invites in this period; the limit is ${opts.policy.perPeriod}.`,
      )
    }
    return insertInvite(tx, { inviterBindingId: Number(member.id), ...opts })
  })
}

/** The operator's invites: roots of the tree, no quota. */
export async function createOperatorInvites(
  database: Database,
  opts: { count: number; now: Date; by: string; policy: Pick<InvitePolicy, 'ttlMs'>; random?: Random },
): Promise<CreatedInvite[]> {
  if (!Number.isSafeInteger(opts.count) || opts.count < 1 || opts.count > 1000) {
    throw new CurationError('bad_request', 'Create between 1 and 1000 invites at a time.')
  }
  return inTransaction(database, async (tx) => {
    const out: CreatedInvite[] = []
    for (let i = 0; i < opts.count; i++) out.push(await insertInvite(tx, { inviterBindingId: null, ...opts }))
    await logAction(tx, { action: 'invite', subject: null, detail: { count: opts.count }, ...opts })
    return out
  })
}

async function insertInvite(
  tx: Parameters<Parameters<typeof inTransaction>[1]>[0],
  opts: { inviterBindingId: number | null; now: Date; policy: Pick<InvitePolicy, 'ttlMs'>; random?: Random },
): Promise<CreatedInvite> {
  const code = inviteCodeFrom((opts.random ?? systemRandom)(16))
  const expiresAt = new Date(opts.now.getTime() + opts.policy.ttlMs).toISOString()
  await tx`
    insert into juror_invite (code_hash, inviter_binding_id, created_at, expires_at)
    values (${hashInviteCode(code)}, ${opts.inviterBindingId}, ${opts.now.toISOString()}::timestamptz,
            ${expiresAt}::timestamptz)`
  return { code, expiresAt }
}

export interface InviteTreeNode {
  /** Internal id, for `parentId` links. */
  memberId: number
  /**
   * What names the member to the operator (and to `revokeInviteBranch`): their DID, or `eth:<wallet>` for a
   * personhood member enrolled before accounts were recorded. Never the commitment.
   */
  personKey: string
  /** The wallet a personhood member verified with (lower-case `0x...`); null for the other verifiers. */
  wallet: string | null
  verifier: AdmissionVerifierKind
  /** Who invited them: a member id, or null for the operator's invites, the allowlist and personhood checks. */
  parentId: number | null
  admittedAt: string
  revokedAt: string | null
  invites: { created: number; used: number; pending: number; withdrawn: number; expired: number }
}

/**
 * The web of trust, for the operator: every member with who invited them and what became of their invites. Person
 * keys and dates only; commitments never appear. Flat, parents before children (a member is never older than the
 * member who invited them), so a client can nest it in one pass.
 */
export async function getInviteTree(database: Database, opts: { now: Date }): Promise<InviteTreeNode[]> {
  const nowIso = opts.now.toISOString()
  const rows = await database.sql<
    {
      id: string
      did: string | null
      wallet: string | null
      verifier: AdmissionVerifierKind
      parentId: string | null
      admittedAt: string
      revokedAt: string | null
      created: number
      used: number
      pending: number
      withdrawn: number
      expired: number
    }[]
  >`
    select b.id::text, b.did, b.wallet, b.verifier, parent.inviter_binding_id::text as "parentId",
           to_char(b.admitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "admittedAt",
           to_char(b.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "revokedAt",
           count(i.id)::int as created,
           count(i.id) filter (where i.used_at is not null)::int as used,
           count(i.id) filter (where i.used_at is null and i.revoked_at is null
                               and i.expires_at > ${nowIso}::timestamptz)::int as pending,
           count(i.id) filter (where i.used_at is null and i.revoked_at is not null)::int as withdrawn,
           count(i.id) filter (where i.used_at is null and i.revoked_at is null
                               and i.expires_at <= ${nowIso}::timestamptz)::int as expired
    from juror_binding b
    left join juror_invite parent on parent.used_by_binding_id = b.id
    left join juror_invite i on i.inviter_binding_id = b.id
    group by b.id, parent.inviter_binding_id
    order by b.admitted_at, b.id`
  return rows.map((r) => ({
    memberId: Number(r.id),
    personKey: memberKey(r),
    wallet: r.wallet,
    verifier: r.verifier,
    parentId: r.parentId === null ? null : Number(r.parentId),
    admittedAt: r.admittedAt,
    revokedAt: r.revokedAt,
    invites: {
      created: r.created,
      used: r.used,
      pending: r.pending,
      withdrawn: r.withdrawn,
      expired: r.expired,
    },
  }))
}

export interface BranchRevoked {
  /** Members newly marked revoked (0 when the branch was already revoked). */
  members: number
  /** Unused invites withdrawn. */
  invites: number
  /** Commitments removed from the jury group now (one new root version each). */
  removed: number
}

/**
 * Revokes a branch of the tree: the member named by `personKey` (their DID, or `eth:<wallet>`: either key finds the
 * one binding that holds it) and everyone admitted through their invites, transitively. Their unused invites are
 * withdrawn (the branch admits no one more), they can create no more, they are marked revoked (neither the account
 * nor the wallet of a revoked binding can be admitted again), and, in the same transaction, their commitments are
 * removed from the jury group (each leaf set to 0: one new root version per member).
 *
 * Rounds that froze a root before this keep it, so a revoked member can still vote in a round already open; every
 * round opened afterwards excludes them. Idempotent: revoking the branch again revokes and removes only what is not
 * yet (a member admitted in the branch since, a commitment left in the group by an older revocation).
 */
export async function revokeInviteBranch(
  database: Database,
  opts: { personKey: string; now: Date; by: string },
): Promise<BranchRevoked> {
  const nowIso = opts.now.toISOString()
  return inGroupTransaction(database, async (tx) => {
    await tx`select pg_advisory_xact_lock(${INVITE_TREE_LOCK})`
    const key = parseMemberKey(opts.personKey)
    const [root] = await tx<{ id: string; did: string | null; wallet: string | null }[]>`
      select id::text, did, wallet from juror_binding
      where ${'did' in key ? tx`did = ${key.did}` : tx`wallet = ${key.wallet}`}`
    if (!root) throw new CurationError('bad_request', 'No member has that key.')
    const branch = await tx<{ id: string }[]>`
      with recursive branch(id) as (
        select ${root.id}::bigint
        union
        select i.used_by_binding_id from juror_invite i join branch on i.inviter_binding_id = branch.id
        where i.used_by_binding_id is not null
      )
      select id::text from branch order by id`
    const ids = tx.array(branch.map((b) => b.id))
    const members = await tx`
      update juror_binding set revoked_at = ${nowIso}::timestamptz
      where id = any(${ids}::bigint[]) and revoked_at is null
      returning id`
    const invites = await tx`
      update juror_invite set revoked_at = ${nowIso}::timestamptz
      where inviter_binding_id = any(${ids}::bigint[]) and used_at is null and revoked_at is null
      returning id`
    const removed = await removeRevokedInTransaction(database, tx, {
      bindingIds: branch.map((b) => b.id),
      now: opts.now,
    })
    const result = { members: members.length, invites: invites.length, removed }
    if (result.members + result.invites + result.removed > 0) {
      // Named as the tree names them (the DID, even when the operator gave the wallet).
      await logAction(tx, { action: 'revoke', subject: memberKey(root), detail: result, ...opts })
    }
    return result
  })
}

/**
 * Removes from the jury group every revoked member whose commitment is still in it, and returns how many. The
 * catch-up for revocations that did not remove (written before removal existed, or by hand); `revokeInviteBranch`
 * removes in its own transaction. Idempotent; the jury worker runs it before every round opens.
 */
export async function removeRevokedMembers(database: Database, opts: { now: Date }): Promise<number> {
  return inGroupTransaction(database, (tx) => removeRevokedInTransaction(database, tx, { now: opts.now }))
}

/** Removes the revoked bindings' commitments (these bindings', or all) that are still members. */
async function removeRevokedInTransaction(
  database: Database,
  tx: Tx,
  opts: { bindingIds?: string[]; now: Date },
): Promise<number> {
  const rows = await tx<{ commitment: string }[]>`
    select b.commitment from juror_binding b join jury_member m on m.commitment = b.commitment
    where b.revoked_at is not null and m.removed_version is null
      ${opts.bindingIds ? tx`and b.id = any(${tx.array(opts.bindingIds)}::bigint[])` : tx``}
    order by b.id`
  const removals = await removeMembersInTransaction(database, tx, {
    commitments: rows.map((r) => r.commitment),
    now: opts.now,
  })
  return removals.filter((r) => r.outcome === 'removed').length
}

/**
 * PRIVATE: the commitments of revoked members, for the jury's group maintenance only. Never return this from an
 * API or put it in an export: it links people to commitments.
 */
export async function listRevokedCommitments(database: Database): Promise<string[]> {
  const rows = await database.sql<{ commitment: string }[]>`
    select commitment from juror_binding where revoked_at is not null order by id`
  return rows.map((r) => r.commitment)
}

/** How the operator names a member: the DID, or `eth:<wallet>` when the binding has no DID (an older one). */
function memberKey(binding: { did: string | null; wallet: string | null }): string {
  return binding.did ?? `eth:${binding.wallet}`
}

/** A member key back to the column it names; a wallet in any case (bindings store it lower-case). */
function parseMemberKey(key: string): { did: string } | { wallet: string } {
  return key.startsWith('eth:') ? { wallet: key.slice(4).toLowerCase() } : { did: key }
}

function assertDid(did: unknown): asserts did is string {
  if (typeof did !== 'string' || !DID.test(did)) throw new CurationError('bad_request', 'Not a valid DID.')
}
