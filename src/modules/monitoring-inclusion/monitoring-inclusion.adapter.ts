import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { maskName } from '../../common/domain/id-number';
import { RISK_TYPES, titleOf } from '../../common/domain/enums';
import { AppError } from '../../common/errors/app-error';
import { validateBody } from '../../common/http/validation';
import { CaseEntity, HouseholdEntity, MonitoringObjectEntity } from '../../database/entities';
import {
  type InclusionContext,
  type InclusionInput,
  type InclusionCreationFacts,
  monitoringInclusion,
  MONITORING_INCLUSION,
} from '../../machines/monitoring-inclusion.machine';
import { RISK_ELIMINATION } from '../../machines/risk-elimination.machine';
import { type CaseOrigin, type PreparedCase, type Prefetched, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { CreateInclusionDto } from './monitoring-inclusion.dto';
import { recordIncome, registryFacts } from '../monitoring-objects/income-records';
import { UnitOfWork } from '../../database/unit-of-work';
import { householdVersionOf } from '../engine/household-version';

/** The origin a registry change gives the leads it opens (issue 13): `caseId` is the household, `event` the change. */
export const HOUSEHOLD_REGISTRY = 'household-registry';

/** Wraps the inclusion machine: opens cases on households, and makes monitoring objects. */
@Injectable()
export class MonitoringInclusionAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [monitoringInclusion];
  readonly creatorRoles = ['village' as const, 'department' as const];
  readonly deadlineKey = 'inclusion.deadline' as const;

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly uow: UnitOfWork,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em, origin }: { body: unknown; actor: AuthUser; em: EntityManager; origin?: CaseOrigin }): Promise<PreparedCase> {
    const dto = validateBody(CreateInclusionDto, body);
    if (actor.role === 'department' && dto.channel !== 'department_alert') {
      throw AppError.validation({ channel: '行业部门只能以“部门筛查预警”渠道推送线索' });
    }
    // SF-10: a follow-up lead is the follow-up visit's own effect, linked to its elimination case
    const fromFollowUp = origin?.procedure === RISK_ELIMINATION && origin.event === 'RECORD_FOLLOW_UP';
    if ((dto.channel === 'follow_up') !== fromFollowUp) {
      throw AppError.validation({ channel: '“回头看发现风险”的线索只能在录入回头看、发现返贫致贫风险时由系统生成' });
    }
    // issue 13 (SF-10): a registry-change lead is the effect of a member change, never a client's claim
    const fromRegistry = origin?.procedure === HOUSEHOLD_REGISTRY;
    if ((dto.channel === 'registry_change') !== fromRegistry) {
      throw AppError.validation({ channel: '“家庭成员变动发现风险”的线索只能在登记成员变更时由系统生成' });
    }
    // the household, and what the definition's creation rules read (the engine judges them), the
    // household's version (share-locked) and its registry (the new lead's view reads it): one
    // round trip (issue 21); nothing of the rest is used before the area check
    const [household, current, open, householdVersion, registry] = await this.uow.together(() =>
      Promise.all([
        em.findOneBy(HouseholdEntity, { id: dto.householdId }),
        em.findOne(MonitoringObjectEntity, {
          where: { householdId: dto.householdId },
          order: { createdAt: 'DESC' },
          select: { id: true, status: true },
        }),
        em.findOne(CaseEntity, {
          where: { procedure: MONITORING_INCLUSION, subjectId: dto.householdId, closedAt: IsNull() },
          select: { id: true },
        }),
        householdVersionOf(em, dto.householdId),
        registryFacts(em, dto.householdId),
      ]),
    );
    if (!household) throw AppError.notFound('农户');
    assertInArea(actor, household.areaCode, '农户');
    const facts: InclusionCreationFacts = { current: current ? { id: current.id, status: current.status } : null, openCaseId: open?.id ?? null };
    const input: InclusionInput = {
      householdId: household.id,
      channel: dto.channel,
      riskDescription: dto.riskDescription,
      urgent: dto.urgent ?? false,
      // re-identification after elimination is linked to the old record (SF-10)
      previousMonitoringObjectId: current?.id ?? null,
      ...(fromFollowUp ? { eliminationCaseId: origin.caseId } : {}),
      ...(fromRegistry ? { registryChange: { householdId: origin.caseId, event: origin.event } } : {}),
    };
    return {
      areaCode: household.areaCode,
      subjectId: household.id,
      input: { ...input },
      auditData: { ...input },
      facts: { ...facts },
      householdVersion,
      prefetched: { registry: registry.registry },
    };
  }

  /** SF-05: a verification's income is judged on, and divided by, the household's registry members as they stand */
  readonly readsRegistryOn = ['RECORD_VERIFICATION'];
  /** SF-09: RECORD_VERIFICATION records the household's income (recordIncome, afterTransition) */
  readonly appendsIncomeOn = ['RECORD_VERIFICATION'];

  async facts({ caseRow, em, prefetched }: { caseRow: CaseEntity; type: string; em: EntityManager; prefetched?: Prefetched }): Promise<Record<string, unknown>> {
    if (caseRow.state !== 'lead' && caseRow.state !== 'household_verification') return {};
    const householdId = (caseRow.snapshot.context as InclusionContext).householdId;
    return prefetched?.registry?.householdId === householdId ? { registry: prefetched.registry } : registryFacts(em, householdId);
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as InclusionContext;
    const now = new Date(event.env.now);
    if (event.type === 'RECORD_VERIFICATION' && c.verification) {
      // the income history that elimination later judges stability on (SF-09)
      await recordIncome(em, {
        areaCode: caseRow.areaCode,
        householdId: c.householdId,
        caseId: caseRow.id,
        survey: c.verification as never,
        source: 'inclusion_verification',
        recordedById: event.actor.id,
        recordedAt: now,
      });
    }
    if (toState !== 'included') return;
    await em.save(
      em.create(MonitoringObjectEntity, {
        householdId: c.householdId,
        areaCode: caseRow.areaCode,
        monitoringType: c.approval!.monitoringType,
        riskTypes: c.approval!.riskTypes,
        startDate: c.approval!.startDate,
        assistanceContact: c.approval!.assistanceContact,
        status: 'monitoring',
        inclusionCaseId: caseRow.id,
        previousMonitoringObjectId: c.previousMonitoringObjectId ?? null,
        verification: (c.verification ?? {}) as Record<string, any>,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  async noticeSummary({ context, em }: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string> {
    const c = context as InclusionContext;
    const h = await em.findOneBy(HouseholdEntity, { id: c.householdId });
    const risks = (c.verification?.riskTypes ?? []).map((r) => titleOf(RISK_TYPES, r)).join('、') || '—';
    const income = c.verification ? `${c.verification.perCapitaNetIncome} 元/人·年` : '—';
    return `户主：${h ? maskName(h.householderName) : '—'}；拟纳入防止返贫监测对象；家庭人均纯收入：${income}；风险类型：${risks}`;
  }
}

