import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { AppError } from '../../common/errors/app-error';
import { CaseEntity } from '../../database/entities';
import { columnsOf, hydrate, placeholder } from '../../database/raw-rows';
import { isRowId } from '../../common/domain/row-id';

/**
 * The case by id, or null (issue 21: written out, raw-rows.ts, instead of built by QueryBuilder:
 * every upload, poll and case read starts here). A text that is no UUID is no case.
 */
export async function readCase(em: EntityManager, caseId: string): Promise<CaseEntity | null> {
  if (!isRowId(caseId)) return null;
  const rows: Array<Record<string, unknown>> = await em.query(
    `SELECT ${columnsOf(em, CaseEntity, 'c')} FROM "cases" "c" WHERE "c"."id" = ${placeholder(em)(1)}`,
    [caseId],
  );
  return rows[0] ? hydrate(em, CaseEntity, 'c', rows[0]) : null;
}

/** The case when the caller may see it: 404 when there is none, and when it lies outside the caller's area. */
export function visibleCase(row: CaseEntity | null, actor: AuthUser): CaseEntity {
  if (!row) throw AppError.notFound('案件');
  assertInArea(actor, row.areaCode, '案件');
  return row;
}
