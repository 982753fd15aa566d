import type { EntityManager } from 'typeorm';
import { HouseholdEntity } from '../../database/entities';
import { isRowId } from '../../common/domain/row-id';

/**
 * The household a case is about: its subject, or the household its context names (issue 13).
 * {@link householdOfCaseSql} states the same rule in SQL (the step's first query): change both.
 */
export function householdIdOf(subjectType: string, subjectId: string, context: Record<string, unknown>): string | null {
  if (subjectType === 'household') return subjectId;
  const id = context.householdId;
  return isRowId(id) ? id : null;
}

/**
 * The household's version now; on PostgreSQL the row is share-locked for the rest of the
 * transaction, so no registry change commits between this read and the step's commit.
 */
export async function householdVersionOf(em: EntityManager, householdId: string | null): Promise<number | null> {
  if (!householdId) return null;
  const qb = em.createQueryBuilder(HouseholdEntity, 'h').select(['h.id', 'h.version']).where('h.id = :id', { id: householdId });
  if (em.connection.options.type === 'postgres' && em.queryRunner?.isTransactionActive) qb.setLock('pessimistic_read');
  const h = await qb.getOne();
  return h ? h.version : null;
}

/** {@link householdIdOf} in SQL, for the case row aliased `c`: the reads that find the household with the case (issue 21). */
export function householdOfCaseSql(em: EntityManager): string {
  const fromContext = em.connection.options.type === 'postgres' ? `c."snapshot"::json #>> '{context,householdId}'` : `json_extract(c."snapshot", '$.context.householdId')`;
  return `CASE WHEN c."subjectType" = 'household' THEN c."subjectId" ELSE ${fromContext} END`;
}
