import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20: 退出登录 ends the account's tokens on the service (POST /auth/logout): every token
 * issued at or before this instant is refused from then on, on every instance (the users table's
 * change feed empties the cached account).
 */
export class UserTokensEnded1765900000000 implements MigrationInterface {
  name = 'UserTokensEnded1765900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD COLUMN "tokensEndedAt" datetime`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "tokensEndedAt"`);
  }
}
