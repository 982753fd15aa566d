import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21 (PostgreSQL): a step's first use of a file (`usedInSeq`, `usedFor` set; `caseId`
 * unchanged for a file uploaded to the case) changes no indexed column, so PostgreSQL can
 * update it in place (HOT: no new index entries) when the page has room:
 * - the reuse check's index (sha256, type) no longer has the predicate `"usedInSeq" IS NOT
 *   NULL`: a predicate's column counts as indexed and made every first use a new entry in each
 *   of the table's indexes. The check still names `"usedInSeq" IS NOT NULL`; it reads the one or
 *   two rows of a content from the heap. SQLite keeps the partial index (no HOT there).
 * - the table's pages are filled to 80%, leaving room for the new versions (the old ones are
 *   pruned when the page is next read).
 */
export class EvidenceHotUse1766000000001 implements MigrationInterface {
  name = 'EvidenceHotUse1766000000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_evidence_sha256_type" ON "evidence" ("sha256", "type")`);
    await q.query(`DROP INDEX "IDX_evidence_sha256_type_used"`);
    await q.query(`ALTER TABLE "evidence" SET (fillfactor = 80)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence" RESET (fillfactor)`);
    await q.query(`CREATE INDEX "IDX_evidence_sha256_type_used" ON "evidence" ("sha256", "type") WHERE "usedInSeq" IS NOT NULL`);
    await q.query(`DROP INDEX "IDX_evidence_sha256_type"`);
  }
}
