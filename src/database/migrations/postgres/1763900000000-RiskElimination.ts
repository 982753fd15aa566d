import type { MigrationInterface, QueryRunner } from "typeorm";

export class RiskElimination1763900000000 implements MigrationInterface {
    name = 'RiskElimination1763900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "assistance_measures" ("id" character varying(36) NOT NULL, "monitoringObjectId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "type" character varying(30) NOT NULL, "description" text NOT NULL, "date" character varying(10) NOT NULL, "riskTypes" text NOT NULL, "recordedById" character varying(36) NOT NULL, "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8fe753de69c575fdad418bf6822" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_85db332095b63dccfd3c8f3f58" ON "assistance_measures"  ("monitoringObjectId") `);
        await queryRunner.query(`CREATE INDEX "IDX_bde2e1c47c473b9291cd4e3a67" ON "assistance_measures"  ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "income_records" ("id" character varying(36) NOT NULL, "householdId" character varying(36) NOT NULL, "caseId" character varying(36), "record" text NOT NULL, "perCapitaNetIncome" double precision NOT NULL, "incomeLine" double precision NOT NULL, "guaranteesSecure" boolean NOT NULL, "recordedById" character varying(36) NOT NULL, "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_4ac197a85317ab0af01c7fa19e2" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_d1acf102bcb6468ed95a845656" ON "income_records"  ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_2d6a2bcf9b7a540569647f8319" ON "income_records"  ("recordedAt") `);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" ADD "eliminatedAt" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" ADD "eliminationType" character varying(20)`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" ADD "eliminationCaseId" character varying(36)`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" ADD "rolledBackAt" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" ADD "rollbackCaseId" character varying(36)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "monitoring_objects" DROP COLUMN "rollbackCaseId"`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" DROP COLUMN "rolledBackAt"`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" DROP COLUMN "eliminationCaseId"`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" DROP COLUMN "eliminationType"`);
        await queryRunner.query(`ALTER TABLE "monitoring_objects" DROP COLUMN "eliminatedAt"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_2d6a2bcf9b7a540569647f8319"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_d1acf102bcb6468ed95a845656"`);
        await queryRunner.query(`DROP TABLE "income_records"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_bde2e1c47c473b9291cd4e3a67"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_85db332095b63dccfd3c8f3f58"`);
        await queryRunner.query(`DROP TABLE "assistance_measures"`);
    }

}
