import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: an income record (a monitoring visit) states the day of the visit, kept beside
 * `recordedAt`, the moment it was entered. Old rows had no stated day: the best there is, the
 * day they were recorded (China time). SQLite adds a NOT NULL column only with a default; the
 * service always writes the value.
 */
export class IncomeVisitDate1764400000300 implements MigrationInterface {
  name = 'IncomeVisitDate1764400000300';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "income_records" ADD COLUMN "visitDate" varchar(10) NOT NULL DEFAULT ('')`);
    await q.query(`UPDATE "income_records" SET "visitDate" = strftime('%Y-%m-%d', "recordedAt", '+8 hours')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "income_records" DROP COLUMN "visitDate"`);
  }
}
