import type { QueryRunner } from 'typeorm';

/**
 * Issue 12 (item 2): which event first used a file. A batch's meeting files serve the same
 * step of every case of the batch and no other step, so the step is kept beside `usedInSeq`.
 * Filled for files already used: a case's own files from its audit entry at `usedInSeq`, a
 * batch's files from the first entry of one of the batch's cases that names them.
 */
export async function addEvidenceUsedFor(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE "evidence" ADD COLUMN "usedFor" varchar(40)`);
  await q.query(
    `UPDATE "evidence" SET "usedFor" = (SELECT a."event" FROM "audit_entries" a WHERE a."caseId" = "evidence"."caseId" AND a."seq" = "evidence"."usedInSeq")
     WHERE "usedInSeq" IS NOT NULL AND "caseId" IS NOT NULL`,
  );
  await q.query(
    `UPDATE "evidence" SET "usedFor" = (
       SELECT a."event" FROM "audit_entries" a JOIN "cases" c ON c."id" = a."caseId"
       WHERE c."batchId" = "evidence"."batchId" AND a."evidence" LIKE '%' || "evidence"."id" || '%'
       ORDER BY a."at" ASC LIMIT 1)
     WHERE "usedInSeq" IS NOT NULL AND "caseId" IS NULL AND "batchId" IS NOT NULL`,
  );
  await q.query(`CREATE INDEX "IDX_evidence_sha256_type_used" ON "evidence" ("sha256", "type") WHERE "usedInSeq" IS NOT NULL`);
}

export async function dropEvidenceUsedFor(q: QueryRunner): Promise<void> {
  await q.query(`DROP INDEX "IDX_evidence_sha256_type_used"`);
  await q.query(`ALTER TABLE "evidence" DROP COLUMN "usedFor"`);
}
