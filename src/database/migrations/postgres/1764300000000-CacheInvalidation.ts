import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: users and webhooks are cached in each instance's memory; every committed change to
 * them, by anyone, is announced on the `approvals_changes` channel (payload: the table), so
 * every instance drops its copy at once (src/database/change-feed.ts).
 */
export class CacheInvalidation1764300000000 implements MigrationInterface {
  name = 'CacheInvalidation1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION "notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('approvals_changes', TG_ARGV[0]); RETURN NULL; END $$`);
    for (const table of ['users', 'webhooks']) {
      await q.query(`CREATE TRIGGER "${table}_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "notify_change"('${table}')`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['users', 'webhooks']) await q.query(`DROP TRIGGER IF EXISTS "${table}_changed" ON "${table}"`);
    await q.query(`DROP FUNCTION IF EXISTS "notify_change"()`);
  }
}
