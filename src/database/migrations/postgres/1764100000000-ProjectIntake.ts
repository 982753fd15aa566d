import type { MigrationInterface, QueryRunner } from "typeorm";

export class ProjectIntake1764100000000 implements MigrationInterface {
    name = 'ProjectIntake1764100000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "projects" ("id" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "name" character varying(100) NOT NULL, "category" character varying(40) NOT NULL, "year" integer NOT NULL, "status" character varying(20) NOT NULL, "totalBudget" double precision NOT NULL, "linkageFunds" double precision NOT NULL, "content" text NOT NULL, "version" integer NOT NULL, "applicationCaseId" character varying(36) NOT NULL, "changeCaseId" character varying(36), "enteredAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_22611978869ac4a34bd7a97fc1" ON "projects"  ("category") `);
        await queryRunner.query(`CREATE INDEX "IDX_a27865a7be17886e3088f4a650" ON "projects"  ("status") `);
        await queryRunner.query(`CREATE INDEX "IDX_3e74e8c1ca906fd1d01a48acf2" ON "projects"  ("areaCode", "year") `);
        await queryRunner.query(`CREATE TABLE "project_versions" ("id" character varying(36) NOT NULL, "projectId" character varying(36) NOT NULL, "version" integer NOT NULL, "caseId" character varying(36) NOT NULL, "year" integer NOT NULL, "content" text NOT NULL, "enteredAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0933adf663634f5c8c335e7b5e4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_f3f5ec2aef1172978c98020ad5" ON "project_versions"  ("projectId", "version") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_f3f5ec2aef1172978c98020ad5"`);
        await queryRunner.query(`DROP TABLE "project_versions"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_3e74e8c1ca906fd1d01a48acf2"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_a27865a7be17886e3088f4a650"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_22611978869ac4a34bd7a97fc1"`);
        await queryRunner.query(`DROP TABLE "projects"`);
    }

}
