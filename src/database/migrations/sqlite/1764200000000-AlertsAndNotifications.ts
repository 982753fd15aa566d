import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 6: department alert imports and their rows, notifications (outbox), webhooks and their
 * deliveries, periodic job runs; at most one open inclusion case per household.
 */
export class AlertsAndNotifications1764200000000 implements MigrationInterface {
  name = 'AlertsAndNotifications1764200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "alert_imports" ("id" varchar(36) NOT NULL, "areaCode" varchar(12) NOT NULL, "source" varchar(30) NOT NULL, "fileName" varchar(255) NOT NULL, "format" varchar(10) NOT NULL, "sha256" varchar(64) NOT NULL, "size" integer NOT NULL, "content" blob NOT NULL, "status" varchar(12) NOT NULL, "rowsTotal" integer, "rowsDone" integer NOT NULL DEFAULT 0, "counts" text NOT NULL, "error" text, "sameFileAs" varchar(36), "uploadedById" varchar(36) NOT NULL, "uploadedByUsername" varchar(64) NOT NULL, "uploadedByRole" varchar(20) NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, "startedAt" datetime, "finishedAt" datetime, CONSTRAINT "PK_alert_imports" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_alert_imports_area" ON "alert_imports" ("areaCode")`);
    await q.query(`CREATE INDEX "IDX_alert_imports_sha" ON "alert_imports" ("sha256")`);
    await q.query(`CREATE INDEX "IDX_alert_imports_status" ON "alert_imports" ("status")`);
    await q.query(`CREATE TABLE "alert_import_rows" ("importId" varchar(36) NOT NULL, "rowNumber" integer NOT NULL, "idNumber" varchar(40) NOT NULL, "name" varchar(50) NOT NULL, "areaCode" varchar(20) NOT NULL, "source" varchar(30) NOT NULL, "outcome" varchar(20) NOT NULL, "errors" text, "householdId" varchar(36), "villageCode" varchar(12), "caseId" varchar(36), CONSTRAINT "PK_alert_import_rows" PRIMARY KEY ("importId", "rowNumber"))`);
    await q.query(`CREATE INDEX "IDX_alert_import_rows_household" ON "alert_import_rows" ("householdId")`);
    await q.query(`CREATE TABLE "notifications" ("id" varchar(36) NOT NULL, "userId" varchar(36) NOT NULL, "kind" varchar(30) NOT NULL, "title" varchar(200) NOT NULL, "message" text NOT NULL, "areaCode" varchar(12) NOT NULL, "caseId" varchar(36), "procedure" varchar(40), "data" text NOT NULL, "createdAt" datetime NOT NULL, "readAt" datetime, CONSTRAINT "PK_notifications" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_notifications_user" ON "notifications" ("userId", "readAt", "createdAt")`);
    await q.query(`CREATE INDEX "IDX_notifications_case" ON "notifications" ("caseId")`);
    await q.query(`CREATE TABLE "webhooks" ("id" varchar(36) NOT NULL, "areaCode" varchar(12), "url" varchar(500) NOT NULL, "secret" varchar(200) NOT NULL, "events" text NOT NULL, "active" boolean NOT NULL DEFAULT (1), "createdById" varchar(36) NOT NULL, "createdAt" datetime NOT NULL, "updatedAt" datetime NOT NULL, CONSTRAINT "PK_webhooks" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_webhooks_area" ON "webhooks" ("areaCode")`);
    await q.query(`CREATE TABLE "webhook_deliveries" ("id" varchar(36) NOT NULL, "webhookId" varchar(36) NOT NULL, "event" varchar(40) NOT NULL, "body" text NOT NULL, "status" varchar(12) NOT NULL, "attempts" integer NOT NULL DEFAULT 0, "nextAttemptAt" datetime NOT NULL, "lockedUntil" datetime, "lastStatusCode" integer, "lastError" text, "createdAt" datetime NOT NULL, "deliveredAt" datetime, CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_webhook" ON "webhook_deliveries" ("webhookId")`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_status" ON "webhook_deliveries" ("status", "nextAttemptAt")`);
    await q.query(`CREATE TABLE "job_runs" ("name" varchar(40) NOT NULL, "period" varchar(20) NOT NULL, "ranAt" datetime NOT NULL, "result" text NOT NULL, CONSTRAINT "PK_job_runs" PRIMARY KEY ("name", "period"))`);
    // the adapter's check-then-insert could let a race through before: name what must be closed first
    const twins: Array<{ subjectId: string; n: number | string }> = await q.query(
      `SELECT "subjectId", COUNT(*) AS n FROM "cases" WHERE "procedure" = 'monitoring-inclusion' AND "closedAt" IS NULL GROUP BY "subjectId" HAVING COUNT(*) > 1`,
    );
    if (twins.length) {
      throw new Error(`households with more than one open monitoring-inclusion case (close all but one, then start again): ${twins.map((t) => t.subjectId).join(', ')}`);
    }
    await q.query(`CREATE UNIQUE INDEX "UQ_cases_open_inclusion" ON "cases" ("subjectId") WHERE "procedure" = 'monitoring-inclusion' AND "closedAt" IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_cases_open_inclusion"`);
    for (const t of ['job_runs', 'webhook_deliveries', 'webhooks', 'notifications', 'alert_import_rows', 'alert_imports']) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
