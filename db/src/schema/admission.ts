import { sql } from 'drizzle-orm'
import { bigint, check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * Admission to the jury: who may join the Semaphore group, and the one identity commitment each person bound.
 *
 * PRIVATE. `juror_binding` links a person (a DID or a wallet) to a commitment. It never leaves the server: no export,
 * no API returns it. Votes stay anonymous regardless (a Semaphore proof shows membership, not which member), but the
 * list of who is a juror is itself worth protecting.
 */

export const ADMISSION_VERIFIERS = ['allowlist', 'invite', 'personhood'] as const
export type AdmissionVerifier = (typeof ADMISSION_VERIFIERS)[number]

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '))

/**
 * One person, one commitment. Every binding records the Bluesky account that enrolled (`did`: enrolling always
 * happens signed in, whatever the verifier), and a binding through the on-chain personhood check also records the
 * wallet (`wallet`, the lower-case 0x address). Both are unique, and the commitment too: an account binds at most
 * one commitment, so does a wallet, and a commitment belongs to one binding. A person who is both allowlisted (or
 * invited) and holds a registered wallet therefore gets one commitment, and revoking a binding shuts out its
 * account and its wallet alike.
 *
 * `did` is null only on personhood bindings made before the DID was recorded: the account was not stored then. Such
 * a member stays in the group; verifying again, signed in, with the same wallet and the same identity attaches the
 * account (`admitJuror` in curation/src/service/admission.ts).
 */
export const jurorBinding = pgTable(
  'juror_binding',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    verifier: text('verifier', { enum: ADMISSION_VERIFIERS }).notNull(),
    /** The Bluesky account that enrolled. */
    did: text('did'),
    /** The wallet, lower-case `0x...`, for the personhood check; null for the other verifiers. */
    wallet: text('wallet'),
    /** The Semaphore identity commitment, decimal. */
    commitment: text('commitment').notNull(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }).notNull(),
    /** Set once the commitment is in the jury group; null while the group insert is pending (a crash between). */
    memberAddedAt: timestamp('member_added_at', { withTimezone: true }),
    /** Set when the operator revoked this member's invite branch. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    check('juror_binding_verifier_check', sql`${t.verifier} in (${quoted(ADMISSION_VERIFIERS)})`),
    uniqueIndex('juror_binding_commitment_key').on(t.commitment),
    uniqueIndex('juror_binding_did_key').on(t.did),
    uniqueIndex('juror_binding_wallet_key').on(t.wallet),
    // The wallet is the personhood check's evidence, and only its; lower-case, so uniqueness is not case-blind.
    check('juror_binding_wallet_check', sql`(${t.verifier} = 'personhood') = (${t.wallet} is not null)`),
    check('juror_binding_wallet_format_check', sql`${t.wallet} ~ '^0x[0-9a-f]{40}$'`),
    // Only a personhood binding from before DIDs were recorded lacks one.
    check('juror_binding_did_check', sql`${t.did} is not null or ${t.verifier} = 'personhood'`),
  ],
)

/** DIDs the operator admits directly. */
export const jurorAllowlist = pgTable('juror_allowlist', {
  did: text('did').primaryKey(),
  note: text('note'),
  addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
})

/**
 * Invite codes: the web of trust. Only the code's SHA-256 is stored, so the table cannot be replayed as invites.
 * `inviter_binding_id` null means the operator made it (a root of the tree). The edge inviter -> invitee is
 * (inviter_binding_id, used_by_binding_id).
 */
export const jurorInvite = pgTable(
  'juror_invite',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    codeHash: text('code_hash').notNull(),
    inviterBindingId: bigint('inviter_binding_id', { mode: 'number' }).references(() => jurorBinding.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedByBindingId: bigint('used_by_binding_id', { mode: 'number' }).references(() => jurorBinding.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('juror_invite_code_hash_key').on(t.codeHash),
    // A person is admitted through at most one invite.
    uniqueIndex('juror_invite_used_by_key').on(t.usedByBindingId),
    index('juror_invite_inviter_idx').on(t.inviterBindingId, t.createdAt),
    check('juror_invite_used_check', sql`(${t.usedAt} is null) = (${t.usedByBindingId} is null)`),
  ],
)

/**
 * Sign-In with Ethereum nonces: issued by the server, accepted once, before `expires_at`. A refused sign-in leaves
 * its nonce unused (the whole admission rolls back), so only a successful admission consumes it.
 */
export const siweNonce = pgTable(
  'siwe_nonce',
  {
    nonce: text('nonce').primaryKey(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('siwe_nonce_expires_at_idx').on(t.expiresAt)],
)

export const OPERATOR_ACTIONS = ['allow', 'disallow', 'invite', 'revoke'] as const
export type OperatorActionKind = (typeof OPERATOR_ACTIONS)[number]

/**
 * What the operators did to admission, append-only, written in the same transaction as the change itself: who
 * (`actor`: an operator's DID from the web app, `cli:<user>` from `npm run jury`), when, what, and to whom. Only
 * changes are logged (allowing a DID already listed is not). Private like the rest of admission: it names jurors.
 */
export const operatorAction = pgTable(
  'operator_action',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actor: text('actor').notNull(),
    action: text('action', { enum: OPERATOR_ACTIONS }).notNull(),
    /** The DID allowed or taken off, the member whose branch was revoked; null for operator invites. */
    subject: text('subject'),
    /** What else the action took: the allowlist note, how many invites, how many members revoked. */
    detail: jsonb('detail').$type<Record<string, string | number>>().notNull(),
  },
  (t) => [
    check('operator_action_action_check', sql`${t.action} in (${quoted(OPERATOR_ACTIONS)})`),
    index('operator_action_at_idx').on(t.at),
  ],
)
