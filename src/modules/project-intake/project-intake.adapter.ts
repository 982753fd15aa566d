import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { levelOf } from '../../common/domain/area';
import { titleOf } from '../../common/domain/enums';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { validateBody } from '../../common/http/validation';
import { AreaEntity, CaseEntity } from '../../database/entities';
import {
  contentProblems,
  PROJECT_CATEGORIES,
  PROJECT_INTAKE,
  type ProjectContent,
  type ProjectContext,
  type ProjectInput,
  projectIntake,
  projectRules,
  type ProjectCreationFacts,
} from '../../machines/project-intake.machine';
import { round2 } from '../../machines/procedure';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { PoliciesService } from '../policies/policies.service';
import { CreateProjectDto } from './project-intake.dto';
import { ProjectEntity, ProjectVersionEntity } from './project.entity';

const KIND_TITLES: Record<string, string> = { output: '产出', benefit: '效益', satisfaction: '满意度' };

function contentOf(dto: CreateProjectDto): ProjectContent {
  return {
    name: dto.name,
    category: dto.category,
    subCategory: dto.subCategory ?? null,
    year: dto.year,
    budget: { total: dto.budget.total, linkageFunds: dto.budget.linkageFunds, otherFunds: dto.budget.otherFunds },
    fundSource: dto.fundSource,
    period: { start: dto.period.start, end: dto.period.end },
    content: dto.content,
    performanceTargets: (dto.performanceTargets ?? []).map((t) => ({ kind: t.kind, indicator: t.indicator, value: t.value, unit: t.unit })),
    beneficiaries: dto.beneficiaries
      ? {
          households: dto.beneficiaries.households,
          formerlyPoorHouseholds: dto.beneficiaries.formerlyPoorHouseholds,
          monitoredHouseholds: dto.beneficiaries.monitoredHouseholds,
        }
      : null,
    linkageMechanism: dto.linkageMechanism ?? null,
  };
}

const rule = (id: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.RULE_VIOLATED, message, { rule: id, ...details });

