import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, In, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { validateBody } from '../../common/http/validation';
import type { CaseEntity } from '../../database/entities';
import { type PaymentFacts, toFen } from '../../machines/project-funds';
import { invoiceKeyOf, type PaymentContext, type PaymentCreationFacts, type PaymentInput, paymentCreationRules, projectPayment } from '../../machines/project-payment.machine';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { ProjectEntity } from '../project-intake/project.entity';
import { CreatePaymentDto } from './implementation.dto';
import { LIVE_PAYMENT_STATUSES, ProjectImplementationEntity, ProjectPaymentEntity } from './implementation.entities';

const countyOf = (code: string) => `${code.slice(0, 6)}000000`;

/** The figures a payment of a project is judged on; `excludeCaseId`: the payment being judged. */
export async function paymentFacts(em: EntityManager, projectId: string, excludeCaseId: string | null): Promise<PaymentFacts> {
  // issue 19 (item 9): inside a step on PostgreSQL the project's row is locked first, so two
  // payments of one project are judged one after the other — the second sees the first as
  // waiting (READ COMMITTED: each statement below reads what committed before it) and is refused
  // when both together exceed the limit. SQLite runs one transaction at a time anyway.
  const lock = em.connection.options.type === 'postgres' && !!em.queryRunner?.isTransactionActive;
  const impl = await em.findOne(ProjectImplementationEntity, { where: { projectId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  const others = await em.find(ProjectPaymentEntity, {
    where: excludeCaseId ? { projectId, id: Not(excludeCaseId) } : { projectId },
    select: { id: true, kind: true, amountFen: true, status: true },
  });
  const sum = (list: ProjectPaymentEntity[]) => list.reduce((s, p) => s + p.amountFen, 0);
  return {
    implementationState: impl?.state ?? null,
    contractNo: impl?.contractNo ?? null,
    contractFen: impl?.contractFen ?? null,
    plannedFen: impl?.plannedFen ?? 0,
    progressPercent: impl?.progressPercent ?? 0,
    accepted: !!impl?.acceptedAt,
    // the implementation row's figure: approvals raise it only from what they saw (see afterTransition)
    paidFen: impl?.paidFen ?? 0,
    pendingFen: sum(others.filter((p) => p.status === 'submitted')),
    advanceFen: sum(others.filter((p) => p.kind === 'advance' && (p.status === 'submitted' || p.status === 'paid'))),
  };
}

/** Wraps the project-payment machine (拨付, SF-23): one case per payment request. */
@Injectable()
export class ProjectPaymentAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [projectPayment];
  readonly creatorRoles = ['village' as const, 'township' as const, 'county' as const];

  constructor(private readonly registry: ProcedureRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    const dto = validateBody(CreatePaymentDto, body);
    const project = await em.findOneBy(ProjectEntity, { id: dto.projectId });
    if (!project) throw AppError.notFound('项目');
    assertInArea(actor, project.areaCode, '项目');
    const impl = await em.findOne(ProjectImplementationEntity, { where: { projectId: project.id }, select: { caseId: true, state: true } });
    const input: PaymentInput = {
      areaCode: project.areaCode,
      projectId: project.id,
      implementationCaseId: impl?.caseId ?? '',
      kind: dto.kind,
      amountFen: toFen(dto.amount),
      invoiceNo: dto.invoiceNo,
      contractRef: dto.contractRef,
      purpose: dto.purpose,
    };
    // 重复报账: the same invoice on another live payment request of the county
    const reused = await em.findOne(ProjectPaymentEntity, {
      where: { countyCode: countyOf(project.areaCode), invoiceKey: invoiceKeyOf(dto.invoiceNo), status: In([...LIVE_PAYMENT_STATUSES]) },
      select: { id: true, projectId: true },
    });
    const facts: PaymentCreationFacts = { implementationState: impl?.state ?? null, invoiceUsedBy: reused?.id ?? null };
    return { areaCode: project.areaCode, subjectId: project.id, input: { ...input }, auditData: { ...input }, facts: { ...facts } };
  }

  async facts({ caseRow, em }: { caseRow: CaseEntity; em: EntityManager }): Promise<Record<string, unknown>> {
    return { ...(await paymentFacts(em, caseRow.subjectId, caseRow.id)) };
  }

  async afterCreate({ em, caseRow, context }: { em: EntityManager; caseRow: CaseEntity; context: Record<string, any> }): Promise<void> {
    const c = context as PaymentContext;
    try {
      await em.insert(ProjectPaymentEntity, {
        id: caseRow.id,
        projectId: c.projectId,
        areaCode: c.areaCode,
        countyCode: countyOf(c.areaCode),
        kind: c.kind,
        amountFen: c.amountFen,
        invoiceNo: c.invoiceNo,
        invoiceKey: invoiceKeyOf(c.invoiceNo),
        contractRef: c.contractRef,
        status: 'draft',
        requestedById: caseRow.createdById,
        approvedById: null,
        paidAt: null,
        createdAt: caseRow.createdAt,
        updatedAt: caseRow.createdAt,
      });
    } catch (err) {
      // a concurrent request with the same invoice won the partial unique index
      if (isUniqueViolation(err)) {
        throw new AppError(ErrorCode.RULE_VIOLATED, paymentCreationRules.invoice_not_reused.message, { rule: 'invoice_not_reused', invoiceNo: c.invoiceNo });
      }
      throw err;
    }
  }

  async afterTransition({ em, caseRow, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as PaymentContext;
    const now = new Date(event.env.now);
    const status = ({ finance_review: 'submitted', paid: 'paid', rejected: 'rejected', withdrawn: 'withdrawn' } as const)[toState as 'paid'];
    if (!status) return;
    if (status === 'paid') {
      // raise the project's paid figure only from the one the rules judged: a concurrent approval
      // of another payment of the project makes this one a conflict to retry, never a lost update
      const seen = (event.env.facts as unknown as PaymentFacts).paidFen;
      const raised = await em.update(ProjectImplementationEntity, { projectId: c.projectId, paidFen: seen }, { paidFen: seen + c.amountFen, updatedAt: now });
      if (!raised.affected) {
        throw new AppError(ErrorCode.VERSION_CONFLICT, '该项目的拨付数据已被他人更新，请刷新后重试', { projectId: c.projectId });
      }
    }
    await em.update(ProjectPaymentEntity, { id: caseRow.id }, {
      status,
      approvedById: status === 'paid' ? event.actor.id : null,
      paidAt: status === 'paid' ? now : null,
      updatedAt: now,
    });
  }
}
