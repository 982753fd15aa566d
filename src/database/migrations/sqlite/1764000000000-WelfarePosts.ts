import type { MigrationInterface, QueryRunner } from "typeorm";

/** Posts, post holders and monthly attendance (issue 4); attendance rows are insert-only (SF-16, SF-24). */

export class WelfarePosts1764000000000 implements MigrationInterface {
    name = 'WelfarePosts1764000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "welfare_posts" ("id" varchar(36) PRIMARY KEY NOT NULL, "settingCaseId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "postType" varchar(30) NOT NULL, "places" integer NOT NULL, "filled" integer NOT NULL DEFAULT (0), "duties" text NOT NULL, "monthlySubsidy" numeric(12,2) NOT NULL, "termMonths" integer NOT NULL, "status" varchar(10) NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, "closedAt" datetime)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1d44a9c34cce085666c8d9d560" ON "welfare_posts" ("settingCaseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_50ec8f9390240a791e9fc514fe" ON "welfare_posts" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_5e4c4fa0466713231e3800719f" ON "welfare_posts" ("areaCode", "postType", "status") `);
        await queryRunner.query(`CREATE TABLE "welfare_post_tenures" ("id" varchar(36) PRIMARY KEY NOT NULL, "caseId" varchar(36) NOT NULL, "postId" varchar(36) NOT NULL, "memberId" varchar(36) NOT NULL, "householdId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "status" varchar(12) NOT NULL, "startDate" varchar(10), "endDate" varchar(10), "exitKind" varchar(12), "exitReason" varchar(30), "exitedAt" datetime, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_16374baab2d3e78170c025390a" ON "welfare_post_tenures" ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_d8508bac1765fd2ed4bc05125a" ON "welfare_post_tenures" ("postId") `);
        await queryRunner.query(`CREATE INDEX "IDX_f190abb44a1b812fb049b8fb84" ON "welfare_post_tenures" ("memberId") `);
        await queryRunner.query(`CREATE INDEX "IDX_c0e81cdd4a68f2bfea6d81d938" ON "welfare_post_tenures" ("householdId") `);
        await queryRunner.query(`CREATE INDEX "IDX_30e5f2a710b9e2394d6e005ba8" ON "welfare_post_tenures" ("areaCode") `);
        await queryRunner.query(`CREATE INDEX "IDX_c515b00f70e1b9d0f219326574" ON "welfare_post_tenures" ("status") `);
        await queryRunner.query(`CREATE TABLE "welfare_post_attendance" ("id" varchar(36) PRIMARY KEY NOT NULL, "tenureId" varchar(36) NOT NULL, "caseId" varchar(36) NOT NULL, "postId" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "month" varchar(7) NOT NULL, "revision" integer NOT NULL, "daysWorked" integer NOT NULL, "subsidy" numeric(12,2) NOT NULL, "monthlySubsidy" numeric(12,2) NOT NULL, "minDays" integer NOT NULL, "partialRatio" numeric(5,4) NOT NULL, "correction" boolean NOT NULL DEFAULT (0), "reason" text, "evidenceIds" text NOT NULL, "auditSeq" integer NOT NULL, "recordedById" varchar(36) NOT NULL, "recordedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_d5acd442312b60819d1c6d641c" ON "welfare_post_attendance" ("tenureId") `);
        await queryRunner.query(`CREATE INDEX "IDX_2d2feb062c63ffbe3b354686c2" ON "welfare_post_attendance" ("caseId") `);
        await queryRunner.query(`CREATE INDEX "IDX_4d590ac8881cf03ee5739ce743" ON "welfare_post_attendance" ("areaCode") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_f845358ff022f9e6250752a739" ON "welfare_post_attendance" ("tenureId", "month", "revision") `);
        await queryRunner.query(`CREATE TRIGGER welfare_post_attendance_no_update BEFORE UPDATE ON welfare_post_attendance
      BEGIN SELECT RAISE(ABORT, 'welfare_post_attendance is insert-only: a correction is a new revision'); END`);
        await queryRunner.query(`CREATE TRIGGER welfare_post_attendance_no_delete BEFORE DELETE ON welfare_post_attendance
      BEGIN SELECT RAISE(ABORT, 'welfare_post_attendance is insert-only: a correction is a new revision'); END`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER welfare_post_attendance_no_update`);
        await queryRunner.query(`DROP TRIGGER welfare_post_attendance_no_delete`);
        await queryRunner.query(`DROP INDEX "IDX_f845358ff022f9e6250752a739"`);
        await queryRunner.query(`DROP INDEX "IDX_4d590ac8881cf03ee5739ce743"`);
        await queryRunner.query(`DROP INDEX "IDX_2d2feb062c63ffbe3b354686c2"`);
        await queryRunner.query(`DROP INDEX "IDX_d5acd442312b60819d1c6d641c"`);
        await queryRunner.query(`DROP TABLE "welfare_post_attendance"`);
        await queryRunner.query(`DROP INDEX "IDX_c515b00f70e1b9d0f219326574"`);
        await queryRunner.query(`DROP INDEX "IDX_30e5f2a710b9e2394d6e005ba8"`);
        await queryRunner.query(`DROP INDEX "IDX_c0e81cdd4a68f2bfea6d81d938"`);
        await queryRunner.query(`DROP INDEX "IDX_f190abb44a1b812fb049b8fb84"`);
        await queryRunner.query(`DROP INDEX "IDX_d8508bac1765fd2ed4bc05125a"`);
        await queryRunner.query(`DROP INDEX "IDX_16374baab2d3e78170c025390a"`);
        await queryRunner.query(`DROP TABLE "welfare_post_tenures"`);
        await queryRunner.query(`DROP INDEX "IDX_5e4c4fa0466713231e3800719f"`);
        await queryRunner.query(`DROP INDEX "IDX_50ec8f9390240a791e9fc514fe"`);
        await queryRunner.query(`DROP INDEX "IDX_1d44a9c34cce085666c8d9d560"`);
        await queryRunner.query(`DROP TABLE "welfare_posts"`);
    }

}
