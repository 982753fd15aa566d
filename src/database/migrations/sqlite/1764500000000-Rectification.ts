import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 14: the rectification ledger (整改台账): findings and the items they were handed over as. */
export class Rectification1764500000000 implements MigrationInterface {
  name = 'Rectification1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "rectification_findings" ("id" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "areas" text NOT NULL, "source" varchar(30) NOT NULL, "category" varchar(30) NOT NULL, "severity" varchar(20) NOT NULL, "description" text NOT NULL, "origin" varchar(20) NOT NULL, "detector" varchar(40), "detectorParams" text, "detectorScopeArea" varchar(12), "detectorScopeRole" varchar(20), "subjectKey" varchar(200), "subject" text, "recordedById" varchar(36) NOT NULL, "recordedByRole" varchar(20) NOT NULL, "recordedAt" datetime NOT NULL, CONSTRAINT "PK_rectification_findings" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_rectification_findings_area" ON "rectification_findings" ("areaCode", "recordedAt")`);
    await q.query(`CREATE INDEX "IDX_rectification_findings_detector" ON "rectification_findings" ("detector", "subjectKey")`);
    await q.query(`CREATE TABLE "rectification_items" ("id" varchar(36) NOT NULL, "findingId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "source" varchar(30) NOT NULL, "category" varchar(30) NOT NULL, "severity" varchar(20) NOT NULL, "problem" text NOT NULL, "measures" text NOT NULL, "responsibleUnit" varchar(100) NOT NULL, "responsiblePerson" varchar(50) NOT NULL, "deadline" varchar(10) NOT NULL, "deadlineAt" datetime NOT NULL, "status" varchar(20) NOT NULL, "progress" text, "progressCount" integer NOT NULL, "returns" integer NOT NULL, "detector" varchar(40), "assignedById" varchar(36) NOT NULL, "assignedByRole" varchar(20) NOT NULL, "assignedAt" datetime NOT NULL, "closedAt" datetime, "updatedAt" datetime NOT NULL, CONSTRAINT "PK_rectification_items" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_rectification_items_area" ON "rectification_items" ("areaCode", "status")`);
    await q.query(`CREATE INDEX "IDX_rectification_items_finding" ON "rectification_items" ("findingId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rectification_items"`);
    await q.query(`DROP TABLE "rectification_findings"`);
  }
}
