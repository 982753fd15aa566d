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

/** SHA-256 over the canonical (key-sorted) JSON of the entry, chained through `prevHash`. */
export function auditHash(entry: HashedAuditFields): string {
  return createHash('sha256').update(stringify(entry) ?? '').digest('hex');
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export type ChainCheck = { valid: true; entries: number } | { valid: false; brokenAt: number; entries: number };

/** Recomputes the chain; the first entry whose link or hash does not match breaks it. */
export function verifyChain(entries: Array<HashedAuditFields & { hash: string }>): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    const { hash, ...fields } = e;
    if (e.seq !== expectedSeq || e.prevHash !== prev || auditHash(fields) !== hash) {
      return { valid: false, brokenAt: e.seq, entries: entries.length };
    }
    prev = hash;
    expectedSeq++;
  }
  return { valid: true, entries: entries.length };
}
