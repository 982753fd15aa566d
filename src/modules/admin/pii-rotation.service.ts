import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { pii } from '../../common/crypto/pii';
import { type PiiTable, rewriteRows } from '../../database/pii-rewrite';
import { UnitOfWork } from '../../database/unit-of-work';

/** Every encrypted personal-data column of the service (issue 11). Add a table here when a column gets `encrypted`. */
export const PII_TABLES: PiiTable[] = [
  { table: 'household_members', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['idNumber', 'phone'] },
  { table: 'households', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['phone'] },
  { table: 'alert_import_rows', keys: [{ name: 'importId', pgType: 'varchar' }, { name: 'rowNumber', pgType: 'int' }], columns: ['idNumber'] },
  { table: 'household_import_rows', keys: [{ name: 'importId', pgType: 'varchar' }, { name: 'rowNumber', pgType: 'int' }], columns: ['idNumber'] },
];

export interface RotationReport {
  keyId: string;
  tables: Record<string, { scanned: number; rewritten: number }>;
}

/**
 * Key rotation: every value written under an older key id is decrypted and encrypted again under
 * the current key (the first of PII_KEYS), one chunk per transaction. The service keeps reading
 * and writing meanwhile: every listed key still decrypts. The lookup hashes are untouched (the
 * HMAC key is not rotated by this).
 */
export async function rotatePersonalData(
  transaction: <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>,
  pg: boolean,
  chunk = 1000,
): Promise<RotationReport> {
  const c = pii();
  const report: RotationReport = { keyId: c.currentKeyId, tables: {} };
  for (const t of PII_TABLES) {
    report.tables[t.table] = await rewriteRows(
      async () => [],
      pg,
      t,
      (row) => {
        const out: Record<string, string | null> = {};
        for (const col of t.columns) {
          const next = row[col] === null ? null : c.rotate(row[col]!);
          if (next !== null) out[col] = next;
        }
        return Object.keys(out).length ? out : null;
      },
      { chunk, lock: true, inChunk: (work) => transaction((em) => work((sql, params) => em.query(sql, params))) },
    );
  }
  return report;
}

@Injectable()
export class PiiRotation {
  private running: Promise<RotationReport> | null = null;

  constructor(private readonly uow: UnitOfWork) {}

  /** one rotation at a time per process; a second call joins the running one */
  rotate(chunk?: number): Promise<RotationReport> {
    if (!this.running) {
      const pg = this.uow.manager.connection.options.type === 'postgres';
      this.running = rotatePersonalData((work) => this.uow.transaction(work), pg, chunk).finally(() => (this.running = null));
    }
    return this.running;
  }
}

/** the CLI (`npm run pii:rotate`): the same on a bare DataSource */
export const rotateWithDataSource = (ds: DataSource, chunk?: number) =>
  rotatePersonalData((work) => ds.transaction(work), ds.options.type === 'postgres', chunk);
