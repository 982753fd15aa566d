import type { MigrationInterface, QueryRunner } from "typeorm";

export class RiskElimination1763900000000 implements MigrationInterface {
    name = 'RiskElimination1763900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "assistance_measures" ("id" varchar(36) PRIMARY KEY NOT NULL, "monitoringObjectId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "type" varchar(30) NOT NULL, "description" text NOT NULL, "date" varchar(10) NOT NULL, "riskTypes" text NOT NULL, "recordedById" varchar(36) NOT NULL, "recordedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_85db332095b63dccfd3c8f3f58" ON "assistance_measures" ("monitoringObjectId") `);
        await queryRunner.query(`CREATE INDEX "IDX_bde2e1c47c473b9291cd4e3a67" ON "assistance_measures" ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "income_records" ("id" varchar(36) PRIMARY KEY NOT NULL, "householdId" varchar(36) NOT NULL, "caseId" varchar(36), "record" text NOT NULL, "perCapitaNetIncome" double precision NOT NULL, "incomeLine" double precision NOT NULL, "guaranteesSecure" boolean NOT NULL, "recordedById" varchar(36) NOT NULL, "recordedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_d1acf102bcb6468ed95a845656" ON "income_records" ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_2d6a2bcf9b7a540569647f8319" ON "income_records" ("recordedAt") `);
        await queryRunner.query(`DROP INDEX "IDX_63308469a0838c919757b621fe"`);
        await queryRunner.query(`DROP INDEX "IDX_ed0689b5c07cd51ed593416be5"`);
        await queryRunner.query(`DROP INDEX "IDX_d12c1f1c17d372677272189938"`);
        await queryRunner.query(`CREATE TABLE "temporary_monitoring_objects" ("id" varchar(36) PRIMARY KEY NOT NULL, "householdId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "monitoringType" varchar(30) NOT NULL, "riskTypes" text NOT NULL, "startDate" varchar(10) NOT NULL, "assistanceContact" text NOT NULL, "status" varchar(20) NOT NULL, "inclusionCaseId" varchar(36) NOT NULL, "previousMonitoringObjectId" varchar(36), "verification" text NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, "eliminatedAt" datetime, "eliminationType" varchar(20), "eliminationCaseId" varchar(36), "rolledBackAt" datetime, "rollbackCaseId" varchar(36))`);
        await queryRunner.query(`INSERT INTO "temporary_monitoring_objects"("id", "householdId", "areaCode", "monitoringType", "riskTypes", "startDate", "assistanceContact", "status", "inclusionCaseId", "previousMonitoringObjectId", "verification", "createdAt", "updatedAt") SELECT "id", "householdId", "areaCode", "monitoringType", "riskTypes", "startDate", "assistanceContact", "status", "inclusionCaseId", "previousMonitoringObjectId", "verification", "createdAt", "updatedAt" FROM "monitoring_objects"`);
        await queryRunner.query(`DROP TABLE "monitoring_objects"`);
        await queryRunner.query(`ALTER TABLE "temporary_monitoring_objects" RENAME TO "monitoring_objects"`);
        await queryRunner.query(`CREATE INDEX "IDX_63308469a0838c919757b621fe" ON "monitoring_objects" ("status") `);
        await queryRunner.query(`CREATE INDEX "IDX_ed0689b5c07cd51ed593416be5" ON "monitoring_objects" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_d12c1f1c17d372677272189938" ON "monitoring_objects" ("householdId") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_d12c1f1c17d372677272189938"`);
        await queryRunner.query(`DROP INDEX "IDX_ed0689b5c07cd51ed593416be5"`);
        await queryRunner.query(`DROP INDEX "IDX_63308469a0838c919757b621fe"`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" RENAME TO "temporary_monitoring_objects"`);
        await queryRunner.query(`CREATE TABLE "monitoring_objects" ("id" varchar(36) PRIMARY KEY NOT NULL, "householdId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "monitoringType" varchar(30) NOT NULL, "riskTypes" text NOT NULL, "startDate" varchar(10) NOT NULL, "assistanceContact" text NOT NULL, "status" varchar(20) NOT NULL, "inclusionCaseId" varchar(36) NOT NULL, "previousMonitoringObjectId" varchar(36), "verification" text NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`INSERT INTO "monitoring_objects"("id", "householdId", "areaCode", "monitoringType", "riskTypes", "startDate", "assistanceContact", "status", "inclusionCaseId", "previousMonitoringObjectId", "verification", "createdAt", "updatedAt") SELECT "id", "householdId", "areaCode", "monitoringType", "riskTypes", "startDate", "assistanceContact", "status", "inclusionCaseId", "previousMonitoringObjectId", "verification", "createdAt", "updatedAt" FROM "temporary_monitoring_objects"`);
        await queryRunner.query(`DROP TABLE "temporary_monitoring_objects"`);
        await queryRunner.query(`CREATE INDEX "IDX_d12c1f1c17d372677272189938" ON "monitoring_objects" ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_ed0689b5c07cd51ed593416be5" ON "monitoring_objects" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_63308469a0838c919757b621fe" ON "monitoring_objects" ("status") `);
        await queryRunner.query(`DROP INDEX "IDX_2d6a2bcf9b7a540569647f8319"`);
        await queryRunner.query(`DROP INDEX "IDX_d1acf102bcb6468ed95a845656"`);
        await queryRunner.query(`DROP TABLE "income_records"`);
        await queryRunner.query(`DROP INDEX "IDX_bde2e1c47c473b9291cd4e3a67"`);
        await queryRunner.query(`DROP INDEX "IDX_85db332095b63dccfd3c8f3f58"`);
        await queryRunner.query(`DROP TABLE "assistance_measures"`);
    }

}
