import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { HouseholdEntity, HouseholdMemberEntity, IncomeRecordEntity } from '../../database/entities';
import { appendLedger, ledgerRecord } from '../audit/record-ledger';
import { householdOfCaseSql } from '../engine/household-version';
import type { IncomeFacts, IncomeFigures, IncomeInput } from '../../machines/income';
import { beijingDate } from '../../machines/record-date';

/** One entry of a household's income history (SF-05, SF-09), written in the caller's transaction. */
export async function recordIncome(
  em: EntityManager,
  args: {
    householdId: string;
    caseId: string | null;
    survey: IncomeFigures & Pick<IncomeInput, 'guarantees'> & Record<string, unknown>;
    source: 'inclusion_verification' | 'elimination_verification' | 'monitoring_visit';
    /** the stated day of the visit (a verification's: the day it is recorded) */
    visitDate?: string;
    recordedById: string;
    recordedAt: Date;
    /** the household's area, when the caller knows it (else it is read) */
    areaCode?: string | null;
  },
): Promise<IncomeRecordEntity> {
  const g = args.survey.guarantees;
  const row = em.create(IncomeRecordEntity, {
    id: randomUUID(),
    householdId: args.householdId,
    caseId: args.caseId,
    record: { ...args.survey, source: args.source },
    perCapitaNetIncome: args.survey.perCapitaNetIncome,
    incomeLine: args.survey.incomeLine,
    guaranteesSecure: g.education && g.medical && g.housing && g.water,
    visitDate: args.visitDate ?? beijingDate(args.recordedAt),
    recordedById: args.recordedById,
    recordedAt: args.recordedAt,
  });
  // issue 12: the income record and its ledger entry (the household's chain), in one transaction (one statement on PostgreSQL)
  const areaCode =
    args.areaCode !== undefined ? args.areaCode : ((await em.findOne(HouseholdEntity, { where: { id: args.householdId }, select: { id: true, areaCode: true } }))?.areaCode ?? null);
  await appendLedger(
    em,
    { kind: 'income', subjectId: args.householdId, areaCode, recordId: row.id, op: 'create', record: ledgerRecord.income(row), actorId: args.recordedById, at: args.recordedAt },
    { with: [{ target: IncomeRecordEntity, rows: [row] }] },
  );
  return row;
}

/**
 * SF-05: the household as the registry has it now — its members (the count per-capita income is
 * divided by, and what the income rules judge wage lines against) and its version.
 */
export async function registryFacts(em: EntityManager, householdId: string): Promise<Required<IncomeFacts>> {
  // one query: the household's version and its members, in order
  const rows: RegistryRow[] = await em
    .createQueryBuilder()
    .select('h.version', 'version')
    .addSelect('m.id', 'id')
    .addSelect('m.name', 'name')
    .addSelect('m.relation', 'relation')
    .addSelect('m.laborAbility', 'laborAbility')
    .addSelect('m.employment', 'employment')
    .from(HouseholdEntity, 'h')
    .leftJoin(HouseholdMemberEntity, 'm', 'm.householdId = h.id')
    .where('h.id = :id', { id: householdId })
    .orderBy('m.position', 'ASC')
    .getRawMany();
  return registryOf(householdId, rows);
}

type RegistryRow = { householdId?: string; version: number; id: string | null; name: string; relation: string; laborAbility: string; employment: string };

function registryOf(householdId: string, rows: RegistryRow[]): Required<IncomeFacts> {
  const members = rows.filter((m) => m.id !== null);
  return {
    registry: {
      householdId,
      version: rows.length ? Number(rows[0].version) : null,
      members: members.map((m) => ({ id: m.id!, name: m.name, relation: m.relation, laborAbility: m.laborAbility, employment: m.employment })),
    },
  };
}

/**
 * Issue 21: {@link registryFacts} of a case's household, found from the case id in SQL (its
 * subject, or the household in its context), so the engine can read it in the case's own round
 * trip. Null when the case has no household.
 */
export async function registryFactsOfCase(em: EntityManager, caseId: string): Promise<Required<IncomeFacts> | null> {
  const pg = em.connection.options.type === 'postgres';
  const rows: RegistryRow[] = await em.query(
    `SELECT h."id" AS "householdId", h."version" AS "version", m."id" AS "id", m."name" AS "name", m."relation" AS "relation", ` +
      `m."laborAbility" AS "laborAbility", m."employment" AS "employment" FROM "households" h ` +
      `LEFT JOIN "household_members" m ON m."householdId" = h."id" ` +
      `WHERE h."id" = (SELECT ${householdOfCaseSql(em)} FROM "cases" c WHERE c."id" = ${pg ? '$1' : '?'}) ` +
      `ORDER BY m."position" ASC`,
    [caseId],
  );
  return rows.length ? registryOf(rows[0].householdId!, rows) : null;
}
