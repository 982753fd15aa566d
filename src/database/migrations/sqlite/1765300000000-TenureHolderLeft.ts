import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 (SF-15): a post tenure is flagged when its holder leaves the household (death, 迁出,
 * 婚出): the day and the kind, until the township ends the tenure through the engine. Attendance
 * for months after the day is refused (`holder_in_household`).
 */
export class TenureHolderLeft1765300000000 implements MigrationInterface {
  name = 'TenureHolderLeft1765300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "welfare_post_tenures" ADD COLUMN "holderLeftOn" varchar(10)`);
    await q.query(`ALTER TABLE "welfare_post_tenures" ADD COLUMN "holderLeftKind" varchar(20)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "welfare_post_tenures" DROP COLUMN "holderLeftKind"`);
    await q.query(`ALTER TABLE "welfare_post_tenures" DROP COLUMN "holderLeftOn"`);
  }
}
