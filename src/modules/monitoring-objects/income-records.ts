import type { EntityManager } from 'typeorm';
import { IncomeRecordEntity } from '../../database/entities';
import type { IncomeFigures, IncomeInput } from '../../machines/income';
import { beijingDate } from '../../machines/record-date';

/** One entry of a household's income history (SF-05, SF-09), written in the caller's transaction. */
export function recordIncome(
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
  return em.save(
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
}
