import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: the annual plan, implementation and payment mirrors, the asset ledger (money in integer fen). */
export class ProjectImplementation1764600000000 implements MigrationInterface {
  name = 'ProjectImplementation1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "project_plan_entries" ("id" character varying(36) NOT NULL, "year" integer NOT NULL, "countyCode" character varying(12) NOT NULL, "areaCode" character varying(12) NOT NULL, "projectId" character varying(36) NOT NULL, "funds" text NOT NULL, "plannedFen" bigint NOT NULL, "addedById" character varying(36) NOT NULL, "addedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_project_plan_entries" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_plan_entries_project" ON "project_plan_entries" ("projectId")`);
    await q.query(`CREATE INDEX "IDX_project_plan_entries_county_year" ON "project_plan_entries" ("countyCode", "year")`);
    await q.query(`CREATE TABLE "project_implementations" ("id" character varying(36) NOT NULL, "projectId" character varying(36) NOT NULL, "caseId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "year" integer NOT NULL, "name" character varying(100) NOT NULL, "category" character varying(40) NOT NULL, "state" character varying(30) NOT NULL, "plannedFen" bigint NOT NULL, "contractNo" character varying(60), "contractFen" bigint, "startedOn" character varying(10), "plannedEnd" character varying(10) NOT NULL, "progressPercent" integer NOT NULL, "lastProgressDate" character varying(10), "completedOn" character varying(10), "acceptedAt" TIMESTAMP WITH TIME ZONE, "closedAt" TIMESTAMP WITH TIME ZONE, "paidFen" bigint NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_project_implementations" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_implementations_project" ON "project_implementations" ("projectId")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_implementations_case" ON "project_implementations" ("caseId")`);
    await q.query(`CREATE INDEX "IDX_project_implementations_area_year" ON "project_implementations" ("areaCode", "year")`);
    await q.query(`CREATE INDEX "IDX_project_implementations_state" ON "project_implementations" ("state")`);
    await q.query(`CREATE TABLE "project_payments" ("id" character varying(36) NOT NULL, "projectId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "kind" character varying(20) NOT NULL, "amountFen" bigint NOT NULL, "invoiceNo" character varying(60) NOT NULL, "contractRef" character varying(60) NOT NULL, "status" character varying(20) NOT NULL, "requestedById" character varying(36) NOT NULL, "approvedById" character varying(36), "paidAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_project_payments" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_project_payments_project" ON "project_payments" ("projectId")`);
    await q.query(`CREATE TABLE "project_assets" ("id" character varying(36) NOT NULL, "projectId" character varying(36) NOT NULL, "caseId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "name" character varying(100) NOT NULL, "kind" character varying(50), "quantity" double precision NOT NULL, "unit" character varying(20) NOT NULL, "valueFen" bigint NOT NULL, "ownerType" character varying(30) NOT NULL, "ownerName" character varying(100) NOT NULL, "ownerAreaCode" character varying(12), "handoverDate" character varying(10) NOT NULL, "registeredAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_project_assets" PRIMARY KEY ("id"))`);
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
