import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: the household registry changes over time. Households get their 户编号 (from the
 * national export), a phone and a version raised by every change (its history is a record-ledger
 * chain); audit entries name the household version a step was judged on; household imports and
 * their per-row reports; the work registry changes create (registry alerts).
 */
export class HouseholdRegistry1764700000000 implements MigrationInterface {
  name = 'HouseholdRegistry1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "households" ADD COLUMN "householdCode" varchar(30)`);
    await q.query(`ALTER TABLE "households" ADD COLUMN "phone" varchar(20)`);
    await q.query(`ALTER TABLE "households" ADD COLUMN "version" integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE UNIQUE INDEX "UQ_households_code" ON "households" ("householdCode")`);
    await q.query(`ALTER TABLE "audit_entries" ADD COLUMN "householdVersion" integer`);
    await q.query(`CREATE TABLE "household_imports" ("id" varchar(36) NOT NULL, "areaCode" varchar(12), "fileName" varchar(255) NOT NULL, "format" varchar(10) NOT NULL, "sha256" varchar(64) NOT NULL, "size" integer NOT NULL, "content" blob NOT NULL, "status" varchar(12) NOT NULL, "rowsTotal" integer, "rowsDone" integer NOT NULL DEFAULT 0, "counts" text NOT NULL, "error" text, "sameFileAs" varchar(36), "uploadedById" varchar(36) NOT NULL, "uploadedByUsername" varchar(64) NOT NULL, "uploadedByRole" varchar(20) NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, "startedAt" datetime, "finishedAt" datetime, CONSTRAINT "PK_household_imports" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_household_imports_area" ON "household_imports" ("areaCode")`);
    await q.query(`CREATE INDEX "IDX_household_imports_sha" ON "household_imports" ("sha256")`);
    await q.query(`CREATE INDEX "IDX_household_imports_status" ON "household_imports" ("status")`);
    await q.query(`CREATE TABLE "household_import_rows" ("importId" varchar(36) NOT NULL, "rowNumber" integer NOT NULL, "householdCode" varchar(40) NOT NULL, "idNumber" varchar(40) NOT NULL, "name" varchar(50) NOT NULL, "villageCode" varchar(12), "outcome" varchar(12) NOT NULL, "errors" text, "householdId" varchar(36), "fromHouseholdId" varchar(36), CONSTRAINT "PK_household_import_rows" PRIMARY KEY ("importId", "rowNumber"))`);
    await q.query(`CREATE TABLE "registry_alerts" ("id" varchar(36) NOT NULL, "kind" varchar(30) NOT NULL, "householdId" varchar(36) NOT NULL, "memberId" varchar(36), "areaCode" varchar(12) NOT NULL, "role" varchar(20) NOT NULL, "caseId" varchar(36), "householdVersion" integer NOT NULL, "title" varchar(200) NOT NULL, "message" text NOT NULL, "data" text NOT NULL, "status" varchar(10) NOT NULL, "createdAt" datetime NOT NULL, "resolvedAt" datetime, CONSTRAINT "PK_registry_alerts" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_registry_alerts_open" ON "registry_alerts" ("status", "areaCode")`);
    await q.query(`CREATE INDEX "IDX_registry_alerts_household" ON "registry_alerts" ("householdId")`);
    await q.query(`CREATE INDEX "IDX_registry_alerts_case" ON "registry_alerts" ("caseId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "registry_alerts"`);
    await q.query(`DROP TABLE "household_import_rows"`);
    await q.query(`DROP TABLE "household_imports"`);
    await q.query(`ALTER TABLE "audit_entries" DROP COLUMN "householdVersion"`);
    await q.query(`DROP INDEX "UQ_households_code"`);
    await q.query(`ALTER TABLE "households" DROP COLUMN "version"`);
    await q.query(`ALTER TABLE "households" DROP COLUMN "phone"`);
    await q.query(`ALTER TABLE "households" DROP COLUMN "householdCode"`);
  }
}
