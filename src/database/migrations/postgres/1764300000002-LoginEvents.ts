import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11: every login attempt, for the throttle and for admins to read. */
export class LoginEvents1764300000002 implements MigrationInterface {
  name = 'LoginEvents1764300000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "login_events" ("id" character varying(36) NOT NULL, "username" character varying(64) NOT NULL, "userId" character varying(36), "areaCode" character varying(12), "ip" character varying(64) NOT NULL, "outcome" character varying(20) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_login_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_login_events_username_at" ON "login_events" ("username", "at")`);
    await q.query(`CREATE INDEX "IDX_login_events_ip_at" ON "login_events" ("ip", "at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "login_events"`);
  }
}
