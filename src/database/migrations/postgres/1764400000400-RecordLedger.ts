import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the record ledger (hash chains of measures, income records, attendance, evidence
 * uploads, user changes), its heads, the checkpoints over every chain head; the ledger and the
 * checkpoints append-only, and evidence rows too (only their first link to a case may be set).
 */
export class RecordLedger1764400000400 implements MigrationInterface {
  name = 'RecordLedger1764400000400';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "record_ledger" ("chain" character varying(120) NOT NULL, "seq" integer NOT NULL, "kind" character varying(20) NOT NULL, "subjectId" character varying(36) NOT NULL, "areaCode" character varying(12), "recordType" character varying(40) NOT NULL, "recordId" character varying(36) NOT NULL, "op" character varying(20) NOT NULL, "record" text NOT NULL, "actorId" character varying(36), "at" TIMESTAMP WITH TIME ZONE NOT NULL, "prevHash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, CONSTRAINT "PK_record_ledger" PRIMARY KEY ("chain", "seq"))`);
    await q.query(`CREATE INDEX "IDX_record_ledger_record" ON "record_ledger" ("recordType", "recordId")`);
    await q.query(`CREATE TABLE "record_ledger_heads" ("chain" character varying(120) NOT NULL, "kind" character varying(20) NOT NULL, "subjectId" character varying(36) NOT NULL, "areaCode" character varying(12), "seq" integer NOT NULL, "hash" character varying(64) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_record_ledger_heads" PRIMARY KEY ("chain"))`);
    await q.query(`CREATE INDEX "IDX_record_ledger_heads_area" ON "record_ledger_heads" ("areaCode")`);
    await q.query(`CREATE TABLE "audit_checkpoints" ("id" character varying(36) NOT NULL, "takenAt" TIMESTAMP WITH TIME ZONE NOT NULL, "trigger" character varying(10) NOT NULL, "takenById" character varying(36), "root" character varying(64) NOT NULL, "chains" integer NOT NULL, "caseChains" integer NOT NULL, "ledgerChains" integer NOT NULL, CONSTRAINT "PK_audit_checkpoints" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_audit_checkpoints_taken" ON "audit_checkpoints" ("takenAt")`);
    await q.query(`CREATE TABLE "audit_checkpoint_leaves" ("checkpointId" character varying(36) NOT NULL, "chain" character varying(120) NOT NULL, "seq" integer NOT NULL, "hash" character varying(64) NOT NULL, CONSTRAINT "PK_audit_checkpoint_leaves" PRIMARY KEY ("checkpointId", "chain"))`);

    // as audit_entries (AuditAppendOnly): added, never changed or removed
    for (const table of ['record_ledger', 'audit_checkpoints', 'audit_checkpoint_leaves']) {
      await q.query(`CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`);
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`);
    }

    // evidence: never removed; of an update only the first link to a case (caseId, usedInSeq, usedFor from NULL) passes
    await q.query(`CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION 'evidence is append-only'; END IF;
        IF (NEW."id", NEW."type", NEW."sha256", NEW."size", NEW."mimeType", NEW."fileName", NEW."uploadedById", NEW."areaCode", NEW."uploadedAt", NEW."batchId")
             IS DISTINCT FROM (OLD."id", OLD."type", OLD."sha256", OLD."size", OLD."mimeType", OLD."fileName", OLD."uploadedById", OLD."areaCode", OLD."uploadedAt", OLD."batchId")
           OR (OLD."caseId" IS NOT NULL AND NEW."caseId" IS DISTINCT FROM OLD."caseId")
           OR (OLD."usedInSeq" IS NOT NULL AND NEW."usedInSeq" IS DISTINCT FROM OLD."usedInSeq")
           OR (OLD."usedFor" IS NOT NULL AND NEW."usedFor" IS DISTINCT FROM OLD."usedFor") THEN
          RAISE EXCEPTION 'evidence is append-only';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER evidence_append_only BEFORE UPDATE ON "evidence" FOR EACH ROW EXECUTE FUNCTION evidence_append_only()`);
    await q.query(`CREATE TRIGGER evidence_no_delete BEFORE DELETE OR TRUNCATE ON "evidence" FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER evidence_no_delete ON "evidence"');
    await q.query('DROP TRIGGER evidence_append_only ON "evidence"');
    await q.query('DROP FUNCTION evidence_append_only()');
    for (const table of ['record_ledger', 'audit_checkpoints', 'audit_checkpoint_leaves']) {
      await q.query(`DROP TRIGGER ${table}_append_only ON "${table}"`);
      await q.query(`DROP FUNCTION ${table}_append_only()`);
    }
    await q.query(`DROP TABLE "audit_checkpoint_leaves"`);
    await q.query(`DROP TABLE "audit_checkpoints"`);
    await q.query(`DROP TABLE "record_ledger_heads"`);
    await q.query(`DROP TABLE "record_ledger"`);
  }
}
