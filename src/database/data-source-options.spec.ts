import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../common/config/app-config';
import { installPii } from '../common/crypto/pii';
import { dataSourceOptions } from './data-source-options';

describe('the embedded database (SQLite)', () => {
  let dir: string;
  // the migrations seal personal data, so they need keys
  beforeAll(() => installPii({ keys: [{ id: 'k1', key: Buffer.alloc(32, 1) }], hmacKey: Buffer.alloc(32, 2) }));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-options-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (file: string) =>
    dataSourceOptions({ kind: 'sqlite', file, acquireTimeoutMs: 5_000, statementTimeoutMs: 5_000 } as AppConfig['database']);

  it('syncs every commit to disk, also when an existing WAL file is opened again (nothing lost on an OS crash)', async () => {
    const file = join(dir, 'approvals.sqlite');
    for (const opening of ['new', 'again']) {
      const ds = await new DataSource(options(file)).initialize();
      try {
        const [{ journal_mode }] = await ds.query('PRAGMA journal_mode');
        const [{ synchronous }] = await ds.query('PRAGMA synchronous');
        // better-sqlite3's build opens WAL databases at NORMAL (1): commits can roll back after a power cut
        expect({ opening, journal_mode, synchronous }).toEqual({ opening, journal_mode: 'wal', synchronous: 2 });
      } finally {
        await ds.destroy();
      }
    }
  });
});
