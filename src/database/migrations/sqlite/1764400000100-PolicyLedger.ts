import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the policy ledger, one hash chain of every policy version and every change of the
 * national bounds; append-only like audit_entries (SF-24). The service writes the first
 * entries at its next start (the national bounds, then every policy version already stored).
 */
export class PolicyLedger1764400000100 implements MigrationInterface {
  name = 'PolicyLedger1764400000100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "policy_ledger" ("seq" integer NOT NULL, "kind" varchar(10) NOT NULL, "areaCode" varchar(12) NOT NULL, "version" integer NOT NULL, "policyVersionId" varchar(36), "effectiveFrom" datetime, "actorId" varchar(36) NOT NULL, "actorUsername" varchar(64) NOT NULL, "actorRole" varchar(20) NOT NULL, "at" datetime NOT NULL, "reason" text, "before" text, "after" text NOT NULL, "prevHash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("seq"))`);
    await q.query(`CREATE INDEX "IDX_policy_ledger_kind_seq" ON "policy_ledger" ("kind", "seq")`);
    await q.query(`CREATE UNIQUE INDEX "IDX_policy_ledger_policyVersionId" ON "policy_ledger" ("policyVersionId")`);
    await q.query(`CREATE TRIGGER policy_ledger_no_update BEFORE UPDATE ON policy_ledger
      BEGIN SELECT RAISE(ABORT, 'policy_ledger is append-only'); END`);
    await q.query(`CREATE TRIGGER policy_ledger_no_delete BEFORE DELETE ON policy_ledger
      BEGIN SELECT RAISE(ABORT, 'policy_ledger is append-only'); END`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER policy_ledger_no_update');
    await q.query('DROP TRIGGER policy_ledger_no_delete');
    await q.query(`DROP TABLE "policy_ledger"`);
  }
}
