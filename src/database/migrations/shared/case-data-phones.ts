import type { QueryRunner } from 'typeorm';
import { mapPhones, pii } from '../../../common/crypto/pii';
import { type PiiTable, rewriteRows } from '../../pii-rewrite';

/**
 * Issue 19: the JSON columns that carry phones inside free-form data (the assistance contact's,
 * SF-03) as they were when this migration was written: a case's snapshot, an audit entry's
 * data, a monitoring object's assistance contact, a stored answer to a retried request. Every
 * phone inside is encrypted with the current PII key (`sealedPhones` from then on). An audit
 * entry's hash covers the clear data, so the chains verify after the rewrite as before it.
 */
const TABLES: PiiTable[] = [
  { table: 'audit_entries', keys: [{ name: 'caseId', pgType: 'varchar' }, { name: 'seq', pgType: 'int' }], columns: ['data'] },
  { table: 'cases', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['snapshot'] },
  { table: 'monitoring_objects', keys: [{ name: 'id', pgType: 'varchar' }], columns: ['assistanceContact'] },
  { table: 'idempotency_records', keys: [{ name: 'userId', pgType: 'varchar' }, { name: 'key', pgType: 'varchar' }], columns: ['response'] },
];

const query = (q: QueryRunner) => (sql: string, params?: unknown[]) => q.query(sql, params);

async function rewrite(q: QueryRunner, pg: boolean, fn: (s: string) => string | null): Promise<void> {
  for (const t of TABLES) {
    await rewriteRows(query(q), pg, t, (row) => {
      const out: Record<string, string> = {};
      for (const col of t.columns) {
        const text = row[col];
        // only JSON that names a phone is read and rewritten
        if (text === null || !/hone"\s*:\s*"/.test(text)) continue;
        let changed = false;
        const next = mapPhones(JSON.parse(text) as unknown, (s) => {
          const v = fn(s);
          if (v === null) return s;
          changed = true;
          return v;
        });
        if (changed) out[col] = JSON.stringify(next);
      }
      return Object.keys(out).length ? out : null;
    });
  }
}

export async function sealCaseDataPhones(q: QueryRunner, pg: boolean): Promise<void> {
  const c = pii();
  await rewrite(q, pg, (s) => (c.keyIdOf(s) ? null : c.encrypt(s)));
}

export async function unsealCaseDataPhones(q: QueryRunner, pg: boolean): Promise<void> {
  const c = pii();
  await rewrite(q, pg, (s) => (c.keyIdOf(s) ? c.decrypt(s) : null));
}