/** Wraps the project-intake machine: opens applications and change cases, keeps the library. */
@Injectable()
export class ProjectIntakeAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [projectIntake];
  readonly creatorRoles = ['village' as const];

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    const dto = validateBody(CreateProjectDto, body);
    if (levelOf(dto.areaCode) !== 'village') throw AppError.validation({ areaCode: '项目应申报在村（12位村级区划代码）' });
    assertInArea(actor, dto.areaCode, '行政区划');
    if (!(await em.existsBy(AreaEntity, { code: dto.areaCode }))) throw AppError.notFound('行政区划');

    const change = dto.changeOf ? await this.changed(em, dto, actor) : null;
    const input: ProjectInput = {
      areaCode: dto.areaCode,
      project: contentOf(dto),
      change: change ? { projectId: change.id, fromVersion: change.version, previous: change.content } : null,
    };
    // the machine's own content rules, against the policy the case will run under
    const problems = contentProblems(input, (await this.policies.effective(dto.areaCode)).values);
    if (problems.length) {
      throw new AppError(ErrorCode.RULE_VIOLATED, problems.map((r) => projectRules[r].message).join('；'), {
        rule: problems[0],
        rules: problems.map((id) => ({ id, message: projectRules[id].message })),
      });
    }
    const auditData = { ...input, change: change ? { projectId: change.id, fromVersion: change.version } : null };
    const facts: ProjectCreationFacts = { changeOf: change ? { projectId: change.id, status: change.status, changeCaseId: change.changeCaseId } : null };
    return { areaCode: dto.areaCode, subjectId: change?.id ?? randomUUID(), input: { ...input }, auditData, facts: { ...facts } };
  }

  /** The project a change case changes: in the library, in the caller's area, with no other change open. */
  private async changed(em: EntityManager, dto: CreateProjectDto, actor: AuthUser): Promise<ProjectEntity> {
    const id = dto.changeOf!;
    let project = await em.findOneBy(ProjectEntity, { id });
    if (!project) {
      const viaCase = await em.findOne(CaseEntity, { where: { id, procedure: PROJECT_INTAKE }, select: { subjectId: true } });
      project = viaCase ? await em.findOneBy(ProjectEntity, { id: viaCase.subjectId }) : null;
    }
    if (!project) throw AppError.notFound('项目');
    assertInArea(actor, project.areaCode, '项目');
    if (project.areaCode !== dto.areaCode) throw AppError.validation({ areaCode: '项目变更不能改变项目所在村' });
    // in the library, no other change open: the definition's creation rules, judged by the engine
    return project;
  }

  async afterCreate({ em, caseRow, context }: { em: EntityManager; caseRow: CaseEntity; context: Record<string, any> }): Promise<void> {
    const c = context as ProjectContext;
    const now = caseRow.createdAt;
    if (c.change) {
      // one change at a time, also against a concurrent request for the same project
      const claimed = await em.update(ProjectEntity, { id: c.change.projectId, changeCaseId: IsNull() }, { changeCaseId: caseRow.id, updatedAt: now });
      if (!claimed.affected) throw rule('open_change_exists', '该项目已有正在办理的变更申请');
      return;
    }
    await em.insert(ProjectEntity, {
      id: caseRow.subjectId,
      areaCode: c.areaCode,
      ...this.columns(c.project),
      status: 'applying',
      version: 0,
      applicationCaseId: caseRow.id,
      changeCaseId: null,
      enteredAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as ProjectContext;
    const now = new Date(event.env.now);
    const projectId = caseRow.subjectId;
    if (toState === 'in_library') {
      const current = await em.findOneByOrFail(ProjectEntity, { id: projectId });
      const version = current.version + 1;
      await em.update(ProjectEntity, { id: projectId }, {
        ...this.columns(c.project),
        status: 'in_library',
        version,
        changeCaseId: null,
        enteredAt: now,
        updatedAt: now,
      });
      await em.save(em.create(ProjectVersionEntity, { projectId, version, caseId: caseRow.id, year: c.project.year, content: c.project, enteredAt: now }));
      return;
    }
    if (c.change) {
      if (toState === 'rejected' || toState === 'withdrawn') {
        await em.update(ProjectEntity, { id: projectId, changeCaseId: caseRow.id }, { changeCaseId: null, updatedAt: now });
      }
      return;
    }
    if (toState === 'rejected' || toState === 'withdrawn') {
      await em.update(ProjectEntity, { id: projectId }, { status: toState, updatedAt: now });
    } else if (event.type === 'SUBMIT') {
      // a resubmission may have amended the content
      await em.update(ProjectEntity, { id: projectId }, { ...this.columns(c.project), updatedAt: now });
    }
  }

  private columns(p: ProjectContent) {
    return { name: p.name, category: p.category, year: p.year, totalBudget: p.budget.total, linkageFunds: p.budget.linkageFunds, content: p };
  }

  /** What the public board shows (SF-22): the project, never a person. */
  async noticeSummary({ caseRow, context, em }: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string> {
    const p = (context as ProjectContext).project;
    const village = (await em.findOneBy(AreaEntity, { code: caseRow.areaCode }))?.name ?? caseRow.areaCode;
    const wan = (n: number) => `${round2(n / 10000)}万元`;
    const b = p.beneficiaries;
    const targets = p.performanceTargets.map((t) => `${KIND_TITLES[t.kind] ?? t.kind}：${t.indicator} ${t.value}${t.unit}`).join('；');
    return [
      `项目名称：${p.name}`,
      `类别：${titleOf(PROJECT_CATEGORIES, p.category)}${p.subCategory ? `（${p.subCategory}）` : ''}`,
      `实施地点：${village}`,
      `年度：${p.year}`,
      `总投资：${wan(p.budget.total)}（衔接资金${wan(p.budget.linkageFunds)}，其他资金${wan(p.budget.otherFunds)}）`,
      b ? `受益：${b.households}户（其中脱贫户${b.formerlyPoorHouseholds}户、监测户${b.monitoredHouseholds}户）` : '受益：—',
      `绩效目标：${targets || '—'}`,
      (context as ProjectContext).change ? '（项目变更）' : '',
    ]
      .filter(Boolean)
      .join('；');
  }
}
