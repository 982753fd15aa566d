import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';
import { canonicalHash, GENESIS_HASH } from '../../common/audit/audit-hash';
import { json, timestamp } from '../../database/column-types';

/**
 * Issue 12: the policy ledger. Every policy version of every area and every change of the
 * national bounds is one entry — who, when, why, the area's values (or the bounds) before and
 * after — in one hash chain over the whole service (hashed like a case's audit trail:
 * src/common/audit/audit-hash.ts). Append-only: database triggers refuse UPDATE, DELETE and
 * TRUNCATE (migration PolicyLedger). The bounds in force are the `after` of the last `bounds`
 * entry, so a bound exists only as a ledger entry.
 */
@Entity('policy_ledger')
@Index(['kind', 'seq'])
export class PolicyLedgerEntryEntity {
  @PrimaryColumn({ type: 'integer' }) seq: number;
  /** `version`: a policy version of `areaCode`; `bounds`: the national bounds */
  @Column({ type: 'varchar', length: 10 }) kind: LedgerKind;
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** the policy version's number in its area, or the bounds' version */
  @Column({ type: 'integer' }) version: number;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 36, nullable: true }) policyVersionId: string | null;
  @Column(timestamp({ nullable: true })) effectiveFrom: Date | null;
  @Column({ type: 'varchar', length: 36 }) actorId: string;
  @Column({ type: 'varchar', length: 64 }) actorUsername: string;
  @Column({ type: 'varchar', length: 20 }) actorRole: string;
  @Column(timestamp()) at: Date;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column(json({ nullable: true })) before: Record<string, any> | null;
  @Column(json()) after: Record<string, any>;
  @Column({ type: 'varchar', length: 64 }) prevHash: string;
  @Column({ type: 'varchar', length: 64 }) hash: string;
}

export type LedgerKind = 'version' | 'bounds';

export interface LedgerActor {
  id: string;
  username: string;
  role: string;
}

export const SYSTEM_ACTOR: LedgerActor = { id: 'system', username: 'system', role: 'system' };

/** The fields an entry's hash covers. */
export interface HashedLedgerFields {
  seq: number;
  prevHash: string;
  kind: LedgerKind;
  areaCode: string;
  version: number;
  policyVersionId: string | null;
  effectiveFrom: string | null;
  actor: LedgerActor;
  at: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export const ledgerHash = (fields: HashedLedgerFields): string => canonicalHash(fields);

export function hashedFieldsOf(e: PolicyLedgerEntryEntity): HashedLedgerFields {
  return {
    seq: e.seq,
    prevHash: e.prevHash,
    kind: e.kind,
    areaCode: e.areaCode,
    version: e.version,
    policyVersionId: e.policyVersionId,
    effectiveFrom: e.effectiveFrom ? e.effectiveFrom.toISOString() : null,
    actor: { id: e.actorId, username: e.actorUsername, role: e.actorRole },
    at: e.at.toISOString(),
    reason: e.reason,
    before: e.before,
    after: e.after,
  };
}

/** An arbitrary constant: the key of the PostgreSQL advisory lock that orders policy writes. */
const LEDGER_LOCK_KEY = 120_512_005;

/**
 * Serialises every policy write (versions and bounds) until the caller's transaction ends, so
 * the ledger's sequence, each area's version numbers and the bounds a value is checked against
 * cannot change under a writer. SQLite transactions are serialised already (one connection).
 */
export async function lockPolicyWrites(em: EntityManager): Promise<void> {
  if (em.connection.options.type === 'postgres') await em.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK_KEY]);
}

export interface LedgerAppend {
  kind: LedgerKind;
  areaCode: string;
  version: number;
  policyVersionId: string | null;
  effectiveFrom: Date | null;
  actor: LedgerActor;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  at?: Date;
}

/** Appends one entry chained to the last; call inside a transaction that holds {@link lockPolicyWrites}. */
export async function appendPolicyLedger(em: EntityManager, input: LedgerAppend): Promise<PolicyLedgerEntryEntity> {
  const [last] = await em.find(PolicyLedgerEntryEntity, { select: { seq: true, hash: true }, order: { seq: 'DESC' }, take: 1 });
  const row = Object.assign(new PolicyLedgerEntryEntity(), {
    seq: (last?.seq ?? 0) + 1,
    kind: input.kind,
    areaCode: input.areaCode,
    version: input.version,
    policyVersionId: input.policyVersionId,
    effectiveFrom: input.effectiveFrom,
    actorId: input.actor.id,
    actorUsername: input.actor.username,
    actorRole: input.actor.role,
    at: input.at ?? new Date(),
    reason: input.reason,
    // what is hashed is what a later read gives back: JSON without undefined members
    before: input.before === null ? null : (JSON.parse(JSON.stringify(input.before)) as Record<string, unknown>),
    after: JSON.parse(JSON.stringify(input.after)) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  });
  row.hash = ledgerHash(hashedFieldsOf(row));
  await em.insert(PolicyLedgerEntryEntity, row);
  return row;
}

/** The national bounds in force: the last `bounds` entry, or null before the first. */
export async function lastBoundsEntry(em: EntityManager): Promise<PolicyLedgerEntryEntity | null> {
  return em.findOne(PolicyLedgerEntryEntity, { where: { kind: 'bounds' }, order: { seq: 'DESC' } });
}
