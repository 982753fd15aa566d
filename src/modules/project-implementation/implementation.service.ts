import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { calendarDaysBetween } from '../../common/domain/calendar';
import { subtractDuration } from '../../common/domain/duration';
import { textProblemOf } from '../../common/domain/reason';
import { titleOf } from '../../common/domain/enums';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { UnitOfWork } from '../../database/database.module';
import { PAYMENT_KIND_TITLES, type PaymentKind, planRefusal, toFen, toYuan, yuanText } from '../../machines/project-funds';
import { type PlannedFund, projectImplementationMachine } from '../../machines/project-implementation.machine';
import { PROJECT_CATEGORIES } from '../../machines/project-intake.machine';
import { beijingDate } from '../../machines/record-date';
import { AreasService } from '../admin/areas.service';
import { appendLedger } from '../audit/record-ledger';
import { stateMeta } from '../engine/introspection';
import { PoliciesService } from '../policies/policies.service';
import { ProjectEntity } from '../project-intake/project.entity';
import type { LedgerQuery, PlanChangeDto, PlanEntryDto, PlanQuery, PlanWithdrawDto } from './implementation.dto';
import { ProjectAssetEntity, ProjectImplementationEntity, ProjectPaymentEntity, ProjectPlanEntryEntity } from './implementation.entities';
import { isRowId } from '../../common/domain/row-id';

const countyOf = (code: string) => `${code.slice(0, 6)}000000`;

/** the funds by source, in fen; a source named twice is refused */
function fundsOf(list: Array<{ source: string; amount: number }>): PlannedFund[] {
  const sources = list.map((f) => f.source.trim());
  if (new Set(sources).size !== sources.length) throw AppError.validation({ funds: '同一资金来源只能填写一次' });
  return list.map((f) => ({ source: f.source.trim(), amountFen: toFen(f.amount) }));
}

/** the plan's rules (project-funds.ts planRefusal): 422 RULE_VIOLATED naming the rule */
function assertPlanRules(project: ProjectEntity, year: number, plannedFen: number): void {
  const refusal = planRefusal({ year: project.year, totalBudgetFen: toFen(project.totalBudget) }, { year, plannedFen });
  if (refusal) throw new AppError(ErrorCode.RULE_VIOLATED, refusal.message, { rule: refusal.rule, ...refusal.details });
}
const townshipOf = (code: string) => `${code.slice(0, 9)}000`;
const STATE_TITLE = (state: string | null) => (state ? stateMeta(projectImplementationMachine, state).title : '未开始实施');
const OWNER_TITLES: Record<string, string> = { village_collective: '村集体', unit: '单位' };

export interface LedgerRow {
  projectId: string;
  name: string;
  category: string;
  categoryTitle: string;
  areaCode: string;
  areaName: string | null;
  year: number;
  planned: number;
  contracted: number | null;
  paid: number;
  paidShareOfContract: number | null;
  progressPercent: number;
  lastProgressDate: string | null;
  plannedEnd: string | null;
  state: string | null;
  stateTitle: string;
  caseId: string | null;
}

interface Totals {
  projects: number;
  planned: number;
  contracted: number;
  paid: number;
}

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // quote, and keep spreadsheet programs from reading a cell as a formula
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** BOM: Excel opens UTF-8 Chinese text correctly only with it */
const csvOf = (header: string[], rows: unknown[][]): string => '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

