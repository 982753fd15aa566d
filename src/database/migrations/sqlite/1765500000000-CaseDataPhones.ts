import type { MigrationInterface, QueryRunner } from 'typeorm';
import { sealCaseDataPhones, unsealCaseDataPhones } from '../shared/case-data-phones';

const NO_UPDATE = `CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
      BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`;

/**
 * Issue 19: phones inside case data (the assistance contact's), audit entries, monitoring
 * objects and stored answers encrypted at rest. The append-only trigger of the audit entries is
 * lifted for this rewrite only (in the migration's transaction); the entries' hashes cover the
 * clear data and stay as they are.
 */
export class CaseDataPhones1765500000000 implements MigrationInterface {
  name = 'CaseDataPhones1765500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_entries_no_update');
    await sealCaseDataPhones(q, false);
    await q.query(NO_UPDATE);
  }

  public async down(q: QueryRunner): Promise<void> {
    // needs the keys the values were written under (PII_KEYS)
    await q.query('DROP TRIGGER audit_entries_no_update');
    await unsealCaseDataPhones(q, false);
    await q.query(NO_UPDATE);
  }
}
