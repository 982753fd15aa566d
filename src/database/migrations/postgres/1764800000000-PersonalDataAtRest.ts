import type { MigrationInterface, QueryRunner } from 'typeorm';
import { decryptPersonalData, encryptPersonalData } from '../shared/pii-at-rest';

/**
 * Issue 11 (PIPL): ID numbers and phones encrypted at rest (AES-256-GCM, `v1:<keyId>:…`), the
 * unique index moved from the ID number to its keyed hash `idNumberHash`.
 */
export class PersonalDataAtRest1764800000000 implements MigrationInterface {
  name = 'PersonalDataAtRest1764800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "household_members" ADD "idNumberHash" character varying(64)`);
    await q.query(`ALTER TABLE "household_members" ALTER COLUMN "idNumber" TYPE character varying(200)`);
    await q.query(`ALTER TABLE "household_members" ALTER COLUMN "phone" TYPE character varying(200)`);
    await q.query(`ALTER TABLE "households" ALTER COLUMN "phone" TYPE character varying(200)`);
    await q.query(`ALTER TABLE "alert_import_rows" ALTER COLUMN "idNumber" TYPE character varying(200)`);
    await q.query(`ALTER TABLE "household_import_rows" ALTER COLUMN "idNumber" TYPE character varying(200)`);
    await q.query(`DROP INDEX "IDX_d7cc1e4c143a9ad447992ae917"`);
    await encryptPersonalData(q, true);
    await q.query(`ALTER TABLE "household_members" ALTER COLUMN "idNumberHash" SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "UQ_household_members_idNumberHash" ON "household_members" ("idNumberHash")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // needs the keys the rows were written under (PII_KEYS)
    await decryptPersonalData(q, true);
    await q.query(`DROP INDEX "UQ_household_members_idNumberHash"`);
    await q.query(`ALTER TABLE "household_members" DROP COLUMN "idNumberHash"`);
    await q.query(`CREATE UNIQUE INDEX "IDX_d7cc1e4c143a9ad447992ae917" ON "household_members" ("idNumber")`);
    await q.query(`ALTER TABLE "household_members" ALTER COLUMN "idNumber" TYPE character varying(18)`);
    await q.query(`ALTER TABLE "household_members" ALTER COLUMN "phone" TYPE character varying(20)`);
    await q.query(`ALTER TABLE "households" ALTER COLUMN "phone" TYPE character varying(20)`);
    await q.query(`ALTER TABLE "alert_import_rows" ALTER COLUMN "idNumber" TYPE character varying(40)`);
    await q.query(`ALTER TABLE "household_import_rows" ALTER COLUMN "idNumber" TYPE character varying(40)`);
  }
}
