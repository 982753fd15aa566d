import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: every list query served by an index at a million cases. Area filters are prefix
 * matches (`areaCode LIKE '411003%'`), so the area columns are indexed with
 * varchar_pattern_ops, which serves LIKE whatever the database's collation; open cases (to-do
 * lists, overdue, open lists) have partial indexes of their own.
 */
export class ListIndexes1764300000001 implements MigrationInterface {
  name = 'ListIndexes1764300000001';

  public async up(q: QueryRunner): Promise<void> {
    // GET /tasks, GET /cases?status=open|overdue=true: open cases of an area, by deadline
    await q.query(`CREATE INDEX "IDX_cases_open_area" ON "cases" ("areaCode" varchar_pattern_ops, "deadlineAt") WHERE "closedAt" IS NULL`);
    await q.query(`CREATE INDEX "IDX_cases_open_procedure_state" ON "cases" ("procedure", "state", "areaCode" varchar_pattern_ops) WHERE "closedAt" IS NULL`);
    // GET /cases: an area's cases, newest first
    await q.query(`CREATE INDEX "IDX_cases_area_updated" ON "cases" ("areaCode" varchar_pattern_ops, "updatedAt")`);
    // GET /monitoring-objects?areaCode=&status=
    await q.query(`CREATE INDEX "IDX_monitoring_objects_area_status" ON "monitoring_objects" ("areaCode" varchar_pattern_ops, "status", "createdAt")`);
    // GET /tasks/done: the cases a user acted on
    await q.query(`CREATE INDEX "IDX_audit_entries_actor_case" ON "audit_entries" ("actorId", "caseId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const name of ['IDX_cases_open_area', 'IDX_cases_open_procedure_state', 'IDX_cases_area_updated', 'IDX_monitoring_objects_area_status', 'IDX_audit_entries_actor_case']) {
      await q.query(`DROP INDEX IF EXISTS "${name}"`);
    }
  }
}
