import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, In, IsNull, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { areaPrefix } from '../../common/domain/area';
import { subtractDuration } from '../../common/domain/duration';
import { maskName } from '../../common/domain/id-number';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { validateBody } from '../../common/http/validation';
import type { PolicyValues } from '../../common/policy/policy-keys';
import {
  AssistanceMeasureEntity,
  CaseEntity,
  HouseholdEntity,
  HouseholdMemberEntity,
  IncomeRecordEntity,
  MonitoringObjectEntity,
} from '../../database/entities';
import {
  type EliminationContext,
  type EliminationCreationFacts,
  type EliminationFacts,
  type EliminationInput,
  RISK_ELIMINATION,
  riskElimination,
} from '../../machines/risk-elimination.machine';
import { inclusionCreationRules, MONITORING_INCLUSION } from '../../machines/monitoring-inclusion.machine';
import { creationRefusal } from '../engine/requirements';
import { type PreparedCase, type Prefetched, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { PoliciesService } from '../policies/policies.service';
import { recordIncome, registryFacts } from '../monitoring-objects/income-records';
import { EliminationCaseDto } from './risk-elimination.dto';

export interface Ineligibility {
  monitoringObjectId: string;
  rule: string;
  message: string;
}

/** Wraps the elimination machine: proposals, the facts its rules need, and the outcome on the monitoring object. */
@Injectable()
export class RiskEliminationAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [riskElimination];
  readonly creatorRoles = ['village' as const];

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /**
   * Whether a monitoring object may be proposed: in monitoring for at least the minimum, with
   * at least one assistance measure, and no elimination case already running.
   */
  async ineligibility(em: EntityManager, mo: MonitoringObjectEntity | null, id: string, policy: PolicyValues, now = new Date()): Promise<Ineligibility | null> {
    if (!mo) return { monitoringObjectId: id, rule: 'not_found', message: '监测对象不存在或不在本村' };
    // the definition's creation rules, the ones the engine judges when the case is opened
    const refusal = creationRefusal(riskElimination, { input: this.input(mo, 'assisted'), facts: { ...(await this.creationFacts(em, mo)) }, policy, now: now.toISOString() });
    return refusal ? { monitoringObjectId: id, rule: String(refusal.details?.rule), message: refusal.message } : null;
  }

  /** What the creation rules read about a monitoring object. */
  private async creationFacts(em: EntityManager, mo: MonitoringObjectEntity): Promise<EliminationCreationFacts> {
    const open = await em.findOne(CaseEntity, {
      where: { procedure: RISK_ELIMINATION, subjectId: mo.id, closedAt: IsNull(), state: Not(In(['eliminated', 'follow_up_due'])) },
      select: { id: true },
    });
    return {
      status: mo.status,
      startDate: mo.startDate,
      hasMeasure: await em.existsBy(AssistanceMeasureEntity, { monitoringObjectId: mo.id }),
      openCaseId: open?.id ?? null,
    };
  }

  private input(mo: MonitoringObjectEntity, eliminationType: EliminationInput['eliminationType']): EliminationInput {
    return { monitoringObjectId: mo.id, householdId: mo.householdId, eliminationType, riskTypes: mo.riskTypes };
  }

  async prepareCreate({ body, actor, em, batchId }: { body: unknown; actor: AuthUser; em: EntityManager; batchId?: string }): Promise<PreparedCase> {
    // SF-07: a case belongs to the list (and the meeting) that proposed it; it is opened only
    // by POST /procedures/risk-elimination/batches, never alone or into a batch named by a client
    if (!batchId) {
      throw new AppError(ErrorCode.RULE_VIOLATED, '风险消除由村级名单提出，请通过 POST /procedures/risk-elimination/batches 提交名单', { rule: 'proposed_by_list' });
    }
    const dto = validateBody(EliminationCaseDto, body);
    const mo = await em.findOneBy(MonitoringObjectEntity, { id: dto.monitoringObjectId });
    if (!mo) throw AppError.notFound('监测对象');
    assertInArea(actor, mo.areaCode, '监测对象');
    const input = this.input(mo, dto.eliminationType);
    // the engine judges the definition's creation rules on these facts
    const facts = await this.creationFacts(em, mo);
    return { areaCode: mo.areaCode, subjectId: mo.id, batchId, input: { ...input }, auditData: { ...input, batchId }, facts: { ...facts } };
  }

  readonly readsRegistryOn = ['RECORD_VERIFICATION'];
  /** SF-09: RECORD_VERIFICATION records the household's income (recordIncome, afterTransition) */
  readonly appendsIncomeOn = ['RECORD_VERIFICATION'];

  async facts({ caseRow, em, prefetched }: { caseRow: CaseEntity; type: string; em: EntityManager; prefetched?: Prefetched }): Promise<Record<string, unknown>> {
    const c = caseRow.snapshot.context as EliminationContext;
    const registry = () => (prefetched?.registry?.householdId === c.householdId ? { registry: prefetched.registry } : registryFacts(em, c.householdId));
    const { facts: onRecord } = await this.recordFacts(em, { monitoringObjectId: c.monitoringObjectId, householdId: c.householdId });
    const facts: EliminationFacts = {
      ...onRecord,
      concentration: caseRow.state === 'county_approval' ? await this.concentration(em, caseRow) : null,
      // SF-05: the verification's income is judged on, and divided by, the registry members as they stand
      ...(caseRow.state === 'household_verification' ? await registry() : {}),
    };
    return facts as unknown as Record<string, unknown>;
  }

  /**
   * What the elimination rules read from the records of a monitoring object: a case's facts,
   * and the SF-11 detector's (which judges the same rules, see `failingOnRecord`).
   */
  async recordFacts(
    em: EntityManager,
    o: { monitoringObjectId: string; householdId: string },
  ): Promise<{ facts: Omit<EliminationFacts, 'concentration'>; measures: Array<{ id: string; riskTypes: string[] }>; guaranteesSecure: boolean }> {
    const measures = await em.find(AssistanceMeasureEntity, { where: { monitoringObjectId: o.monitoringObjectId }, select: { id: true, type: true, riskTypes: true } });
    const members = await em.find(HouseholdMemberEntity, { where: { householdId: o.householdId }, select: { id: true, laborAbility: true } });
    const history = await em.find(IncomeRecordEntity, {
      where: { householdId: o.householdId },
      order: { recordedAt: 'ASC' },
      select: { id: true, recordedAt: true, perCapitaNetIncome: true, incomeLine: true, guaranteesSecure: true },
    });
    return {
      facts: {
        measureIds: measures.map((m) => m.id),
        onlySocialSecurity: measures.length > 0 && measures.every((m) => m.type === 'social_security'),
        noLabourCapacity: members.length > 0 && members.every((m) => m.laborAbility === 'none'),
        incomeHistory: history.map((h) => ({ recordedAt: h.recordedAt.toISOString(), perCapitaNetIncome: h.perCapitaNetIncome, incomeLine: h.incomeLine })),
      },
      measures,
      guaranteesSecure: history.at(-1)?.guaranteesSecure === true,
    };
  }

  /** SF-08: the village's and township's eliminations in the rolling window, against their monitoring objects. */
  private async concentration(em: EntityManager, caseRow: CaseEntity): Promise<EliminationFacts['concentration']> {
    const policy = await this.policies.forCase(caseRow.areaCode, caseRow.policyVersionIds);
    const window = policy.values['elimination.concentrationWindow'];
    const since = subtractDuration(new Date(), window);
    const count = async (code: string) => {
      const like = `${areaPrefix(code)}%`;
      const total = await em
        .createQueryBuilder(MonitoringObjectEntity, 'o')
        .where('o.areaCode LIKE :like', { like })
        .andWhere("(o.status = 'monitoring' OR o.eliminatedAt >= :since)", { since })
        .getCount();
      const eliminated = await em
        .createQueryBuilder(MonitoringObjectEntity, 'o')
        .where('o.areaCode LIKE :like AND o.status = :s AND o.eliminatedAt >= :since', { like, s: 'eliminated', since })
        .getCount();
      return { code, eliminated, total };
    };
    // the list is approved as one: its cases awaiting county approval all count (this one included)
    const batchPending = caseRow.batchId
      ? await em.createQueryBuilder(CaseEntity, 'c').where('c.batchId = :b AND c.state = :s', { b: caseRow.batchId, s: 'county_approval' }).getCount()
      : 1;
    return {
      threshold: policy.values['elimination.concentrationThreshold'],
      window,
      village: await count(caseRow.areaCode),
      township: await count(`${caseRow.areaCode.slice(0, 9)}000`),
      batchPending,
    };
  }

  async afterTransition({ em, caseRow, fromState, toState, context, event, open }: TransitionEffect): Promise<void> {
    const c = context as EliminationContext;
    const now = new Date(event.env.now);
    if (event.type === 'RECORD_VERIFICATION' && c.verification) {
      await recordIncome(em, {
        areaCode: caseRow.areaCode,
        householdId: c.householdId,
        caseId: caseRow.id,
        survey: c.verification as never,
        source: 'elimination_verification',
        recordedById: event.actor.id,
        recordedAt: now,
      });
    }
    if (fromState === 'county_approval' && toState === 'eliminated') {
      await em.update(MonitoringObjectEntity, { id: c.monitoringObjectId }, {
        status: 'eliminated',
        eliminatedAt: now,
        eliminationType: c.eliminationType,
        eliminationCaseId: caseRow.id,
        updatedAt: now,
      });
    }
    if (event.type === 'RECORD_FOLLOW_UP' && event.data.riskReturned === true) await this.reidentify(open, caseRow, c, String(event.data.findings));
    if (toState === 'rolled_back') {
      // SF-10: back in monitoring, linked to the case that rolled it back
      await em.update(MonitoringObjectEntity, { id: c.monitoringObjectId }, {
        status: 'monitoring',
        eliminatedAt: null,
        eliminationType: null,
        rolledBackAt: now,
        rollbackCaseId: caseRow.id,
        updatedAt: now,
      });
    }
  }

  /**
   * SF-10: a follow-up visit that finds a returned risk opens an inclusion lead (channel
   * `follow_up`) through the engine, in the visit's transaction, linked to this case and to the
   * monitoring record. A household already in monitoring again, or with an inclusion case
   * running, is being re-identified already: the visit is recorded and no second lead opened
   * (the adapter refuses before writing, so the transaction stays usable).
   */
  private async reidentify(open: TransitionEffect['open'], caseRow: CaseEntity, c: EliminationContext, findings: string): Promise<void> {
    try {
      await open({
        procedure: MONITORING_INCLUSION,
        body: {
          householdId: c.householdId,
          channel: 'follow_up',
          // whole: findings are at most 1900 characters (the machine's schema), the description at most 2000
          riskDescription: `风险消除后回头看发现返贫致贫风险：${findings}`,
          urgent: false,
        },
        origin: { procedure: RISK_ELIMINATION, caseId: caseRow.id, event: 'RECORD_FOLLOW_UP' },
      });
    } catch (err) {
      // the household is already being handled: a creation rule of inclusion refused the lead
      const rule = err instanceof AppError ? err.details?.rule : undefined;
      if (typeof rule !== 'string' || !Object.hasOwn(inclusionCreationRules, rule)) throw err;
    }
  }

  async noticeSummary({ context, em }: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string> {
    const c = context as EliminationContext;
    const h = await em.findOneBy(HouseholdEntity, { id: c.householdId });
    const type = c.eliminationType === 'assisted' ? '帮扶消除' : '自然消除';
    const income = c.verification ? `${c.verification.perCapitaNetIncome} 元/人·年` : '—';
    return `户主：${h ? maskName(h.householderName) : '—'}；拟认定风险消除（${type}）；家庭人均纯收入：${income}`;
  }
}
