import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11: every login attempt, for the throttle and for admins to read. */
export class LoginEvents1764300000002 implements MigrationInterface {
  name = 'LoginEvents1764300000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "login_events" ("id" varchar(36) NOT NULL, "username" varchar(64) NOT NULL, "userId" varchar(36), "areaCode" varchar(12), "ip" varchar(64) NOT NULL, "outcome" varchar(20) NOT NULL, "at" datetime NOT NULL, CONSTRAINT "PK_login_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_login_events_username_at" ON "login_events" ("username", "at")`);
    await q.query(`CREATE INDEX "IDX_login_events_ip_at" ON "login_events" ("ip", "at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "login_events"`);
  }
}
