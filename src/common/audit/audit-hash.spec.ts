import { createHash } from 'node:crypto';
import { auditHash, GENESIS_HASH, type HashedAuditFields, sha256Hex, verifyChain } from './audit-hash';

type Entry = HashedAuditFields & { hash: string };

const EVENTS: Array<[string, string | null, string]> = [
  ['submit', null, 'submitted'],
  ['review', 'submitted', 'reviewed'],
  ['approve', 'reviewed', 'approved'],
];

function fieldsFor(seq: number, prevHash: string): HashedAuditFields {
  const [event, fromState, toState] = EVENTS[(seq - 1) % EVENTS.length];
  return {
    caseId: 'case-1',
    seq,
    prevHash,
    event,
    fromState,
    toState,
    actor: { id: `u${seq}`, username: `user${seq}`, role: 'village_officer' },
    at: `2024-05-0${seq}T08:00:00.000Z`,
    reason: seq === 2 ? '家庭人均纯收入低于监测标准' : null,
    data: { income: 5000 + seq, members: [{ name: '张三', age: 40 }] },
    evidence: [{ id: `ev${seq}`, type: 'photo', sha256: 'a'.repeat(64) }],
    policyVersion: 'v1',
  };
}

/** Builds a correctly linked chain with the given sequence numbers. */
function buildChain(seqs: number[]): Entry[] {
  const out: Entry[] = [];
  let prev = GENESIS_HASH;
  for (const seq of seqs) {
    const fields = fieldsFor(seq, prev);
    const hash = auditHash(fields);
    out.push({ ...fields, hash });
    prev = hash;
  }
  return out;
}

/** Re-hash an entry after editing it, as a forger who knows the algorithm would. */
function rehash(e: Entry): Entry {
  const { hash: _old, ...fields } = e;
  return { ...fields, hash: auditHash(fields) };
}

/** Independent canonical JSON: object keys sorted recursively, arrays in order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the empty input', () => {
    expect(sha256Hex(Buffer.alloc(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes a Buffer and the equal string alike', () => {
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
  });
});

describe('auditHash', () => {
  it('is a 64-character lowercase hex SHA-256', () => {
    expect(auditHash(fieldsFor(1, GENESIS_HASH))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the SHA-256 of the key-sorted JSON of the entry', () => {
    const fields = fieldsFor(2, 'b'.repeat(64));
    expect(auditHash(fields)).toBe(createHash('sha256').update(canonical(fields)).digest('hex'));
  });

  it('does not depend on key order, at top level or nested', () => {
    const a = fieldsFor(2, 'b'.repeat(64));
    const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    const b = {
      ...reversed({ ...a, actor: reversed(a.actor), data: reversed(a.data as Record<string, unknown>) }),
      evidence: a.evidence.map((e) => reversed(e)),
    } as unknown as HashedAuditFields;
    expect(Object.keys(b)).not.toEqual(Object.keys(a));
    expect(auditHash(b)).toBe(auditHash(a));
  });

  it('is the same on every call for the same entry', () => {
    const fields = fieldsFor(1, GENESIS_HASH);
    expect(auditHash(fields)).toBe(auditHash(structuredClone(fields)));
  });

  it.each([
    ['caseId', { caseId: 'case-2' }],
    ['seq', { seq: 3 }],
    ['prevHash', { prevHash: 'c'.repeat(64) }],
    ['event', { event: 'reject' }],
    ['fromState', { fromState: 'draft' }],
    ['toState', { toState: 'rejected' }],
    ['actor', { actor: { id: 'u9', username: 'user2', role: 'village_officer' } }],
    ['at', { at: '2024-05-02T08:00:00.001Z' }],
    ['reason', { reason: '家庭人均纯收入高于监测标准' }],
    ['data', { data: { income: 5003, members: [{ name: '张三', age: 40 }] } }],
    ['evidence', { evidence: [{ id: 'ev2', type: 'photo', sha256: 'b'.repeat(64) }] }],
    ['policyVersion', { policyVersion: 'v2' }],
  ])('changes when %s changes', (_field, change) => {
    const base = fieldsFor(2, 'b'.repeat(64));
    expect(auditHash({ ...base, ...change } as HashedAuditFields)).not.toBe(auditHash(base));
  });

  it('distinguishes a null reason from an empty one', () => {
    const base = fieldsFor(1, GENESIS_HASH);
    expect(auditHash({ ...base, reason: '' })).not.toBe(auditHash({ ...base, reason: null }));
  });
});

describe('verifyChain', () => {
  it('starts from a genesis hash of 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('accepts a properly built 3-entry chain', () => {
    expect(verifyChain(buildChain([1, 2, 3]))).toEqual({ valid: true, entries: 3 });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toEqual({ valid: true, entries: 0 });
  });

  it('detects a tampered data field at seq 2', () => {
    const chain = buildChain([1, 2, 3]);
    chain[1] = { ...chain[1], data: { income: 99999, members: [{ name: '张三', age: 40 }] } };
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 2, entries: 3 });
  });

  it('detects a tampered nested value (data.members[0].age) at seq 2', () => {
    const chain = buildChain([1, 2, 3]);
    const data = structuredClone(chain[1].data) as { members: Array<{ age: number }> };
    data.members[0].age = 41;
    chain[1] = { ...chain[1], data };
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 2, entries: 3 });
  });

  it('detects a tampered reason in the last entry', () => {
    const chain = buildChain([1, 2, 3]);
    chain[2] = { ...chain[2], reason: '补写的理由' };
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 3, entries: 3 });
  });

  it('detects a replaced stored hash', () => {
    const chain = buildChain([1, 2, 3]);
    chain[1] = { ...chain[1], hash: 'f'.repeat(64) };
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 2, entries: 3 });
  });

  it('detects an entry re-hashed after editing, because the next link no longer matches', () => {
    const chain = buildChain([1, 2, 3]);
    chain[1] = rehash({ ...chain[1], toState: 'approved' });
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 3, entries: 3 });
  });

  it('detects a broken prevHash link even when the entry hash is consistent with it', () => {
    const chain = buildChain([1, 2, 3]);
    chain[1] = rehash({ ...chain[1], prevHash: 'e'.repeat(64) });
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 2, entries: 3 });
  });

  it('detects a first entry that does not link to the genesis hash', () => {
    const chain = buildChain([1, 2]);
    chain[0] = rehash({ ...chain[0], prevHash: 'e'.repeat(64) });
    expect(verifyChain(chain)).toEqual({ valid: false, brokenAt: 1, entries: 2 });
  });

  it('detects a gap in seq even when the hashes are linked', () => {
    expect(verifyChain(buildChain([1, 3, 4]))).toEqual({ valid: false, brokenAt: 3, entries: 3 });
  });

  it('detects a chain that does not start at seq 1', () => {
    expect(verifyChain(buildChain([2, 3]))).toEqual({ valid: false, brokenAt: 2, entries: 2 });
  });

  it('detects a deleted middle entry', () => {
    const chain = buildChain([1, 2, 3]);
    expect(verifyChain([chain[0], chain[2]])).toEqual({ valid: false, brokenAt: 3, entries: 2 });
  });

  it('detects reordered entries', () => {
    const chain = buildChain([1, 2, 3]);
    expect(verifyChain([chain[0], chain[2], chain[1]])).toEqual({ valid: false, brokenAt: 3, entries: 3 });
  });

  it('accepts a truncated chain prefix (a missing tail is not detectable from the entries alone)', () => {
    const chain = buildChain([1, 2, 3]);
    expect(verifyChain(chain.slice(0, 2))).toEqual({ valid: true, entries: 2 });
  });
});
