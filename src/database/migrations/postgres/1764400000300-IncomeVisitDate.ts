import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: an income record (a monitoring visit) states the day of the visit, kept beside
 * `recordedAt`, the moment it was entered. Old rows had no stated day: the best there is, the
 * day they were recorded (China time).
 */
export class IncomeVisitDate1764400000300 implements MigrationInterface {
  name = 'IncomeVisitDate1764400000300';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "income_records" ADD "visitDate" character varying(10)`);
    await q.query(`UPDATE "income_records" SET "visitDate" = to_char("recordedAt" AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`);
    await q.query(`ALTER TABLE "income_records" ALTER COLUMN "visitDate" SET NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "income_records" DROP COLUMN "visitDate"`);
  }
}
