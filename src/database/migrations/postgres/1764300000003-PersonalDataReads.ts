import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11: every unmasked read of a household's ID numbers and phones. */
export class PersonalDataReads1764300000003 implements MigrationInterface {
  name = 'PersonalDataReads1764300000003';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "personal_data_reads" ("id" character varying(36) NOT NULL, "userId" character varying(36) NOT NULL, "username" character varying(64) NOT NULL, "role" character varying(20) NOT NULL, "householdId" character varying(36) NOT NULL, "areaCode" character varying(12) NOT NULL, "purpose" character varying(100) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_personal_data_reads" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_personal_data_reads_area_at" ON "personal_data_reads" ("areaCode", "at")`);
    await q.query(`CREATE INDEX "IDX_personal_data_reads_household" ON "personal_data_reads" ("householdId")`);
    await q.query(`CREATE INDEX "IDX_personal_data_reads_user" ON "personal_data_reads" ("userId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "personal_data_reads"`);
  }
}
