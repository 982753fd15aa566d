import type { MigrationInterface, QueryRunner } from "typeorm";

/** SF-24: audit entries can be added, never changed or removed. */
export class AuditAppendOnly1763800000001 implements MigrationInterface {
  name = 'AuditAppendOnly1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
      BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`);
    await q.query(`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
      BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_entries_no_update');
    await q.query('DROP TRIGGER audit_entries_no_delete');
  }
}
