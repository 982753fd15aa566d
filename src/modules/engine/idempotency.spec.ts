import { randomUUID } from 'node:crypto';
import { IdempotencyStore } from './idempotency';

describe('IdempotencyStore.batchKey (a batch step of one case)', () => {
  const caseId = randomUUID();

  it('keeps a key short enough as it always was: the client key and the case (a retry of an earlier batch finds its answers)', () => {
    const key = randomUUID();
    expect(IdempotencyStore.batchKey(key, caseId)).toBe(`${key}:${caseId}`);
    const longest = 'k'.repeat(100 - 37);
    expect(IdempotencyStore.batchKey(longest, caseId)).toBe(`${longest}:${caseId}`);
  });

  it('fits a key the client may send (up to 100 characters) into the column with the case, one to one', () => {
    const keys = ['k'.repeat(64), 'k'.repeat(100), `${'k'.repeat(99)}j`, `console-offline-${randomUUID()}-${randomUUID()}`.slice(0, 100)];
    const stored = keys.map((k) => IdempotencyStore.batchKey(k, caseId));
    for (const s of stored) {
      expect(s.length).toBeLessThanOrEqual(100);
      // marked: no key a client sends has '#', so none can meet it
      expect(s).toMatch(new RegExp(`^#[0-9a-f]+:${caseId}$`));
    }
    expect(new Set(stored).size).toBe(keys.length);
    // the same key and another case: another record
    expect(IdempotencyStore.batchKey(keys[1], randomUUID())).not.toBe(stored[1]);
    // and the same again: found again
    expect(IdempotencyStore.batchKey(keys[1], caseId)).toBe(stored[1]);
  });
});
