import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the record ledger (hash chains of measures, income records, attendance, evidence
 * uploads, user changes), its heads, the checkpoints over every chain head; the ledger and the
 * checkpoints append-only, and evidence rows too (only their first link to a case may be set).
 */
export class RecordLedger1764400000400 implements MigrationInterface {
  name = 'RecordLedger1764400000400';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "record_ledger" ("chain" varchar(120) NOT NULL, "seq" integer NOT NULL, "kind" varchar(20) NOT NULL, "subjectId" varchar(36) NOT NULL, "areaCode" varchar(12), "recordType" varchar(40) NOT NULL, "recordId" varchar(36) NOT NULL, "op" varchar(20) NOT NULL, "record" text NOT NULL, "actorId" varchar(36), "at" datetime NOT NULL, "prevHash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("chain", "seq"))`);
    await q.query(`CREATE INDEX "IDX_record_ledger_record" ON "record_ledger" ("recordType", "recordId")`);
    await q.query(`CREATE TABLE "record_ledger_heads" ("chain" varchar(120) PRIMARY KEY NOT NULL, "kind" varchar(20) NOT NULL, "subjectId" varchar(36) NOT NULL, "areaCode" varchar(12), "seq" integer NOT NULL, "hash" varchar(64) NOT NULL, "updatedAt" datetime NOT NULL)`);
    await q.query(`CREATE INDEX "IDX_record_ledger_heads_area" ON "record_ledger_heads" ("areaCode")`);
    await q.query(`CREATE TABLE "audit_checkpoints" ("id" varchar(36) PRIMARY KEY NOT NULL, "takenAt" datetime NOT NULL, "trigger" varchar(10) NOT NULL, "takenById" varchar(36), "root" varchar(64) NOT NULL, "chains" integer NOT NULL, "caseChains" integer NOT NULL, "ledgerChains" integer NOT NULL)`);
    await q.query(`CREATE INDEX "IDX_audit_checkpoints_taken" ON "audit_checkpoints" ("takenAt")`);
    await q.query(`CREATE TABLE "audit_checkpoint_leaves" ("checkpointId" varchar(36) NOT NULL, "chain" varchar(120) NOT NULL, "seq" integer NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("checkpointId", "chain"))`);

    // as audit_entries (AuditAppendOnly): added, never changed or removed
    for (const table of ['record_ledger', 'audit_checkpoints', 'audit_checkpoint_leaves']) {
      await q.query(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON "${table}"
        BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
      await q.query(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON "${table}"
        BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
    }

    // evidence: never removed; of an update only the first link to a case (caseId, usedInSeq, usedFor from NULL) passes
    await q.query(`CREATE TRIGGER evidence_no_update BEFORE UPDATE ON "evidence"
      WHEN NEW."id" IS NOT OLD."id" OR NEW."type" IS NOT OLD."type" OR NEW."sha256" IS NOT OLD."sha256" OR NEW."size" IS NOT OLD."size"
        OR NEW."mimeType" IS NOT OLD."mimeType" OR NEW."fileName" IS NOT OLD."fileName" OR NEW."uploadedById" IS NOT OLD."uploadedById"
        OR NEW."areaCode" IS NOT OLD."areaCode" OR NEW."uploadedAt" IS NOT OLD."uploadedAt" OR NEW."batchId" IS NOT OLD."batchId"
        OR (OLD."caseId" IS NOT NULL AND NEW."caseId" IS NOT OLD."caseId")
        OR (OLD."usedInSeq" IS NOT NULL AND NEW."usedInSeq" IS NOT OLD."usedInSeq")
        OR (OLD."usedFor" IS NOT NULL AND NEW."usedFor" IS NOT OLD."usedFor")
      BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END`);
    await q.query(`CREATE TRIGGER evidence_no_delete BEFORE DELETE ON "evidence"
      BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER evidence_no_update');
    await q.query('DROP TRIGGER evidence_no_delete');
    for (const table of ['record_ledger', 'audit_checkpoints', 'audit_checkpoint_leaves']) {
      await q.query(`DROP TRIGGER ${table}_no_update`);
      await q.query(`DROP TRIGGER ${table}_no_delete`);
    }
    await q.query(`DROP TABLE "audit_checkpoint_leaves"`);
    await q.query(`DROP TABLE "audit_checkpoints"`);
    await q.query(`DROP TABLE "record_ledger_heads"`);
    await q.query(`DROP TABLE "record_ledger"`);
  }
}
