import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EntityManager, In, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { isWithin, levelOf } from '../../common/domain/area';
import { calendarDate, endOfCalendarDay } from '../../common/domain/calendar';
import { addDuration } from '../../common/domain/duration';
import { textProblemOf } from '../../common/domain/reason';
import { AppError } from '../../common/errors/app-error';
import { AreaEntity, type CaseEntity } from '../../database/entities';
import {
  type FindingSnapshot,
  rectification,
  type RectificationContext,
  type RectificationCreationFacts,
  type RectificationFacts,
  type RectificationInput,
  rolesAtLevel,
} from '../../machines/rectification.machine';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { validateSchema } from '../engine/requirements';
import { PoliciesService } from '../policies/policies.service';
import { DetectorsService } from './detectors';
import { RectificationFindingEntity, RectificationItemEntity } from './rectification.entities';

const createSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['findingId', 'areaCode', 'responsibleUnit', 'responsiblePerson', 'measures'],
  properties: {
    findingId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$', description: '问题编号' },
    areaCode: { type: 'string', pattern: '^\\d{12}$', description: '责任区域（12位区划代码）' },
    responsibleUnit: { type: 'string', minLength: 2, maxLength: 100, description: '责任单位' },
    responsiblePerson: { type: 'string', minLength: 2, maxLength: 50, description: '责任人' },
    measures: { type: 'string', minLength: 2, maxLength: 5000, description: '整改措施' },
    deadline: { type: 'string', format: 'date', description: '完成时限（默认 rectification.deadline）' },
  },
} as const;

/** Who may see a finding: users above its area, and users of an area it concerns. */
export function seesFinding(user: AuthUser, f: Pick<RectificationFindingEntity, 'areaCode' | 'areas'>): boolean {
  return user.areaCode === null || isWithin(f.areaCode, user.areaCode) || f.areas.some((a) => isWithin(a, user.areaCode));
}

export function snapshotOf(f: RectificationFindingEntity): FindingSnapshot {
  return {
    id: f.id,
    source: f.source,
    category: f.category,
    description: f.description,
    severity: f.severity,
    areas: f.areas,
    detector: f.detector
      ? { id: f.detector, params: f.detectorParams ?? {}, scopeArea: f.detectorScopeArea, scopeRole: f.detectorScopeRole ?? 'supervisor', subjectKey: f.subjectKey ?? '' }
      : null,
  };
}

/**
 * Wraps the rectification machine: 交办 opens an item (a case) of a finding for one responsible
 * area with its own deadline; the ledger table mirrors every step; before an event on an item
 * awaiting acceptance whose finding a detector produced, the detector runs again (same
 * parameters, same scope) and the machine's `detector_cleared` rule reads whether it still
 * lists the subject.
 */
@Injectable()
export class RectificationAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [rectification];
  readonly creatorRoles = ['county' as const, 'township' as const];
  readonly deadlineKey = 'rectification.deadline' as const;

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
    private readonly detectors: DetectorsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    validateSchema(createSchema, body);
    const dto = body as { findingId: string; areaCode: string; responsibleUnit: string; responsiblePerson: string; measures: string; deadline?: string };
    const finding = await em.findOneBy(RectificationFindingEntity, { id: dto.findingId.toLowerCase() });
    if (!finding || !seesFinding(actor, finding)) throw AppError.notFound('问题');
    const level = levelOf(dto.areaCode);
    if (!level || !rolesAtLevel(dto.areaCode).length) throw AppError.validation({ areaCode: '责任区域应为县、乡镇或村（12位区划代码）' });
    assertInArea(actor, dto.areaCode, '行政区划');
    if (!(await em.existsBy(AreaEntity, { code: dto.areaCode }))) throw AppError.notFound('行政区划');
    const policy = (await this.policies.effective(dto.areaCode)).values;
    const problem = textProblemOf(dto.measures, policy, 'justification', '整改措施');
    if (problem) throw AppError.validation({ measures: problem });

    const now = new Date();
    let deadline = dto.deadline;
    let deadlineAt: Date;
    if (deadline) {
      // the end of the day named, in China
      deadlineAt = endOfCalendarDay(deadline);
    } else {
      deadlineAt = addDuration(now, policy[this.deadlineKey]);
      deadline = calendarDate(deadlineAt);
    }
    const open = await em.findOne(RectificationItemEntity, {
      where: { findingId: finding.id, areaCode: dto.areaCode, status: Not(In(['closed', 'cancelled'])) },
      select: { id: true },
    });
    const input: RectificationInput = {
      finding: snapshotOf(finding),
      areaCode: dto.areaCode,
      responsibleUnit: dto.responsibleUnit.trim(),
      responsiblePerson: dto.responsiblePerson.trim(),
      measures: dto.measures.trim(),
      deadline,
      assignedBy: { id: actor.id, role: actor.role, areaCode: actor.areaCode },
    };
    const facts: RectificationCreationFacts = { openItemId: open?.id ?? null };
    return { areaCode: dto.areaCode, subjectId: finding.id, input: { ...input }, auditData: { ...input }, facts: { ...facts }, deadlineAt };
  }

  async afterCreate({ em, caseRow, context }: { em: EntityManager; caseRow: CaseEntity; context: Record<string, any> }): Promise<void> {
    const c = context as RectificationContext;
    await em.insert(RectificationItemEntity, {
      id: caseRow.id,
      findingId: c.finding.id,
      areaCode: c.areaCode,
      source: c.finding.source,
      category: c.finding.category,
      severity: c.finding.severity,
      problem: c.finding.description,
      measures: c.measures,
      responsibleUnit: c.responsibleUnit,
      responsiblePerson: c.responsiblePerson,
      deadline: c.deadline,
      deadlineAt: caseRow.deadlineAt!,
      status: caseRow.state,
      progress: null,
      progressCount: 0,
      returns: 0,
      detector: c.finding.detector?.id ?? null,
      assignedById: c.assignedBy.id,
      assignedByRole: c.assignedBy.role,
      assignedAt: caseRow.createdAt,
      closedAt: null,
      updatedAt: caseRow.createdAt,
    });
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as RectificationContext;
    const now = new Date(event.env.now);
    await em.update(RectificationItemEntity, { id: caseRow.id }, {
      status: toState,
      progress: c.progress.at(-1)?.progress ?? null,
      progressCount: c.progress.length,
      returns: c.returns,
      closedAt: toState === 'closed' || toState === 'cancelled' ? now : null,
      updatedAt: now,
    });
  }

  /** Awaiting acceptance, a detector-born item: the detector, run again as it first ran. */
  async facts({ caseRow }: { caseRow: CaseEntity; type: string; em: EntityManager }): Promise<Record<string, unknown>> {
    const d = (caseRow.snapshot.context as RectificationContext).finding.detector;
    if (!d || caseRow.state !== 'acceptance') return {};
    const scope: AuthUser = { id: 'system', username: 'system', displayName: '系统复核', role: d.scopeRole as never, areaCode: d.scopeArea, sector: null };
    const listed = await this.detectors.run(d.id, scope, d.params);
    const facts: RectificationFacts = {
      detector: { id: d.id, subjectKey: d.subjectKey, stillListed: listed.some((s) => s.key === d.subjectKey), checkedAt: new Date().toISOString() },
    };
    return { ...facts };
  }
}
