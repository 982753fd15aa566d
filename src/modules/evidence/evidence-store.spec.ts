import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore, type StoreFs } from './evidence-store';

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

  it('stores many files at once, each whole when its put resolves', async () => {
    const store = new EvidenceStore(join(dir, 'evidence'));
    const files = Array.from({ length: 64 }, (_, i) => Buffer.from(`%PDF-1.4 第${i}份 ${'材料'.repeat(i * 50)}`));
    await Promise.all(files.map(async (b) => {
      await store.put(sha(b), b);
      expect((await store.get(sha(b))).equals(b)).toBe(true);
    }));
    expect(await store.digest(sha(files[63]))).toBe(sha(files[63]));
  });

  it('refuses a file it cannot write with the reason (the upload answers an error)', async () => {
    const blocked = join(dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the store would be');
    const bytes = Buffer.from('x');
    await expect(new EvidenceStore(blocked).put(sha(bytes), bytes)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  /** node:fs, with every fsync recorded by the path of its descriptor */
  function watched(): { io: StoreFs; synced: string[] } {
    const synced: string[] = [];
    const io: StoreFs = {
      ...fs,
      fsync: ((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
        synced.push(readlinkSync(`/proc/self/fd/${fd}`));
        fs.fsync(fd, done);
      }) as typeof fs.fsync,
    };
    return { io, synced };
  }
  const tmpName = (p: string) => p.replace(/\.[0-9a-f-]{36}\.tmp$/, '.tmp');

  it('resolves only when the file and its name are on disk: the bytes synced before the rename, the folders after (the row is committed after put)', async () => {
    const { io, synced } = watched();
    const root = join(dir, 'evidence');
    const store = new EvidenceStore(root, io);
    const bytes = Buffer.from('%PDF-1.4 入户核实记录');
    const h = sha(bytes);
    await store.put(h, bytes);
    expect(synced.map(tmpName)).toEqual([
      dir, // it holds the evidence folder, new
      join(root, h.slice(0, 2)), // the new folders that hold a new one
      root,
      join(root, h.slice(0, 2), h.slice(2, 4), `${h}.tmp`), // the bytes, before the rename
      join(root, h.slice(0, 2), h.slice(2, 4)), // the rename
    ]);
    // the same bytes again: stored already, nothing written; its folder synced (another process may have renamed it)
    synced.length = 0;
    await store.put(h, bytes);
    expect(synced).toEqual([join(root, h.slice(0, 2), h.slice(2, 4))]);
    expect(readdirSync(join(root, h.slice(0, 2), h.slice(2, 4)))).toEqual([h]);
    synced.length = 0;
    // another file in a folder that exists: its bytes, then its folder
    let other = Buffer.from('other-0');
    for (let i = 1; sha(other).slice(0, 4) !== h.slice(0, 4) && i < 2_000_000; i++) other = Buffer.from(`other-${i}`);
    await store.put(sha(other), other);
    expect(synced.map(tmpName)).toEqual([join(root, h.slice(0, 2), h.slice(2, 4), `${sha(other)}.tmp`), join(root, h.slice(0, 2), h.slice(2, 4))]);
    expect(readdirSync(join(root, h.slice(0, 2), h.slice(2, 4))).sort()).toEqual([h, sha(other)].sort());
  });

  it('leaves nothing half-written when the disk fails mid-file, and stores the file on a later try', async () => {
    const root = join(dir, 'evidence');
    const bytes = Buffer.from('%PDF-1.4 公示记录');
    const h = sha(bytes);
    const failing: StoreFs = {
      ...fs,
      write: ((_fd: number, ...args: unknown[]) => {
        const done = args[args.length - 1] as (err: NodeJS.ErrnoException) => void;
        done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      }) as typeof fs.write,
    };
    await expect(new EvidenceStore(root, failing).put(h, bytes)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(join(root, h.slice(0, 2), h.slice(2, 4)))).toEqual([]);
    await new EvidenceStore(root).put(h, bytes);
    expect(readdirSync(join(root, h.slice(0, 2), h.slice(2, 4)))).toEqual([h]);
  });
});
