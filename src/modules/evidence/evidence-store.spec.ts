import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore } from './evidence-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('EvidenceStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evidence-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a file under its hash, once, with no temporary file left', async () => {
    const store = new EvidenceStore(dir);
    const bytes = Buffer.from('%PDF-1.4 村民代表大会记录');
    await store.put(sha(bytes), bytes);
    await store.put(sha(bytes), bytes);
    expect((await store.get(sha(bytes))).equals(bytes)).toBe(true);
    expect(readdirSync(join(dir, sha(bytes).slice(0, 2), sha(bytes).slice(2, 4)))).toEqual([sha(bytes)]);
    expect(await store.digest(sha(bytes))).toBe(sha(bytes));
  });

  it('makes a folder again when it was removed behind the service (issue 10: folders are made once per process)', async () => {
    const store = new EvidenceStore(dir);
    const first = Buffer.from('first');
    await store.put(sha(first), first);
    rmSync(join(dir, sha(first).slice(0, 2)), { recursive: true, force: true });
    // another file of the same folder: the store believed the folder was there
    let other = Buffer.from('other-0');
    for (let i = 1; sha(other).slice(0, 4) !== sha(first).slice(0, 4) && i < 2_000_000; i++) other = Buffer.from(`other-${i}`);
    expect(sha(other).slice(0, 4)).toBe(sha(first).slice(0, 4));
    await store.put(sha(other), other);
    expect((await store.get(sha(other))).equals(other)).toBe(true);
    expect(await store.digest(sha(first))).toBeNull();
  });
});
