import type { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1763800000000 implements MigrationInterface {
    name = 'InitialSchema1763800000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "areas" ("code" varchar(12) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "level" varchar(10) NOT NULL, "parentCode" varchar(12), "createdAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_ed6549fe0ecfdc0f7dc4d93c15" ON "areas" ("parentCode") `);
        await queryRunner.query(`CREATE TABLE "users" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(64) NOT NULL, "passwordHash" varchar(255) NOT NULL, "displayName" varchar(100) NOT NULL, "role" varchar(20) NOT NULL, "areaCode" varchar(12), "sector" varchar(30), "disabled" boolean NOT NULL DEFAULT (0), "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_fe0bb3f6520ee0469504521e71" ON "users" ("username") `);
        await queryRunner.query(`CREATE INDEX "IDX_ff6be44dc4bc63bdd1e981a41f" ON "users" ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "policy_versions" ("id" varchar(36) PRIMARY KEY NOT NULL, "areaCode" varchar(12) NOT NULL, "version" integer NOT NULL, "effectiveFrom" datetime NOT NULL, "values" text NOT NULL, "createdById" varchar(36), "createdAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e251d6ea233fe26cf0c747b833" ON "policy_versions" ("areaCode", "version") `);
        await queryRunner.query(`CREATE TABLE "households" ("id" varchar(36) PRIMARY KEY NOT NULL, "areaCode" varchar(12) NOT NULL, "householderName" varchar(50) NOT NULL, "address" varchar(200) NOT NULL, "isFormerlyPoor" boolean NOT NULL DEFAULT (0), "createdById" varchar(36), "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_7ed255a6d4152e6e15bfa2a479" ON "households" ("areaCode") `);
        await queryRunner.query(`CREATE TABLE "household_members" ("id" varchar(36) PRIMARY KEY NOT NULL, "householdId" varchar(36) NOT NULL, "position" integer NOT NULL, "name" varchar(50) NOT NULL, "idNumber" varchar(18) NOT NULL, "relation" varchar(20) NOT NULL, "gender" varchar(10) NOT NULL, "birthDate" varchar(10) NOT NULL, "laborAbility" varchar(10) NOT NULL, "disability" text, "employment" varchar(10) NOT NULL, "phone" varchar(20))`);
        await queryRunner.query(`CREATE INDEX "IDX_640db19175e32080e5c6b94b6b" ON "household_members" ("householdId") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_d7cc1e4c143a9ad447992ae917" ON "household_members" ("idNumber") `);
        await queryRunner.query(`CREATE TABLE "monitoring_objects" ("id" varchar(36) PRIMARY KEY NOT NULL, "householdId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "monitoringType" varchar(30) NOT NULL, "riskTypes" text NOT NULL, "startDate" varchar(10) NOT NULL, "assistanceContact" text NOT NULL, "status" varchar(20) NOT NULL, "inclusionCaseId" varchar(36) NOT NULL, "previousMonitoringObjectId" varchar(36), "verification" text NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_d12c1f1c17d372677272189938" ON "monitoring_objects" ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_ed0689b5c07cd51ed593416be5" ON "monitoring_objects" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_63308469a0838c919757b621fe" ON "monitoring_objects" ("status") `);
        await queryRunner.query(`CREATE TABLE "cases" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure" varchar(40) NOT NULL, "machineId" varchar(40) NOT NULL, "machineVersion" integer NOT NULL, "version" integer NOT NULL, "state" varchar(40) NOT NULL, "snapshot" text NOT NULL, "areaCode" varchar(12) NOT NULL, "subjectType" varchar(20) NOT NULL, "subjectId" varchar(36) NOT NULL, "batchId" varchar(36), "policyVersionIds" text NOT NULL, "policyVersion" varchar(200) NOT NULL, "auditHead" varchar(64) NOT NULL, "createdById" varchar(36) NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, "closedAt" datetime, "deadlineAt" datetime, "noticeStartsAt" datetime, "noticeEndsAt" datetime)`);
        await queryRunner.query(`CREATE INDEX "IDX_82ed9df27acae91de0ca00ea0e" ON "cases" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_34d0fcb29322016232d77ed6a1" ON "cases" ("subjectId") `);
        await queryRunner.query(`CREATE INDEX "IDX_78313ba14f8033a6c5de9e1d1e" ON "cases" ("batchId") `);
        await queryRunner.query(`CREATE INDEX "IDX_5983985ad937d07488a0445cf0" ON "cases" ("createdById") `);
        await queryRunner.query(`CREATE INDEX "IDX_e22c62ced27a012021d7e7edf8" ON "cases" ("deadlineAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_9ff0d762cb1575e7b3a3aa3f44" ON "cases" ("noticeEndsAt") `);
        await queryRunner.query(`CREATE INDEX "IDX_d8e9fbf45b3877993d605933cf" ON "cases" ("procedure", "state") `);
        await queryRunner.query(`CREATE TABLE "audit_entries" ("caseId" varchar(36) NOT NULL, "seq" integer NOT NULL, "event" varchar(40) NOT NULL, "fromState" varchar(40), "toState" varchar(40) NOT NULL, "actorId" varchar(36) NOT NULL, "actorUsername" varchar(64) NOT NULL, "actorRole" varchar(20) NOT NULL, "at" datetime NOT NULL, "reason" text, "data" text NOT NULL, "evidence" text NOT NULL, "policyVersion" varchar(200) NOT NULL, "prevHash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("caseId", "seq"))`);
        await queryRunner.query(`CREATE INDEX "IDX_a8456bc89d026672de07047358" ON "audit_entries" ("actorId") `);
        await queryRunner.query(`CREATE TABLE "evidence" ("id" varchar(36) PRIMARY KEY NOT NULL, "type" varchar(40) NOT NULL, "sha256" varchar(64) NOT NULL, "size" integer NOT NULL, "mimeType" varchar(100) NOT NULL, "fileName" varchar(255) NOT NULL, "uploadedById" varchar(36) NOT NULL, "areaCode" varchar(12), "uploadedAt" datetime NOT NULL, "caseId" varchar(36), "batchId" varchar(36), "usedInSeq" integer)`);
        await queryRunner.query(`CREATE INDEX "IDX_c5634a775d5b27317434a8c635" ON "evidence" ("sha256") `);
        await queryRunner.query(`CREATE INDEX "IDX_8498924d75e7a0a3b080b0f307" ON "evidence" ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_b480fc72efeec527e31f6e06af" ON "evidence" ("batchId") `);
        await queryRunner.query(`CREATE TABLE "timers" ("id" varchar(36) PRIMARY KEY NOT NULL, "caseId" varchar(36) NOT NULL, "key" varchar(40) NOT NULL, "event" varchar(40) NOT NULL, "dueAt" datetime NOT NULL, "status" varchar(12) NOT NULL, "scheduledAtVersion" integer NOT NULL, "createdAt" datetime NOT NULL, "settledAt" datetime, "note" text)`);
        await queryRunner.query(`CREATE INDEX "IDX_ff434edf440381ff3be847b25f" ON "timers" ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_6c4721cc256226790ca691f7b8" ON "timers" ("status", "dueAt") `);
        await queryRunner.query(`CREATE TABLE "idempotency_records" ("userId" varchar(36) NOT NULL, "key" varchar(100) NOT NULL, "requestHash" varchar(64) NOT NULL, "caseId" varchar(36) NOT NULL, "response" text NOT NULL, "createdAt" datetime NOT NULL, PRIMARY KEY ("userId", "key"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "idempotency_records"`);
        await queryRunner.query(`DROP INDEX "IDX_6c4721cc256226790ca691f7b8"`);
        await queryRunner.query(`DROP INDEX "IDX_ff434edf440381ff3be847b25f"`);
        await queryRunner.query(`DROP TABLE "timers"`);
        await queryRunner.query(`DROP INDEX "IDX_b480fc72efeec527e31f6e06af"`);
        await queryRunner.query(`DROP INDEX "IDX_8498924d75e7a0a3b080b0f307"`);
        await queryRunner.query(`DROP INDEX "IDX_c5634a775d5b27317434a8c635"`);
        await queryRunner.query(`DROP TABLE "evidence"`);
        await queryRunner.query(`DROP INDEX "IDX_a8456bc89d026672de07047358"`);
        await queryRunner.query(`DROP TABLE "audit_entries"`);
        await queryRunner.query(`DROP INDEX "IDX_d8e9fbf45b3877993d605933cf"`);
        await queryRunner.query(`DROP INDEX "IDX_9ff0d762cb1575e7b3a3aa3f44"`);
        await queryRunner.query(`DROP INDEX "IDX_e22c62ced27a012021d7e7edf8"`);
        await queryRunner.query(`DROP INDEX "IDX_5983985ad937d07488a0445cf0"`);
        await queryRunner.query(`DROP INDEX "IDX_78313ba14f8033a6c5de9e1d1e"`);
        await queryRunner.query(`DROP INDEX "IDX_34d0fcb29322016232d77ed6a1"`);
        await queryRunner.query(`DROP INDEX "IDX_82ed9df27acae91de0ca00ea0e"`);
        await queryRunner.query(`DROP TABLE "cases"`);
        await queryRunner.query(`DROP INDEX "IDX_63308469a0838c919757b621fe"`);
        await queryRunner.query(`DROP INDEX "IDX_ed0689b5c07cd51ed593416be5"`);
        await queryRunner.query(`DROP INDEX "IDX_d12c1f1c17d372677272189938"`);
        await queryRunner.query(`DROP TABLE "monitoring_objects"`);
        await queryRunner.query(`DROP INDEX "IDX_d7cc1e4c143a9ad447992ae917"`);
        await queryRunner.query(`DROP INDEX "IDX_640db19175e32080e5c6b94b6b"`);
        await queryRunner.query(`DROP TABLE "household_members"`);
        await queryRunner.query(`DROP INDEX "IDX_7ed255a6d4152e6e15bfa2a479"`);
        await queryRunner.query(`DROP TABLE "households"`);
        await queryRunner.query(`DROP INDEX "IDX_e251d6ea233fe26cf0c747b833"`);
        await queryRunner.query(`DROP TABLE "policy_versions"`);
        await queryRunner.query(`DROP INDEX "IDX_ff6be44dc4bc63bdd1e981a41f"`);
        await queryRunner.query(`DROP INDEX "IDX_fe0bb3f6520ee0469504521e71"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "IDX_ed6549fe0ecfdc0f7dc4d93c15"`);
        await queryRunner.query(`DROP TABLE "areas"`);
    }

}
