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
    await q.query(`ALTER TABLE "households" ADD "householdCode" character varying(30)`);
    await q.query(`ALTER TABLE "households" ADD "phone" character varying(20)`);
    await q.query(`ALTER TABLE "households" ADD "version" integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE UNIQUE INDEX "UQ_households_code" ON "households" ("householdCode")`);
    await q.query(`ALTER TABLE "audit_entries" ADD "householdVersion" integer`);
    await q.query(`CREATE TABLE "household_imports" ("id" character varying(36) NOT NULL, "areaCode" character varying(12), "fileName" character varying(255) NOT NULL, "format" character varying(10) NOT NULL, "sha256" character varying(64) NOT NULL, "size" integer NOT NULL, "content" bytea NOT NULL, "status" character varying(12) NOT NULL, "rowsTotal" integer, "rowsDone" integer NOT NULL DEFAULT 0, "counts" text NOT NULL, "error" text, "sameFileAs" character varying(36), "uploadedById" character varying(36) NOT NULL, "uploadedByUsername" character varying(64) NOT NULL, "uploadedByRole" character varying(20) NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_household_imports" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_household_imports_area" ON "household_imports" ("areaCode")`);
    await q.query(`CREATE INDEX "IDX_household_imports_sha" ON "household_imports" ("sha256")`);
    await q.query(`CREATE INDEX "IDX_household_imports_status" ON "household_imports" ("status")`);
    await q.query(`CREATE TABLE "household_import_rows" ("importId" character varying(36) NOT NULL, "rowNumber" integer NOT NULL, "householdCode" character varying(40) NOT NULL, "idNumber" character varying(40) NOT NULL, "name" character varying(50) NOT NULL, "villageCode" character varying(12), "outcome" character varying(12) NOT NULL, "errors" text, "householdId" character varying(36), "fromHouseholdId" character varying(36), CONSTRAINT "PK_household_import_rows" PRIMARY KEY ("importId", "rowNumber"))`);
    await q.query(`CREATE TABLE "registry_alerts" ("id" character varying(36) NOT NULL, "kind" character varying(30) NOT NULL, "householdId" character varying(36) NOT NULL, "memberId" character varying(36), "areaCode" character varying(12) NOT NULL, "role" character varying(20) NOT NULL, "caseId" character varying(36), "householdVersion" integer NOT NULL, "title" character varying(200) NOT NULL, "message" text NOT NULL, "data" text NOT NULL, "status" character varying(10) NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "resolvedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_registry_alerts" PRIMARY KEY ("id"))`);
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
