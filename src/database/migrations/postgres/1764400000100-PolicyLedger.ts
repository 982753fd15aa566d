import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the policy ledger, one hash chain of every policy version and every change of the
 * national bounds; append-only like audit_entries (SF-24). The service writes the first
 * entries at its next start (the national bounds, then every policy version already stored).
 */
export class PolicyLedger1764400000100 implements MigrationInterface {
  name = 'PolicyLedger1764400000100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "policy_ledger" ("seq" integer NOT NULL, "kind" character varying(10) NOT NULL, "areaCode" character varying(12) NOT NULL, "version" integer NOT NULL, "policyVersionId" character varying(36), "effectiveFrom" TIMESTAMP WITH TIME ZONE, "actorId" character varying(36) NOT NULL, "actorUsername" character varying(64) NOT NULL, "actorRole" character varying(20) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" text, "before" text, "after" text NOT NULL, "prevHash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, CONSTRAINT "PK_policy_ledger" PRIMARY KEY ("seq"))`);
    await q.query(`CREATE INDEX "IDX_policy_ledger_kind_seq" ON "policy_ledger" ("kind", "seq")`);
    await q.query(`CREATE UNIQUE INDEX "IDX_policy_ledger_policyVersionId" ON "policy_ledger" ("policyVersionId")`);
    await q.query(`CREATE FUNCTION policy_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'policy_ledger is append-only'; END $$`);
    await q.query(`CREATE TRIGGER policy_ledger_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON policy_ledger
      FOR EACH STATEMENT EXECUTE FUNCTION policy_ledger_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER policy_ledger_append_only ON policy_ledger');
    await q.query('DROP FUNCTION policy_ledger_append_only()');
    await q.query(`DROP TABLE "policy_ledger"`);
  }
}
