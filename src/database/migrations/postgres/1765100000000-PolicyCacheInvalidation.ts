import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: the policy versions of an area's lineage are cached in each instance's memory (the
 * policy read was a statement on every case creation); every committed change to
 * policy_versions, by anyone, is announced on the `approvals_changes` channel like users and
 * webhooks (migration CacheInvalidation), so every instance drops its copy at once.
 */
export class PolicyCacheInvalidation1765100000000 implements MigrationInterface {
  name = 'PolicyCacheInvalidation1765100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TRIGGER "policy_versions_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "policy_versions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_change"('policy_versions')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "policy_versions_changed" ON "policy_versions"`);
  }
}
