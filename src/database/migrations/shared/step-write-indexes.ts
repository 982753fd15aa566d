import type { QueryRunner } from 'typeorm';

/**
 * Issue 21: fewer index entries per step. A step rewrites its case row (state, updatedAt,
 * snapshot, ...): `state` and `updatedAt` are indexed, so the update is never HOT and the new
 * row version gets an entry in every index whose predicate it meets; each evidence file a step
 * uses likewise gets one in each of its indexes, the audit entry in each of its own. Dropped or
 * narrowed (the same on both engines, as the entities declare them):
 * - cases("areaCode"): PostgreSQL serves = and LIKE 'prefix%' from IDX_cases_area_updated
 *   ("areaCode" varchar_pattern_ops, "updatedAt"); SQLite's lists scan by area either way
 * - cases("procedure", "state"): the to-do lists read IDX_cases_open_procedure_state (open
 *   cases); the lookups by procedure also name the subject or the batch, indexed on their own
 * - cases("batchId"), evidence("batchId"): most rows have none; only `batchId = :b` is asked
 * - cases("deadlineAt"), cases("noticeEndsAt"): read only for open cases that have one
 * - evidence("sha256"): looked up only with its type among used files (IDX_evidence_sha256_type_used)
 * - audit_entries("actorId"): the prefix of IDX_audit_entries_actor_case (created here on SQLite,
 *   where ListIndexes did not run)
 */
const DROPPED: Array<[name: string, table: string, columns: string]> = [
  ['IDX_82ed9df27acae91de0ca00ea0e', 'cases', '"areaCode"'],
  ['IDX_d8e9fbf45b3877993d605933cf', 'cases', '"procedure", "state"'],
  ['IDX_78313ba14f8033a6c5de9e1d1e', 'cases', '"batchId"'],
  ['IDX_e22c62ced27a012021d7e7edf8', 'cases', '"deadlineAt"'],
  ['IDX_9ff0d762cb1575e7b3a3aa3f44', 'cases', '"noticeEndsAt"'],
  ['IDX_c5634a775d5b27317434a8c635', 'evidence', '"sha256"'],
  ['IDX_b480fc72efeec527e31f6e06af', 'evidence', '"batchId"'],
  ['IDX_a8456bc89d026672de07047358', 'audit_entries', '"actorId"'],
];

const CREATED: Array<[name: string, table: string, columns: string, where: string]> = [
  ['IDX_cases_batch', 'cases', '"batchId"', '"batchId" IS NOT NULL'],
  ['IDX_cases_open_deadline', 'cases', '"deadlineAt"', '"closedAt" IS NULL AND "deadlineAt" IS NOT NULL'],
  ['IDX_cases_open_notice_ends', 'cases', '"noticeEndsAt"', '"closedAt" IS NULL AND "noticeEndsAt" IS NOT NULL'],
  ['IDX_evidence_batch', 'evidence', '"batchId"', '"batchId" IS NOT NULL'],
];

export async function narrowStepWriteIndexes(q: QueryRunner): Promise<void> {
  for (const [name, table, columns, where] of CREATED) await q.query(`CREATE INDEX "${name}" ON "${table}" (${columns}) WHERE ${where}`);
  // PostgreSQL has it since ListIndexes
  await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_entries_actor_case" ON "audit_entries" ("actorId", "caseId")`);
  for (const [name] of DROPPED) await q.query(`DROP INDEX "${name}"`);
}

export async function restoreStepWriteIndexes(q: QueryRunner, engine: 'postgres' | 'sqlite'): Promise<void> {
  for (const [name, table, columns] of DROPPED) await q.query(`CREATE INDEX "${name}" ON "${table}" (${columns})`);
  if (engine === 'sqlite') await q.query(`DROP INDEX "IDX_audit_entries_actor_case"`);
  for (const [name] of CREATED) await q.query(`DROP INDEX "${name}"`);
}
