import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 (重复报账, SF-23): one live payment request per invoice in a county. The county and
 * the invoice's key (no blanks, upper case) are columns of their own, filled for the rows already
 * there; the partial unique index holds them while a request is draft, submitted or paid (a
 * rejected or withdrawn request frees its invoice). A database that already holds the same
 * invoice on two live requests of a county stops here, on purpose: someone must look at them.
 */
export class InvoiceOncePerCounty1765400000000 implements MigrationInterface {
  name = 'InvoiceOncePerCounty1765400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "project_payments" ADD COLUMN "countyCode" varchar(12) NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE "project_payments" ADD COLUMN "invoiceKey" varchar(60) NOT NULL DEFAULT ''`);
    await q.query(`UPDATE "project_payments" SET "countyCode" = substr("areaCode", 1, 6) || '000000', "invoiceKey" = upper(replace(replace(replace(replace("invoiceNo", ' ', ''), char(9), ''), char(10), ''), char(13), ''))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_project_payments_county_invoice" ON "project_payments" ("countyCode", "invoiceKey") WHERE "status" IN ('draft', 'submitted', 'paid')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_project_payments_county_invoice"`);
    await q.query(`ALTER TABLE "project_payments" DROP COLUMN "invoiceKey"`);
    await q.query(`ALTER TABLE "project_payments" DROP COLUMN "countyCode"`);
  }
}
