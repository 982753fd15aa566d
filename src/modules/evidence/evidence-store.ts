import * as nodeFs from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';

/** The calls the store makes: node:fs's callback forms (lighter than fs/promises' file handles); a test watches them. */
export type StoreFs = Pick<typeof nodeFs, 'access' | 'mkdir' | 'open' | 'write' | 'fsync' | 'close' | 'rename' | 'rm' | 'readFile' | 'createReadStream'>;

type Done<T> = (err: NodeJS.ErrnoException | null, value?: T) => void;
/** a callback call as a promise */
const call = <T = void>(f: (done: Done<T>) => void) => new Promise<T>((resolve, reject) => f((err, value) => (err ? reject(err) : resolve(value as T))));

/**
 * Files on local disk, addressed by their SHA-256: `ab/cd/abcd…`. Content-addressed storage
 * makes a stored file impossible to replace under the same name; identical uploads share bytes.
 */
export class EvidenceStore {
  /** folders known to exist (at most 65,536: two levels of two hex digits) */
  private readonly folders = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly fs: StoreFs = nodeFs,
  ) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Stores the bytes under their hash; resolves once they and their name are on disk, so a power
   * cut or an OS crash never leaves a committed row naming a file that was only in the page cache
   * (the upload's row is committed after this): the bytes are written to a temporary name and
   * synced, renamed to their name (a crash never leaves a half-written file under it) and the
   * folder synced; a new folder's parents are synced too. A file already there (the same bytes:
   * its name is its hash) is not written again; its folder is synced, in case the process that
   * renamed it stopped before syncing it.
   */
  async put(sha256: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(sha256);
    const folder = dirname(target);
    if (await call<boolean>((done) => this.fs.access(target, (err) => done(null, !err)))) return this.syncFolder(folder);
    // the folder is made once per process (the service never removes one)
    if (!this.folders.has(folder)) await this.makeFolder(folder);
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      await this.writeSynced(tmp, bytes);
    } catch (err) {
      // the folder was removed behind the service: made again
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.makeFolder(folder);
      await this.writeSynced(tmp, bytes);
    }
    await call((done) => this.fs.rename(tmp, target, done));
    await this.syncFolder(folder);
  }

  get(sha256: string): Promise<Buffer> {
    return call<Buffer>((done) => this.fs.readFile(this.pathOf(sha256), done));
  }

  /** The SHA-256 of the file stored under `sha256` as it is on disk now, or null when it is gone (issue 12). */
  async digest(sha256: string): Promise<string | null> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of this.fs.createReadStream(this.pathOf(sha256))) hash.update(chunk as Buffer);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return hash.digest('hex');
  }

  /** `ab/cd` made where missing; the folders that hold a new one are synced, so its name is on disk too */
  private async makeFolder(folder: string): Promise<void> {
    const first = await call<string | undefined>((done) => this.fs.mkdir(folder, { recursive: true }, done));
    if (first !== undefined) {
      await this.syncFolder(dirname(first));
      // the new folders that hold a new one (not `folder`: synced after the rename)
      for (let at = dirname(folder); at.length >= first.length; at = dirname(at)) await this.syncFolder(at);
    }
    this.folders.add(folder);
  }

  private async writeSynced(file: string, bytes: Buffer): Promise<void> {
    const fd = await call<number>((done) => this.fs.open(file, 'wx', done));
    try {
      for (let at = 0; at < bytes.length; ) at += await call<number>((done) => this.fs.write(fd, bytes, at, bytes.length - at, null, done));
      await call((done) => this.fs.fsync(fd, done));
    } catch (err) {
      // a disk full or failing: no half-written file is left behind
      await call((done) => this.fs.close(fd, done));
      await call((done) => this.fs.rm(file, { force: true }, done));
      throw err;
    }
    await call((done) => this.fs.close(fd, done));
  }

  /** a name made, or renamed, in a folder is on disk once the folder is synced */
  private async syncFolder(folder: string): Promise<void> {
    const fd = await call<number>((done) => this.fs.open(folder, 'r', done));
    try {
      await call((done) => this.fs.fsync(fd, done));
    } finally {
      await call((done) => this.fs.close(fd, done));
    }
  }
}
