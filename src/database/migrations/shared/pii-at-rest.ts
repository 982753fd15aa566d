import type { QueryRunner } from 'typeorm';
import { pii } from '../../../common/crypto/pii';
import { type PiiTable, rewriteRows } from '../../pii-rewrite';

/**
 * Issue 11: the personal-data columns as they were when this migration was written (frozen here:
 * a later table gets its own migration). Every value is encrypted with the current PII key; the
 * members get the keyed hash of their ID number, which carries the unique index from now on.
 */
const TABLES: PiiTable[] = [
  { table: 'household_members', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['idNumber', 'phone'] },
  { table: 'households', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['phone'] },
  { table: 'alert_import_rows', keys: [{ name: 'importId', pgType: 'varchar' }, { name: 'rowNumber', pgType: 'int' }], columns: ['idNumber'] },
  { table: 'household_import_rows', keys: [{ name: 'importId', pgType: 'varchar' }, { name: 'rowNumber', pgType: 'int' }], columns: ['idNumber'] },
];

const query = (q: QueryRunner) => (sql: string, params?: unknown[]) => q.query(sql, params);

export async function encryptPersonalData(q: QueryRunner, pg: boolean): Promise<void> {
  const c = pii();
  for (const t of TABLES) {
    await rewriteRows(query(q), pg, t, (row) => {
      const out: Record<string, string | null> = {};
      for (const col of t.columns) if (row[col] !== null) out[col] = c.encrypt(row[col]!);
      if (t.table === 'household_members') out.idNumberHash = c.hash(row.idNumber!);
      return Object.keys(out).length ? out : null;
    });
  }
}

export async function decryptPersonalData(q: QueryRunner, pg: boolean): Promise<void> {
  const c = pii();
  for (const t of TABLES) {
    await rewriteRows(query(q), pg, t, (row) => {
      const out: Record<string, string | null> = {};
      for (const col of t.columns) if (row[col] !== null && c.keyIdOf(row[col]!)) out[col] = c.decrypt(row[col]!);
      return Object.keys(out).length ? out : null;
    });
  }
}
