import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 14: the rectification ledger (整改台账): findings and the items they were handed over as. */
export class Rectification1764500000000 implements MigrationInterface {
  name = 'Rectification1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "rectification_findings" ("id" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "areas" text NOT NULL, "source" character varying(30) NOT NULL, "category" character varying(30) NOT NULL, "severity" character varying(20) NOT NULL, "description" text NOT NULL, "origin" character varying(20) NOT NULL, "detector" character varying(40), "detectorParams" text, "detectorScopeArea" character varying(12), "detectorScopeRole" character varying(20), "subjectKey" character varying(200), "subject" text, "recordedById" character varying(36) NOT NULL, "recordedByRole" character varying(20) NOT NULL, "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_rectification_findings" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_rectification_findings_area" ON "rectification_findings" ("areaCode", "recordedAt")`);
    await q.query(`CREATE INDEX "IDX_rectification_findings_detector" ON "rectification_findings" ("detector", "subjectKey")`);
    await q.query(`CREATE TABLE "rectification_items" ("id" character varying(36) NOT NULL, "findingId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "source" character varying(30) NOT NULL, "category" character varying(30) NOT NULL, "severity" character varying(20) NOT NULL, "problem" text NOT NULL, "measures" text NOT NULL, "responsibleUnit" character varying(100) NOT NULL, "responsiblePerson" character varying(50) NOT NULL, "deadline" character varying(10) NOT NULL, "deadlineAt" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(20) NOT NULL, "progress" text, "progressCount" integer NOT NULL, "returns" integer NOT NULL, "detector" character varying(40), "assignedById" character varying(36) NOT NULL, "assignedByRole" character varying(20) NOT NULL, "assignedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "closedAt" TIMESTAMP WITH TIME ZONE, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_rectification_items" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_rectification_items_area" ON "rectification_items" ("areaCode", "status")`);
    await q.query(`CREATE INDEX "IDX_rectification_items_finding" ON "rectification_items" ("findingId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rectification_items"`);
    await q.query(`DROP TABLE "rectification_findings"`);
  }
}
