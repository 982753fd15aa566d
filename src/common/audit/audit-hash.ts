import { createHash } from 'node:crypto';
import { canonicalJson as stringify } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit entry that its hash covers (SF-24). */
export interface HashedAuditFields {
  caseId: string;
  seq: number;
  prevHash: string;
  event: string;
  fromState: string | null;
  toState: string;
  actor: { id: string; username: string; role: string };
  at: string;
  reason: string | null;
  data: unknown;
  evidence: Array<{ id: string; type: string; sha256: string }>;
  policyVersion: string;
  /**
   * issue 13: the household version the step was judged on; present only when set, so the
   * entries written before it hash as they did
   */
  householdVersion?: number;
}

/** SHA-256 over the canonical (key-sorted) JSON of a value: the one hash every chain uses. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(stringify(value) ?? '').digest('hex');
}

/** SHA-256 over the canonical (key-sorted) JSON of the entry, chained through `prevHash`. */
export function auditHash(entry: HashedAuditFields): string {
  return canonicalHash(entry);
}

/**
 * The fields of a record-ledger entry its hash covers (issue 12): a measure, an income record,
 * an attendance record, an evidence upload or a user change, chained per subject.
 */
export interface HashedLedgerFields {
  /** `<kind>:<subjectId>`, e.g. `measures:<monitoring object id>` */
  chain: string;
  seq: number;
  prevHash: string;
  kind: string;
  subjectId: string;
  areaCode: string | null;
  recordType: string;
  recordId: string;
  op: string;
  /** the record's covered fields as stored */
  record: unknown;
  actorId: string | null;
  at: string;
}

export function ledgerHash(entry: HashedLedgerFields): string {
  return canonicalHash(entry);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export type ChainCheck = { valid: true; entries: number } | { valid: false; brokenAt: number; entries: number };

/** Recomputes the chain; the first entry whose link or hash does not match breaks it. */
export function verifyChain(entries: Array<HashedAuditFields & { hash: string }>): ChainCheck {
  return verifyLinks(entries, auditHash);
}

/** Any chain of entries numbered from 1, each hashing its fields and its predecessor's hash. */
export function verifyLinks<F extends { seq: number; prevHash: string }>(entries: Array<F & { hash: string }>, hashOf: (fields: F) => string): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    const { hash, ...fields } = e;
    if (e.seq !== expectedSeq || e.prevHash !== prev || hashOf(fields as unknown as F) !== hash) {
      return { valid: false, brokenAt: e.seq, entries: entries.length };
    }
    prev = hash;
    expectedSeq++;
  }
  return { valid: true, entries: entries.length };
}

/** The policy ledger's name for verifyLinks. */
export const verifyLinkedChain = verifyLinks;
