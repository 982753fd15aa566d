import { createHash } from 'node:crypto';
import stringify from 'json-stable-stringify';

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
}

/** SHA-256 over the canonical (key-sorted) JSON of an entry: the hash of every chain here. */
export function canonicalHash(entry: object): string {
  return createHash('sha256').update(stringify(entry) ?? '').digest('hex');
}

/** SHA-256 over the canonical (key-sorted) JSON of the entry, chained through `prevHash`. */
export function auditHash(entry: HashedAuditFields): string {
  return canonicalHash(entry);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export type ChainCheck = { valid: true; entries: number } | { valid: false; brokenAt: number; entries: number };

/** Recomputes the chain; the first entry whose link or hash does not match breaks it. */
export function verifyChain(entries: Array<HashedAuditFields & { hash: string }>): ChainCheck {
  return verifyLinkedChain(entries, auditHash);
}

/**
 * Any chain of entries numbered 1, 2, … whose hash covers every other field and the previous
 * entry's hash (`prevHash`, the genesis hash first): case audit trails and the policy ledger.
 */
export function verifyLinkedChain<F extends { seq: number; prevHash: string }>(
  entries: Array<F & { hash: string }>,
  hashOf: (fields: F) => string,
): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    const { hash, ...rest } = e;
    const fields = rest as unknown as F;
    if (e.seq !== expectedSeq || e.prevHash !== prev || hashOf(fields) !== hash) {
      return { valid: false, brokenAt: e.seq, entries: entries.length };
    }
    prev = hash;
    expectedSeq++;
  }
  return { valid: true, entries: entries.length };
}
