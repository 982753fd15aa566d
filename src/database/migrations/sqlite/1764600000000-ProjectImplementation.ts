import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: the annual plan, implementation and payment mirrors, the asset ledger (money in integer fen). */
export class ProjectImplementation1764600000000 implements MigrationInterface {
  name = 'ProjectImplementation1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "project_plan_entries" ("id" varchar(36) NOT NULL, "year" integer NOT NULL, "countyCode" varchar(12) NOT NULL, "areaCode" varchar(12) NOT NULL, "projectId" varchar(36) NOT NULL, "funds" text NOT NULL, "plannedFen" integer NOT NULL, "addedById" varchar(36) NOT NULL, "addedAt" datetime NOT NULL, CONSTRAINT "PK_project_plan_entries" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_plan_entries_project" ON "project_plan_entries" ("projectId")`);
    await q.query(`CREATE INDEX "IDX_project_plan_entries_county_year" ON "project_plan_entries" ("countyCode", "year")`);
    await q.query(`CREATE TABLE "project_implementations" ("id" varchar(36) NOT NULL, "projectId" varchar(36) NOT NULL, "caseId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "year" integer NOT NULL, "name" varchar(100) NOT NULL, "category" varchar(40) NOT NULL, "state" varchar(30) NOT NULL, "plannedFen" integer NOT NULL, "contractNo" varchar(60), "contractFen" integer, "startedOn" varchar(10), "plannedEnd" varchar(10) NOT NULL, "progressPercent" integer NOT NULL, "lastProgressDate" varchar(10), "completedOn" varchar(10), "acceptedAt" datetime, "closedAt" datetime, "paidFen" integer NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, CONSTRAINT "PK_project_implementations" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_implementations_project" ON "project_implementations" ("projectId")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_implementations_case" ON "project_implementations" ("caseId")`);
    await q.query(`CREATE INDEX "IDX_project_implementations_area_year" ON "project_implementations" ("areaCode", "year")`);
    await q.query(`CREATE INDEX "IDX_project_implementations_state" ON "project_implementations" ("state")`);
    await q.query(`CREATE TABLE "project_payments" ("id" varchar(36) NOT NULL, "projectId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "kind" varchar(20) NOT NULL, "amountFen" integer NOT NULL, "invoiceNo" varchar(60) NOT NULL, "contractRef" varchar(60) NOT NULL, "status" varchar(20) NOT NULL, "requestedById" varchar(36) NOT NULL, "approvedById" varchar(36), "paidAt" datetime, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, CONSTRAINT "PK_project_payments" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_project_payments_project" ON "project_payments" ("projectId")`);
    await q.query(`CREATE TABLE "project_assets" ("id" varchar(36) NOT NULL, "projectId" varchar(36) NOT NULL, "caseId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "name" varchar(100) NOT NULL, "kind" varchar(50), "quantity" double precision NOT NULL, "unit" varchar(20) NOT NULL, "valueFen" integer NOT NULL, "ownerType" varchar(30) NOT NULL, "ownerName" varchar(100) NOT NULL, "ownerAreaCode" varchar(12), "handoverDate" varchar(10) NOT NULL, "registeredAt" datetime NOT NULL, CONSTRAINT "PK_project_assets" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_project_assets_project" ON "project_assets" ("projectId")`);
    await q.query(`CREATE INDEX "IDX_project_assets_area" ON "project_assets" ("areaCode")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "project_assets"`);
    await q.query(`DROP TABLE "project_payments"`);
    await q.query(`DROP TABLE "project_implementations"`);
    await q.query(`DROP TABLE "project_plan_entries"`);
  }
}
