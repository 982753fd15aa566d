import type { EntityManager } from 'typeorm';
import { HouseholdEntity, HouseholdMemberEntity, IncomeRecordEntity } from '../../database/entities';
import { appendLedger, ledgerRecord } from '../audit/record-ledger';
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
  },
): Promise<IncomeRecordEntity> {
  const g = args.survey.guarantees;
  const row = await em.save(
    em.create(IncomeRecordEntity, {
      householdId: args.householdId,
      caseId: args.caseId,
      record: { ...args.survey, source: args.source },
      perCapitaNetIncome: args.survey.perCapitaNetIncome,
      incomeLine: args.survey.incomeLine,
      guaranteesSecure: g.education && g.medical && g.housing && g.water,
      visitDate: args.visitDate ?? beijingDate(args.recordedAt),
      recordedById: args.recordedById,
      recordedAt: args.recordedAt,
    }),
  );
  // issue 12: the income record and its ledger entry (the household's chain), in one transaction
  const household = await em.findOne(HouseholdEntity, { where: { id: args.householdId }, select: { id: true, areaCode: true } });
  await appendLedger(em, {
    kind: 'income',
    subjectId: args.householdId,
    areaCode: household?.areaCode ?? null,
    recordId: row.id,
    op: 'create',
    record: ledgerRecord.income(row),
    actorId: args.recordedById,
    at: args.recordedAt,
  });
  return row;
}

/**
 * SF-05: the household as the registry has it now — its members (the count per-capita income is
 * divided by, and what the income rules judge wage lines against) and its version.
 */
export async function registryFacts(em: EntityManager, householdId: string): Promise<Required<IncomeFacts>> {
  const household = await em.findOne(HouseholdEntity, { where: { id: householdId }, select: { id: true, version: true } });
  const members = await em.find(HouseholdMemberEntity, {
    where: { householdId },
    order: { position: 'ASC' },
    select: { id: true, name: true, relation: true, laborAbility: true, employment: true },
  });
  return {
    registry: {
      householdId,
      version: household?.version ?? null,
      members: members.map((m) => ({ id: m.id, name: m.name, relation: m.relation, laborAbility: m.laborAbility, employment: m.employment })),
    },
  };
}
