import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { validateBody } from '../../common/http/validation';
import { AreaEntity, type CaseEntity } from '../../database/entities';
import { yuanText } from '../../machines/project-funds';
import {
  type ImplementationContext,
  type ImplementationCreationFacts,
  type ImplementationFacts,
  type ImplementationInput,
  implementationFigures,
  projectImplementation,
} from '../../machines/project-implementation.machine';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { ProjectEntity } from '../project-intake/project.entity';
import { CreateImplementationDto } from './implementation.dto';
import { ProjectAssetEntity, ProjectImplementationEntity, ProjectPaymentEntity, ProjectPlanEntryEntity } from './implementation.entities';

const OWNER_TITLES: Record<string, string> = { village_collective: '村集体', unit: '单位' };

/** Wraps the project-implementation machine: opens a case for a planned project, mirrors it for the ledgers. */
@Injectable()
export class ProjectImplementationAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [projectImplementation];
  readonly creatorRoles = ['village' as const, 'township' as const, 'county' as const];

  constructor(private readonly registry: ProcedureRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    const dto = validateBody(CreateImplementationDto, body);
    const project = await em.findOneBy(ProjectEntity, { id: dto.projectId });
    if (!project) throw AppError.notFound('项目');
    assertInArea(actor, project.areaCode, '项目');
    // share-locked on PostgreSQL: a change or withdrawal of the plan entry (which locks it for
    // update and refuses once an implementation exists) waits for this opening, or this one for it
    const share = em.connection.options.type === 'postgres' && em.queryRunner?.isTransactionActive ? { lock: { mode: 'pessimistic_read' as const } } : {};
    const plan = await em.findOne(ProjectPlanEntryEntity, { where: { projectId: project.id }, ...share });
    const existing = await em.findOne(ProjectImplementationEntity, { where: { projectId: project.id }, select: { caseId: true } });
    const facts: ImplementationCreationFacts = { projectStatus: project.status, planned: !!plan, implementationCaseId: existing?.caseId ?? null };
    const input: ImplementationInput = {
      areaCode: project.areaCode,
      projectId: project.id,
      name: project.name,
      category: project.category,
      year: plan?.year ?? project.year,
      funds: plan?.funds ?? [],
      plannedFen: plan?.plannedFen ?? 0,
      period: project.content.period,
      openedBy: { id: actor.id, role: actor.role },
    };
    return { areaCode: project.areaCode, subjectId: project.id, input: { ...input }, auditData: { ...input }, facts: { ...facts } };
  }

  /** what the state's events read from outside the case (ImplementationFacts) */
  async facts({ caseRow, em }: { caseRow: CaseEntity; em: EntityManager }): Promise<Record<string, unknown>> {
    const out: ImplementationFacts = {};
    if (caseRow.state === 'asset_registration') {
      const county = caseRow.areaCode.slice(0, 6);
      const areas = await em.createQueryBuilder(AreaEntity, 'a').select(['a.code', 'a.level']).where('a.code LIKE :like', { like: `${county}%` }).getMany();
      out.countyAreas = Object.fromEntries(areas.map((a) => [a.code, a.level]));
    }
    if (caseRow.state === 'contracting' || caseRow.state === 'in_progress') {
      out.pendingPayments = await em.countBy(ProjectPaymentEntity, { projectId: caseRow.subjectId, status: 'submitted' });
      out.paidFen = (await em.findOne(ProjectImplementationEntity, { where: { caseId: caseRow.id }, select: { id: true, paidFen: true } }))?.paidFen ?? 0;
    }
    return { ...out };
  }

  async afterCreate({ em, caseRow, context }: { em: EntityManager; caseRow: CaseEntity; context: Record<string, any> }): Promise<void> {
    const c = context as ImplementationContext;
    try {
      await em.insert(ProjectImplementationEntity, {
        id: caseRow.id,
        projectId: c.projectId,
        caseId: caseRow.id,
        areaCode: c.areaCode,
        year: c.year,
        name: c.name,
        category: c.category,
        state: caseRow.state,
        plannedFen: c.plannedFen,
        contractNo: null,
        contractFen: null,
        startedOn: null,
        plannedEnd: c.period.end,
        progressPercent: 0,
        lastProgressDate: null,
        completedOn: null,
        acceptedAt: null,
        closedAt: null,
        paidFen: 0,
        createdAt: caseRow.createdAt,
        updatedAt: caseRow.createdAt,
      });
    } catch (err) {
      // a concurrent request for the same project won the unique index
      if (isUniqueViolation(err)) throw new AppError(ErrorCode.RULE_VIOLATED, '该项目已有实施案件', { rule: 'implementation_not_started' });
      throw err;
    }
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as ImplementationContext;
    const now = new Date(event.env.now);
    const figures = implementationFigures(c);
    await em.update(ProjectImplementationEntity, { caseId: caseRow.id }, {
      state: toState,
      contractNo: c.contract?.contractNo ?? null,
      contractFen: figures.contractFen,
      startedOn: c.contract?.startedOn ?? null,
      plannedEnd: c.contract?.plannedEnd ?? c.period.end,
      progressPercent: figures.progressPercent,
      lastProgressDate: figures.lastProgressDate,
      completedOn: c.completion?.completedOn ?? null,
      acceptedAt: c.acceptedAt ? new Date(c.acceptedAt) : null,
      closedAt: c.closedAt ? new Date(c.closedAt) : null,
      updatedAt: now,
    });
    if (event.type === 'REGISTER_ASSETS' && c.assets) {
      // registered again after an objection to the notice: the new registration replaces the old
      await em.delete(ProjectAssetEntity, { caseId: caseRow.id });
      await em.insert(
        ProjectAssetEntity,
        c.assets.items.map((a) => ({
          id: randomUUID(),
          projectId: c.projectId,
          caseId: caseRow.id,
          areaCode: c.areaCode,
          name: a.name,
          kind: a.kind,
          quantity: a.quantity,
          unit: a.unit,
          valueFen: a.valueFen,
          ownerType: a.owner.type,
          ownerName: a.owner.name,
          ownerAreaCode: a.owner.areaCode,
          handoverDate: c.assets!.handoverDate,
          registeredAt: now,
        })).map((row) => em.create(ProjectAssetEntity, row)),
      );
    }
  }

  /** 竣工公告 (SF-22): amount spent, fund sources, results; the project, never a person. */
  async noticeSummary({ caseRow, context, em }: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string> {
    const c = context as ImplementationContext;
    const village = (await em.findOneBy(AreaEntity, { code: caseRow.areaCode }))?.name ?? caseRow.areaCode;
    const row = await em.findOneBy(ProjectImplementationEntity, { caseId: caseRow.id });
    const project = await em.findOneBy(ProjectEntity, { id: c.projectId });
    const outputs = (project?.content.performanceTargets ?? []).map((t) => `${t.indicator} ${t.value}${t.unit}`).join('；');
    const assets = (c.assets?.items ?? [])
      .map((a) => `${a.name}${a.quantity}${a.unit}（${yuanText(a.valueFen)}元，移交${OWNER_TITLES[a.owner.type] ?? ''}${a.owner.name}）`)
      .join('；');
    return [
      `项目名称：${c.name}`,
      `实施地点：${village}`,
      `年度：${c.year}`,
      `计划资金：${yuanText(c.plannedFen)}元（${c.funds.map((f) => `${f.source}${yuanText(f.amountFen)}元`).join('，')}）`,
      c.contract ? `合同金额：${yuanText(c.contract.amountFen)}元（${c.contract.contractor}）` : '',
      `已拨付资金：${yuanText(row?.paidFen ?? 0)}元`,
      c.contract ? `开工日期：${c.contract.startedOn}` : '',
      c.completion ? `竣工日期：${c.completion.completedOn}` : '',
      c.acceptedAt ? '竣工验收：已通过（乡镇、行业部门、县级签字）' : '',
      `绩效目标：${outputs || '—'}`,
      `形成资产：${assets || '—'}`,
    ]
      .filter(Boolean)
      .join('；');
  }
}
