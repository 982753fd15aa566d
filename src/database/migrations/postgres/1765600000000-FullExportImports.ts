import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 (item 19): a household import can be declared the full export of the villages it
 * lists; members of those villages missing from it are then recorded as having left.
 */
export class FullExportImports1765600000000 implements MigrationInterface {
  name = 'FullExportImports1765600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "household_imports" ADD COLUMN "fullExport" boolean NOT NULL DEFAULT false`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "household_imports" DROP COLUMN "fullExport"`);
  }
}