async function xlsxOf(sheet: string, header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  ws.addRow(header);
  ws.getRow(1).font = { bold: true };
  // text cells as text: a value starting with = is never a formula here
  for (const r of rows) ws.addRow(r.map((v) => (v === null || v === undefined ? '' : v)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The annual plan, the implementation ledgers (项目台账, 资产台账) and the detectors. */
@Injectable()
export class ProjectImplementationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly areas: AreasService,
    private readonly policies: PoliciesService,
  ) {}

  // ------------------------------------------------------------------ plan

  /** `POST /project-plans/entries` (county): a library project of the county enters the year's plan. */
  async addToPlan(user: AuthUser, dto: PlanEntryDto) {
    return this.uow.transaction(async (em) => {
      const project = await em.findOneBy(ProjectEntity, { id: dto.projectId });
      if (!project) throw AppError.notFound('项目');
      assertInArea(user, project.areaCode, '项目');
      if (project.status !== 'in_library') {
        throw new AppError(ErrorCode.RULE_VIOLATED, '只有已入库的项目才能列入年度实施计划', { rule: 'project_in_library', projectStatus: project.status });
      }
      const funds = fundsOf(dto.funds);
      const plannedFen = funds.reduce((s, f) => s + f.amountFen, 0);
      assertPlanRules(project, dto.year, plannedFen);
      const row = em.create(ProjectPlanEntryEntity, {
        id: randomUUID(),
        year: dto.year,
        countyCode: countyOf(project.areaCode),
        areaCode: project.areaCode,
        projectId: project.id,
        funds,
        plannedFen,
        addedById: user.id,
        addedAt: new Date(),
      });
      try {
        await em.insert(ProjectPlanEntryEntity, row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError(ErrorCode.ALREADY_EXISTS, '该项目已列入实施计划', { rule: 'project_not_yet_planned', projectId: project.id });
        throw err;
      }
      await this.planLedger(em, user, row, 'create', null, row.addedAt);
      return this.planView(row, project, (await this.areas.names([project.areaCode])).get(project.areaCode) ?? null, null);
    });
  }

  /**
   * The plan entry of a project, locked (PostgreSQL) against an implementation opening at the
   * same moment, which share-locks it (ProjectImplementationAdapter.prepareCreate); refused once
   * the implementation is open (issue 19: a plan entry is changed or withdrawn only before).
   */
  private async entryBeforeImplementation(em: EntityManager, user: AuthUser, id: string) {
    const lock = this.uow.isPostgres ? { lock: { mode: 'pessimistic_write' as const } } : {};
    const entry = isRowId(id) ? await em.findOne(ProjectPlanEntryEntity, { where: { id }, ...lock }) : null;
    if (!entry) throw AppError.notFound('计划项目');
    assertInArea(user, entry.areaCode, '计划项目');
    const impl = await em.findOne(ProjectImplementationEntity, { where: { projectId: entry.projectId }, select: { caseId: true, state: true } });
    if (impl) {
      throw new AppError(ErrorCode.RULE_VIOLATED, '项目已进入实施，计划安排不能再调整或撤回（可由发起实施的层级撤销实施）', {
        rule: 'plan_before_implementation', implementationCaseId: impl.caseId, state: impl.state,
      });
    }
    const project = await em.findOneBy(ProjectEntity, { id: entry.projectId });
    if (!project) throw AppError.notFound('项目');
    return { entry, project };
  }

  private async reasonOf(areaCode: string, reason: unknown): Promise<string> {
    const problem = textProblemOf(reason, (await this.policies.effective(areaCode)).values, 'reason', '调整或撤回计划的理由');
    if (problem) throw new AppError(ErrorCode.REASON_REQUIRED, problem, { fields: { reason: problem } });
    return String(reason).trim();
  }

  /** `PUT /project-plans/entries/{id}` (county): the funds of a plan entry change, with a reason, before its implementation opens. */
  async changePlanEntry(user: AuthUser, id: string, dto: PlanChangeDto) {
    return this.uow.transaction(async (em) => {
      const { entry, project } = await this.entryBeforeImplementation(em, user, id);
      const reason = await this.reasonOf(entry.areaCode, dto.reason);
      const funds = fundsOf(dto.funds);
      const plannedFen = funds.reduce((s, f) => s + f.amountFen, 0);
      assertPlanRules(project, entry.year, plannedFen);
      const before = { funds: entry.funds, plannedFen: entry.plannedFen };
      await em.update(ProjectPlanEntryEntity, { id: entry.id }, { funds, plannedFen });
      const changed = Object.assign(entry, { funds, plannedFen });
      await this.planLedger(em, user, changed, 'update', reason, new Date(), before);
      return this.planView(changed, project, (await this.areas.names([project.areaCode])).get(project.areaCode) ?? null, null);
    });
  }

  /** `POST /project-plans/entries/{id}/withdraw` (county): the project leaves the plan, with a reason, before its implementation opens. */
  async withdrawPlanEntry(user: AuthUser, id: string, dto: PlanWithdrawDto) {
    return this.uow.transaction(async (em) => {
      const { entry } = await this.entryBeforeImplementation(em, user, id);
      const reason = await this.reasonOf(entry.areaCode, dto.reason);
      await em.delete(ProjectPlanEntryEntity, { id: entry.id });
      const at = new Date();
      await this.planLedger(em, user, entry, 'withdraw', reason, at);
      return { id: entry.id, projectId: entry.projectId, year: entry.year, withdrawn: true, reason, withdrawnAt: at.toISOString() };
    });
  }

  /** the record ledger's entry of a plan entry's add, change or withdrawal (kind `plans`, chain per project) */
  private planLedger(em: EntityManager, user: AuthUser, e: ProjectPlanEntryEntity, op: 'create' | 'update' | 'withdraw', reason: string | null, at: Date, before?: { funds: PlannedFund[]; plannedFen: number }) {
    return appendLedger(em, {
      kind: 'plans',
      subjectId: e.projectId,
      areaCode: e.areaCode,
      recordId: e.id,
      op,
      record: { id: e.id, projectId: e.projectId, year: e.year, funds: e.funds, plannedFen: e.plannedFen, reason, ...(before ? { before } : {}) },
      actorId: user.id,
      at,
    });
  }

  private planView(e: ProjectPlanEntryEntity, p: ProjectEntity | undefined, areaName: string | null, impl: ProjectImplementationEntity | null) {
    return {
      id: e.id,
      year: e.year,
      projectId: e.projectId,
      name: p?.name ?? null,
      category: p?.category ?? null,
      areaCode: e.areaCode,
      areaName,
      funds: e.funds.map((f) => ({ source: f.source, amount: toYuan(f.amountFen) })),
      planned: toYuan(e.plannedFen),
      implementationCaseId: impl?.caseId ?? null,
      state: impl?.state ?? null,
      addedAt: e.addedAt.toISOString(),
    };
  }

  /** `GET /project-plans?year=&areaCode=` */
  async plan(user: AuthUser, q: PlanQuery) {
    const em = this.uow.manager;
    const qb = em.createQueryBuilder(ProjectPlanEntryEntity, 'e').where('e.year = :year', { year: q.year });
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('e.areaCode LIKE :like', { like });
    const entries = await qb.orderBy('e.areaCode').addOrderBy('e.addedAt').getMany();
    const ids = entries.map((e) => e.projectId);
    const projects = ids.length ? await em.findBy(ProjectEntity, { id: In(ids) }) : [];
    const impls = ids.length ? await em.findBy(ProjectImplementationEntity, { projectId: In(ids) }) : [];
    const names = await this.areas.names([...new Set(entries.map((e) => e.areaCode))]);
    const items = entries.map((e) =>
      this.planView(e, projects.find((p) => p.id === e.projectId), names.get(e.areaCode) ?? null, impls.find((i) => i.projectId === e.projectId) ?? null),
    );
    return { year: q.year, areaCode: q.areaCode ?? user.areaCode, items, totals: { projects: items.length, planned: toYuan(entries.reduce((s, e) => s + e.plannedFen, 0)) } };
  }

  // ------------------------------------------------------------------ ledgers

  /** 项目实施台账: every planned project of the area (and year), with the county's and each township's totals. */
  async ledger(user: AuthUser, q: LedgerQuery) {
    const em = this.uow.manager;
    const qb = em.createQueryBuilder(ProjectPlanEntryEntity, 'e');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('e.areaCode LIKE :like', { like });
    if (q.year !== undefined) qb.andWhere('e.year = :year', { year: q.year });
    const entries = await qb.orderBy('e.areaCode').addOrderBy('e.addedAt').addOrderBy('e.id').getMany();
    const ids = entries.map((e) => e.projectId);
    const projects = ids.length ? await em.findBy(ProjectEntity, { id: In(ids) }) : [];
    const impls = ids.length ? await em.findBy(ProjectImplementationEntity, { projectId: In(ids) }) : [];
    const names = await this.areas.names([...new Set(entries.flatMap((e) => [e.areaCode, townshipOf(e.areaCode), countyOf(e.areaCode)]))]);
    const rows: LedgerRow[] = entries.map((e) => {
      const p = projects.find((x) => x.id === e.projectId);
      const i = impls.find((x) => x.projectId === e.projectId) ?? null;
      return {
        projectId: e.projectId,
        name: p?.name ?? '',
        category: p?.category ?? '',
        categoryTitle: titleOf(PROJECT_CATEGORIES, p?.category ?? ''),
        areaCode: e.areaCode,
        areaName: names.get(e.areaCode) ?? null,
        year: e.year,
        planned: toYuan(e.plannedFen),
        contracted: i?.contractFen != null ? toYuan(i.contractFen) : null,
        paid: toYuan(i?.paidFen ?? 0),
        paidShareOfContract: i?.contractFen ? Math.round((i.paidFen / i.contractFen) * 10000) / 10000 : null,
        progressPercent: i?.progressPercent ?? 0,
        lastProgressDate: i?.lastProgressDate ?? null,
        plannedEnd: i?.plannedEnd ?? p?.content.period.end ?? null,
        state: i?.state ?? null,
        stateTitle: STATE_TITLE(i?.state ?? null),
        caseId: i?.caseId ?? null,
      };
    });
    const totalsOf = (list: ProjectPlanEntryEntity[]): Totals => {
      const im = list.map((e) => impls.find((x) => x.projectId === e.projectId));
      return {
        projects: list.length,
        planned: toYuan(list.reduce((s, e) => s + e.plannedFen, 0)),
        contracted: toYuan(im.reduce((s, i) => s + (i?.contractFen ?? 0), 0)),
        paid: toYuan(im.reduce((s, i) => s + (i?.paidFen ?? 0), 0)),
      };
    };
    const group = (key: (code: string) => string) => {
      const m = new Map<string, ProjectPlanEntryEntity[]>();
      for (const e of entries) m.set(key(e.areaCode), [...(m.get(key(e.areaCode)) ?? []), e]);
      return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([areaCode, list]) => ({ areaCode, name: names.get(areaCode) ?? null, ...totalsOf(list) }));
    };
    return {
      areaCode: q.areaCode ?? user.areaCode,
      year: q.year ?? null,
      rows,
      totals: totalsOf(entries),
      counties: group(countyOf),
      townships: group(townshipOf),
    };
  }

  ledgerCsv(l: Awaited<ReturnType<ProjectImplementationService['ledger']>>): string {
    return csvOf(LEDGER_HEADER, [...l.rows.map(ledgerCells), ...l.counties.map((c) => totalCells(`合计（${c.name ?? c.areaCode}）`, c))]);
  }

  ledgerXlsx(l: Awaited<ReturnType<ProjectImplementationService['ledger']>>): Promise<Buffer> {
    return xlsxOf('项目实施台账', LEDGER_HEADER, [...l.rows.map(ledgerCells), ...l.counties.map((c) => totalCells(`合计（${c.name ?? c.areaCode}）`, c))]);
  }

  /** `GET /project-implementations/{projectId}`: the project's plan, implementation, payments and assets. */
  async project(user: AuthUser, projectId: string) {
    const em = this.uow.manager;
    const project = isRowId(projectId) ? await em.findOneBy(ProjectEntity, { id: projectId }) : null;
    if (!project) throw AppError.notFound('项目');
    assertInArea(user, project.areaCode, '项目');
    const plan = await em.findOneBy(ProjectPlanEntryEntity, { projectId });
    const impl = await em.findOneBy(ProjectImplementationEntity, { projectId });
    const payments = await em.find(ProjectPaymentEntity, { where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
    const assets = await em.find(ProjectAssetEntity, { where: { projectId }, order: { name: 'ASC', id: 'ASC' } });
    return {
      projectId,
      name: project.name,
      areaCode: project.areaCode,
      plan: plan ? { year: plan.year, funds: plan.funds.map((f) => ({ source: f.source, amount: toYuan(f.amountFen) })), planned: toYuan(plan.plannedFen) } : null,
      implementation: impl
        ? {
            caseId: impl.caseId,
            state: impl.state,
            stateTitle: STATE_TITLE(impl.state),
            contractNo: impl.contractNo,
            contracted: impl.contractFen != null ? toYuan(impl.contractFen) : null,
            startedOn: impl.startedOn,
            plannedEnd: impl.plannedEnd,
            progressPercent: impl.progressPercent,
            lastProgressDate: impl.lastProgressDate,
            completedOn: impl.completedOn,
            acceptedAt: impl.acceptedAt?.toISOString() ?? null,
            closedAt: impl.closedAt?.toISOString() ?? null,
            paid: toYuan(impl.paidFen),
          }
        : null,
      payments: payments.map((p) => ({
        caseId: p.id,
        kind: p.kind,
        kindTitle: PAYMENT_KIND_TITLES[p.kind as PaymentKind] ?? p.kind,
        amount: toYuan(p.amountFen),
        invoiceNo: p.invoiceNo,
        contractRef: p.contractRef,
        status: p.status,
        requestedById: p.requestedById,
        approvedById: p.approvedById,
        paidAt: p.paidAt?.toISOString() ?? null,
        createdAt: p.createdAt.toISOString(),
      })),
      assets: assets.map((a) => this.assetView(a, null)),
    };
  }

  private assetView(a: ProjectAssetEntity, projectName: string | null, areaName: string | null = null) {
    return {
      id: a.id,
      projectId: a.projectId,
      projectName,
      caseId: a.caseId,
      areaCode: a.areaCode,
      areaName,
      name: a.name,
      kind: a.kind,
      quantity: a.quantity,
      unit: a.unit,
      value: toYuan(a.valueFen),
      owner: { type: a.ownerType, typeTitle: OWNER_TITLES[a.ownerType] ?? a.ownerType, name: a.ownerName, areaCode: a.ownerAreaCode },
      handoverDate: a.handoverDate,
      registeredAt: a.registeredAt.toISOString(),
    };
  }

  /** 资产台账: every registered asset of the area's projects, with whom it was handed to. */
  async assets(user: AuthUser, q: LedgerQuery) {
    const em = this.uow.manager;
    const qb = em.createQueryBuilder(ProjectAssetEntity, 'a');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('a.areaCode LIKE :like', { like });
    let rows = await qb.orderBy('a.areaCode').addOrderBy('a.registeredAt').addOrderBy('a.id').getMany();
    const ids = [...new Set(rows.map((a) => a.projectId))];
    const projects = ids.length ? await em.findBy(ProjectEntity, { id: In(ids) }) : [];
    const plans = ids.length ? await em.findBy(ProjectPlanEntryEntity, { projectId: In(ids) }) : [];
    if (q.year !== undefined) rows = rows.filter((a) => plans.find((p) => p.projectId === a.projectId)?.year === q.year);
    const names = await this.areas.names([...new Set(rows.map((a) => a.areaCode))]);
    const items = rows.map((a) => this.assetView(a, projects.find((p) => p.id === a.projectId)?.name ?? null, names.get(a.areaCode) ?? null));
    return { areaCode: q.areaCode ?? user.areaCode, year: q.year ?? null, items, totals: { assets: items.length, value: toYuan(rows.reduce((s, a) => s + a.valueFen, 0)) } };
  }

  assetsCsv(l: Awaited<ReturnType<ProjectImplementationService['assets']>>): string {
    return csvOf(ASSET_HEADER, l.items.map(assetCells));
  }

  assetsXlsx(l: Awaited<ReturnType<ProjectImplementationService['assets']>>): Promise<Buffer> {
    return xlsxOf('资产台账', ASSET_HEADER, l.items.map(assetCells));
  }

  // ------------------------------------------------------------------ detectors

  private async open(user: AuthUser, areaCode: string | undefined): Promise<ProjectImplementationEntity[]> {
    if (user.role === 'admin') {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '督查报表供业务和监督人员使用', { requiredRoles: ['village', 'township', 'county', 'department', 'supervisor'] });
    }
    const qb = this.uow.manager
      .createQueryBuilder(ProjectImplementationEntity, 'i')
      .where('i.state IN (:...states)', { states: ['contracting', 'in_progress', 'acceptance'] });
    const like = narrowArea(user, areaCode);
    if (like) qb.andWhere('i.areaCode LIKE :like', { like });
    return qb.orderBy('i.areaCode').addOrderBy('i.createdAt').getMany();
  }

  private detectorRow(i: ProjectImplementationEntity, names: Map<string, string>, extra: Record<string, unknown>) {
    return {
      projectId: i.projectId,
      caseId: i.caseId,
      name: i.name,
      areaCode: i.areaCode,
      areaName: names.get(i.areaCode) ?? null,
      year: i.year,
      state: i.state,
      stateTitle: STATE_TITLE(i.state),
      progressPercent: i.progressPercent,
      lastProgressDate: i.lastProgressDate,
      plannedEnd: i.plannedEnd,
      contracted: i.contractFen != null ? toYuan(i.contractFen) : null,
      paid: toYuan(i.paidFen),
      ...extra,
    };
  }

  /**
   * Projects in implementation with no progress report for `projects.stalledAfter` (of the
   * project's area, in force now), counted from the last report, else the start of works, else
   * the opening of the case.
   */
  async stalled(user: AuthUser, areaCode?: string) {
    const rows = (await this.open(user, areaCode)).filter((i) => i.state !== 'acceptance');
    const names = await this.areas.names([...new Set(rows.map((r) => r.areaCode))]);
    const out = [];
    for (const i of rows) {
      const after = (await this.policies.effective(i.areaCode)).values['projects.stalledAfter'] ?? POLICY_KEYS['projects.stalledAfter'].default;
      const cutoff = beijingDate(subtractDuration(new Date(), after));
      const since = i.lastProgressDate ?? i.startedOn ?? beijingDate(i.createdAt);
      if (since < cutoff) out.push(this.detectorRow(i, names, { since, stalledAfter: after }));
    }
    return { areaCode: areaCode ?? user.areaCode, items: out };
  }

  /**
   * Projects not yet accepted whose planned end (the contract's, else the library period's) has
   * passed — and planned projects whose library period ended with no implementation opened
   * (issue 19: they are overdue too, not invisible).
   */
  async overdue(user: AuthUser, areaCode?: string) {
    const today = beijingDate(new Date());
    const rows = (await this.open(user, areaCode)).filter((i) => i.plannedEnd < today);
    const qb = this.uow.manager
      .createQueryBuilder(ProjectPlanEntryEntity, 'e')
      .leftJoin(ProjectImplementationEntity, 'i', 'i.projectId = e.projectId')
      .where('i.id IS NULL');
    const like = narrowArea(user, areaCode);
    if (like) qb.andWhere('e.areaCode LIKE :like', { like });
    const unopened = await qb.orderBy('e.areaCode').addOrderBy('e.addedAt').getMany();
    const projects = unopened.length ? await this.uow.manager.findBy(ProjectEntity, { id: In(unopened.map((e) => e.projectId)) }) : [];
    const never = unopened
      .map((e) => ({ e, p: projects.find((p) => p.id === e.projectId) }))
      .filter((x): x is { e: ProjectPlanEntryEntity; p: ProjectEntity } => !!x.p && x.p.content.period.end < today);
    const names = await this.areas.names([...new Set([...rows.map((r) => r.areaCode), ...never.map((x) => x.e.areaCode)])]);
    const daysSince = (end: string) => calendarDaysBetween(end, today);
    return {
      areaCode: areaCode ?? user.areaCode,
      today,
      items: [
        ...rows.map((i) => this.detectorRow(i, names, { daysOverdue: daysSince(i.plannedEnd) })),
        ...never.map(({ e, p }) => ({
          projectId: e.projectId,
          caseId: null,
          name: p.name,
          areaCode: e.areaCode,
          areaName: names.get(e.areaCode) ?? null,
          year: e.year,
          state: null,
          stateTitle: STATE_TITLE(null),
          progressPercent: 0,
          lastProgressDate: null,
          plannedEnd: p.content.period.end,
          contracted: null,
          paid: 0,
          daysOverdue: daysSince(p.content.period.end),
          neverOpened: true,
        })),
      ],
    };
  }
}

const LEDGER_HEADER = ['年度', '项目名称', '类别', '村', '区划代码', '计划资金(元)', '合同金额(元)', '已拨付(元)', '拨付占合同比例', '工程进度(%)', '最近进度日期', '计划完工', '状态'];
const ledgerCells = (r: LedgerRow): unknown[] => [
  r.year, r.name, r.categoryTitle, r.areaName, r.areaCode, yuanText(Math.round(r.planned * 100)),
  r.contracted === null ? '' : yuanText(Math.round(r.contracted * 100)), yuanText(Math.round(r.paid * 100)),
  r.paidShareOfContract === null ? '' : `${(r.paidShareOfContract * 100).toFixed(2)}%`, r.progressPercent, r.lastProgressDate, r.plannedEnd, r.stateTitle,
];
const totalCells = (label: string, t: Totals): unknown[] => [
  '', label, '', '', '', yuanText(Math.round(t.planned * 100)), yuanText(Math.round(t.contracted * 100)), yuanText(Math.round(t.paid * 100)), '', '', '', '', `${t.projects}个项目`,
];
const ASSET_HEADER = ['项目名称', '村', '区划代码', '资产名称', '资产类别', '数量', '单位', '资产价值(元)', '确权移交对象类型', '确权移交对象', '移交日期'];
type AssetItem = Awaited<ReturnType<ProjectImplementationService['assets']>>['items'][number];
const assetCells = (a: AssetItem): unknown[] => [
  a.projectName, a.areaName, a.areaCode, a.name, a.kind, a.quantity, a.unit, yuanText(Math.round(a.value * 100)), a.owner.typeTitle, a.owner.name, a.handoverDate,
];

