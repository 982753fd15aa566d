import type { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1763800000000 implements MigrationInterface {
    name = 'InitialSchema1763800000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "areas" ("code" character varying(12) NOT NULL, "name" character varying(100) NOT NULL, "level" character varying(10) NOT NULL, "parentCode" character varying(12), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_1ce4e4f7cd8d820081bc74aa16c" PRIMARY KEY ("code"))`);
        await queryRunner.query(`CREATE INDEX "IDX_ed6549fe0ecfdc0f7dc4d93c15" ON "areas"  ("parentCode") `);
        await queryRunner.query(`CREATE TABLE "users" ("id" character varying(36) NOT NULL, "username" character varying(64) NOT NULL, "passwordHash" character varying(255) NOT NULL, "displayName" character varying(100) NOT NULL, "role" character varying(20) NOT NULL, "areaCode" character varying(12), "sector" character varying(30), "disabled" boolean NOT NULL DEFAULT false, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fe0bb3f6520ee0469504521e71" ON "users"  ("username") `);
        await queryRunner.query(`CREATE INDEX "IDX_ff6be44dc4bc63bdd1e981a41f" ON "users"  ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "policy_versions" ("id" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "version" integer NOT NULL, "effectiveFrom" TIMESTAMP WITH TIME ZONE NOT NULL, "values" text NOT NULL, "createdById" character varying(36), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_125d2970fc66a316f84af16812e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e251d6ea233fe26cf0c747b833" ON "policy_versions"  ("areaCode", "version") `);
        await queryRunner.query(`CREATE TABLE "households" ("id" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "householderName" character varying(50) NOT NULL, "address" character varying(200) NOT NULL, "isFormerlyPoor" boolean NOT NULL DEFAULT false, "createdById" character varying(36), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_2b1aef2640717132e9231aac756" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_7ed255a6d4152e6e15bfa2a479" ON "households"  ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "household_members" ("id" character varying(36) NOT NULL, "householdId" character varying(36) NOT NULL, "position" integer NOT NULL, "name" character varying(50) NOT NULL, "idNumber" character varying(18) NOT NULL, "relation" character varying(20) NOT NULL, "gender" character varying(10) NOT NULL, "birthDate" character varying(10) NOT NULL, "laborAbility" character varying(10) NOT NULL, "disability" text, "employment" character varying(10) NOT NULL, "phone" character varying(20), CONSTRAINT "PK_198055660706bdbea68909fdb01" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_640db19175e32080e5c6b94b6b" ON "household_members"  ("householdId") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_d7cc1e4c143a9ad447992ae917" ON "household_members"  ("idNumber") `);
        await queryRunner.query(`CREATE TABLE "monitoring_objects" ("id" character varying(36) NOT NULL, "householdId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "monitoringType" character varying(30) NOT NULL, "riskTypes" text NOT NULL, "startDate" character varying(10) NOT NULL, "assistanceContact" text NOT NULL, "status" character varying(20) NOT NULL, "inclusionCaseId" character varying(36) NOT NULL, "previousMonitoringObjectId" character varying(36), "verification" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f9bbea897465a57cc1643ae3f51" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_d12c1f1c17d372677272189938" ON "monitoring_objects"  ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_ed0689b5c07cd51ed593416be5" ON "monitoring_objects"  ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_63308469a0838c919757b621fe" ON "monitoring_objects"  ("status") `);
        await queryRunner.query(`CREATE TABLE "cases" ("id" character varying(36) NOT NULL, "procedure" character varying(40) NOT NULL, "machineId" character varying(40) NOT NULL, "machineVersion" integer NOT NULL, "version" integer NOT NULL, "state" character varying(40) NOT NULL, "snapshot" text NOT NULL, "areaCode" character varying(12) NOT NULL, "subjectType" character varying(20) NOT NULL, "subjectId" character varying(36) NOT NULL, "batchId" character varying(36), "policyVersionIds" text NOT NULL, "policyVersion" character varying(200) NOT NULL, "auditHead" character varying(64) NOT NULL, "createdById" character varying(36) NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "closedAt" TIMESTAMP WITH TIME ZONE, "deadlineAt" TIMESTAMP WITH TIME ZONE, "noticeStartsAt" TIMESTAMP WITH TIME ZONE, "noticeEndsAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_82ed9df27acae91de0ca00ea0e" ON "cases"  ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_34d0fcb29322016232d77ed6a1" ON "cases"  ("subjectId") `);
        await queryRunner.query(`CREATE INDEX "IDX_78313ba14f8033a6c5de9e1d1e" ON "cases"  ("batchId") `);
        await queryRunner.query(`CREATE INDEX "IDX_5983985ad937d07488a0445cf0" ON "cases"  ("createdById") `);
        await queryRunner.query(`CREATE INDEX "IDX_e22c62ced27a012021d7e7edf8" ON "cases"  ("deadlineAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_9ff0d762cb1575e7b3a3aa3f44" ON "cases"  ("noticeEndsAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_d8e9fbf45b3877993d605933cf" ON "cases"  ("procedure", "state") `);
        await queryRunner.query(`CREATE TABLE "audit_entries" ("caseId" character varying(36) NOT NULL, "seq" integer NOT NULL, "event" character varying(40) NOT NULL, "fromState" character varying(40), "toState" character varying(40) NOT NULL, "actorId" character varying(36) NOT NULL, "actorUsername" character varying(64) NOT NULL, "actorRole" character varying(20) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" text, "data" text NOT NULL, "evidence" text NOT NULL, "policyVersion" character varying(200) NOT NULL, "prevHash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, CONSTRAINT "PK_72018ea348e61800571f0bf984b" PRIMARY KEY ("caseId", "seq"))`);
        await queryRunner.query(`CREATE INDEX "IDX_a8456bc89d026672de07047358" ON "audit_entries"  ("actorId") `);
        await queryRunner.query(`CREATE TABLE "evidence" ("id" character varying(36) NOT NULL, "type" character varying(40) NOT NULL, "sha256" character varying(64) NOT NULL, "size" integer NOT NULL, "mimeType" character varying(100) NOT NULL, "fileName" character varying(255) NOT NULL, "uploadedById" character varying(36) NOT NULL, "areaCode" character varying(12), "uploadedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "caseId" character varying(36), "batchId" character varying(36), "usedInSeq" integer, CONSTRAINT "PK_b864cb5d49854f89917fc0b44b9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_c5634a775d5b27317434a8c635" ON "evidence"  ("sha256") `);
        await queryRunner.query(`CREATE INDEX "IDX_8498924d75e7a0a3b080b0f307" ON "evidence"  ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_b480fc72efeec527e31f6e06af" ON "evidence"  ("batchId") `);
        await queryRunner.query(`CREATE TABLE "timers" ("id" character varying(36) NOT NULL, "caseId" character varying(36) NOT NULL, "key" character varying(40) NOT NULL, "event" character varying(40) NOT NULL, "dueAt" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(12) NOT NULL, "scheduledAtVersion" integer NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "settledAt" TIMESTAMP WITH TIME ZONE, "note" text, CONSTRAINT "PK_d13ea0d2fe75274ca5a9576aae6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_ff434edf440381ff3be847b25f" ON "timers"  ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_6c4721cc256226790ca691f7b8" ON "timers"  ("status", "dueAt") `);
        await queryRunner.query(`CREATE TABLE "idempotency_records" ("userId" character varying(36) NOT NULL, "key" character varying(100) NOT NULL, "requestHash" character varying(64) NOT NULL, "caseId" character varying(36) NOT NULL, "response" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_89d2a440de6596598fe27fcf646" PRIMARY KEY ("userId", "key"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "idempotency_records"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_6c4721cc256226790ca691f7b8"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ff434edf440381ff3be847b25f"`);
        await queryRunner.query(`DROP TABLE "timers"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b480fc72efeec527e31f6e06af"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_8498924d75e7a0a3b080b0f307"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_c5634a775d5b27317434a8c635"`);
        await queryRunner.query(`DROP TABLE "evidence"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_a8456bc89d026672de07047358"`);
        await queryRunner.query(`DROP TABLE "audit_entries"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_d8e9fbf45b3877993d605933cf"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_9ff0d762cb1575e7b3a3aa3f44"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e22c62ced27a012021d7e7edf8"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_5983985ad937d07488a0445cf0"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_78313ba14f8033a6c5de9e1d1e"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_34d0fcb29322016232d77ed6a1"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_82ed9df27acae91de0ca00ea0e"`);
        await queryRunner.query(`DROP TABLE "cases"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_63308469a0838c919757b621fe"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ed0689b5c07cd51ed593416be5"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_d12c1f1c17d372677272189938"`);
        await queryRunner.query(`DROP TABLE "monitoring_objects"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_d7cc1e4c143a9ad447992ae917"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_640db19175e32080e5c6b94b6b"`);
        await queryRunner.query(`DROP TABLE "household_members"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_7ed255a6d4152e6e15bfa2a479"`);
        await queryRunner.query(`DROP TABLE "households"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e251d6ea233fe26cf0c747b833"`);
        await queryRunner.query(`DROP TABLE "policy_versions"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ff6be44dc4bc63bdd1e981a41f"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_fe0bb3f6520ee0469504521e71"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ed6549fe0ecfdc0f7dc4d93c15"`);
        await queryRunner.query(`DROP TABLE "areas"`);
    }

}
