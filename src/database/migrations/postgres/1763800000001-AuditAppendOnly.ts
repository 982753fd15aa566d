import type { MigrationInterface, QueryRunner } from "typeorm";

/** SF-24: audit entries can be added, never changed or removed. */
export class AuditAppendOnly1763800000001 implements MigrationInterface {
  name = 'AuditAppendOnly1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$`);
    await q.query(`CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_entries_append_only ON audit_entries');
    await q.query('DROP FUNCTION audit_entries_append_only()');
  }
}
