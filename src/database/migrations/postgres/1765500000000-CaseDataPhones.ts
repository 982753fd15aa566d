import type { MigrationInterface, QueryRunner } from 'typeorm';
import { sealCaseDataPhones, unsealCaseDataPhones } from '../shared/case-data-phones';

/**
 * Issue 19: phones inside case data (the assistance contact's), audit entries, monitoring
 * objects and stored answers encrypted at rest. The append-only trigger of the audit entries is
 * lifted for this rewrite only; the entries' hashes cover the clear data and stay as they are.
 */
export class CaseDataPhones1765500000000 implements MigrationInterface {
  name = 'CaseDataPhones1765500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "audit_entries" DISABLE TRIGGER audit_entries_append_only');
    await sealCaseDataPhones(q, true);
    await q.query('ALTER TABLE "audit_entries" ENABLE TRIGGER audit_entries_append_only');
  }

  public async down(q: QueryRunner): Promise<void> {
    // needs the keys the values were written under (PII_KEYS)
    await q.query('ALTER TABLE "audit_entries" DISABLE TRIGGER audit_entries_append_only');
    await unsealCaseDataPhones(q, true);
    await q.query('ALTER TABLE "audit_entries" ENABLE TRIGGER audit_entries_append_only');
  }
}
