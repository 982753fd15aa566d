import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';

/**
 * Files on local disk, addressed by their SHA-256: `ab/cd/abcd…`. Content-addressed storage
 * makes a stored file impossible to replace under the same name; identical uploads share bytes.
 */
export class EvidenceStore {
  /** folders known to exist (at most 65,536: two levels of two hex digits) */
  private readonly folders = new Set<string>();

  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(sha256);
    if (await stat(target).then(() => true, () => false)) return;
    // the folder is made once per process (the service never removes one)
    const folder = join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4));
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    // write then rename: a crash never leaves a half-written file under the final name
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, bytes, { flag: 'wx' });
    } catch (err) {
      // the folder was removed behind the service: made again
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(folder, { recursive: true });
      await writeFile(tmp, bytes, { flag: 'wx' });
    }
    await rename(tmp, target);
  }

  get(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  /** The SHA-256 of the file stored under `sha256` as it is on disk now, or null when it is gone (issue 12). */
  async digest(sha256: string): Promise<string | null> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.pathOf(sha256))) hash.update(chunk as Buffer);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return hash.digest('hex');
  }
}
