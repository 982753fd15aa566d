import type { MigrationInterface, QueryRunner } from "typeorm";

export class ProjectIntake1764100000000 implements MigrationInterface {
    name = 'ProjectIntake1764100000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "projects" ("id" varchar(36) PRIMARY KEY NOT NULL, "areaCode" varchar(12) NOT NULL, "name" varchar(100) NOT NULL, "category" varchar(40) NOT NULL, "year" integer NOT NULL, "status" varchar(20) NOT NULL, "totalBudget" double precision NOT NULL, "linkageFunds" double precision NOT NULL, "content" text NOT NULL, "version" integer NOT NULL, "applicationCaseId" varchar(36) NOT NULL, "changeCaseId" varchar(36), "enteredAt" datetime, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE INDEX "IDX_22611978869ac4a34bd7a97fc1" ON "projects" ("category") `);
        await queryRunner.query(`CREATE INDEX "IDX_a27865a7be17886e3088f4a650" ON "projects" ("status") `);
        await queryRunner.query(`CREATE INDEX "IDX_3e74e8c1ca906fd1d01a48acf2" ON "projects" ("areaCode", "year") `);
        await queryRunner.query(`CREATE TABLE "project_versions" ("id" varchar(36) PRIMARY KEY NOT NULL, "projectId" varchar(36) NOT NULL, "version" integer NOT NULL, "caseId" varchar(36) NOT NULL, "year" integer NOT NULL, "content" text NOT NULL, "enteredAt" datetime NOT NULL)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_f3f5ec2aef1172978c98020ad5" ON "project_versions" ("projectId", "version") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_f3f5ec2aef1172978c98020ad5"`);
        await queryRunner.query(`DROP TABLE "project_versions"`);
        await queryRunner.query(`DROP INDEX "IDX_3e74e8c1ca906fd1d01a48acf2"`);
        await queryRunner.query(`DROP INDEX "IDX_a27865a7be17886e3088f4a650"`);
        await queryRunner.query(`DROP INDEX "IDX_22611978869ac4a34bd7a97fc1"`);
        await queryRunner.query(`DROP TABLE "projects"`);
    }

}
