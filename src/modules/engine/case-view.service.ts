import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { AuditEntryEntity, CaseEntity, EvidenceEntity } from '../../database/entities';
import type { ProcedureEvent, RuleSet } from '../../machines/procedure';
import { failingRules } from '../../machines/procedure';
import { PoliciesService } from '../policies/policies.service';
import { eventsOf, stateMeta } from './introspection';
import { ProcedureRegistry } from './procedure-adapter';
import { checkSeparation, missingEvidence, requiredFields } from './requirements';

export interface EvidenceView {
  id: string;
  type: string;
  sha256: string;
  size: number;
  mimeType: string;
  fileName: string;
  uploadedBy: string;
  uploadedAt: string;
  caseId: string | null;
  batchId: string | null;
}

export interface AvailableAction {
  event: string;
  title: string;
  titleEn: string;
  allowed: boolean;
  missing: { evidence: string[]; oneOf: string[][]; fields: string[] };
  reasonRequired: boolean;
  blockedBy: string | null;
  rules?: string[];
}

export interface CaseSummary {
  id: string;
  procedure: string;
  state: string;
  stateTitle: string;
  areaCode: string;
  subject: { type: string; id: string };
  version: number;
  deadline: { dueAt: string; overdue: boolean } | null;
  updatedAt: string;
}

export interface CaseView extends CaseSummary {
  machineVersion: number;
  data: Record<string, unknown>;
  evidence: EvidenceView[];
  batchId: string | null;
  notice: { startsAt: string; endsAt: string } | null;
  policyVersion: string;
  availableActions: AvailableAction[];
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
}

export function evidenceView(e: EvidenceEntity): EvidenceView {
  return {
    id: e.id,
    type: e.type,
    sha256: e.sha256,
    size: e.size,
    mimeType: e.mimeType,
    fileName: e.fileName,
    uploadedBy: e.uploadedById,
    uploadedAt: e.uploadedAt.toISOString(),
    caseId: e.caseId,
    batchId: e.batchId,
  };
}

@Injectable()
export class CaseViewService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  stateTitle(c: CaseEntity): string {
    return stateMeta(this.registry.definition(c.procedure, c.machineVersion).machine, c.state).title;
  }

  summary(c: CaseEntity, now = new Date()): CaseSummary {
    return {
      id: c.id,
      procedure: c.procedure,
      state: c.state,
      stateTitle: this.stateTitle(c),
      areaCode: c.areaCode,
      subject: { type: c.subjectType, id: c.subjectId },
      version: c.version,
      deadline: c.deadlineAt
        ? { dueAt: c.deadlineAt.toISOString(), overdue: !c.closedAt && c.deadlineAt.getTime() < now.getTime() }
        : null,
      updatedAt: c.updatedAt.toISOString(),
    };
  }

  async view(c: CaseEntity, actor: AuthUser, em: EntityManager = this.uow.manager): Promise<CaseView> {
    const evidence = await em.find(EvidenceEntity, {
      where: c.batchId ? [{ caseId: c.id }, { batchId: c.batchId, caseId: IsNull() }] : [{ caseId: c.id }],
      order: { uploadedAt: 'ASC' },
    });
    const { timers: _timers, ...data } = c.snapshot.context;
    const notice = c.noticeStartsAt && c.noticeEndsAt
      ? { startsAt: c.noticeStartsAt.toISOString(), endsAt: c.noticeEndsAt.toISOString() }
      : null;
    return {
      ...this.summary(c),
      machineVersion: c.machineVersion,
      data,
      evidence: evidence.map(evidenceView),
      batchId: c.batchId,
      notice,
      policyVersion: c.policyVersion,
      availableActions: await this.availableActions(c, actor, evidence, em),
      createdBy: c.createdById,
      createdAt: c.createdAt.toISOString(),
      closedAt: c.closedAt ? c.closedAt.toISOString() : null,
    };
  }

  /**
   * What the caller may send now. For each event of the caller's role: whether it is allowed,
   * and what is still missing — evidence not yet uploaded to the case, the data fields the
   * step asks for, and the first blocking code. Rules that read the event's data are judged
   * when the event is sent.
   */
  private async availableActions(c: CaseEntity, actor: AuthUser, evidence: EvidenceEntity[], em: EntityManager): Promise<AvailableAction[]> {
    const def = this.registry.definition(c.procedure, c.machineVersion);
    const events = eventsOf(def.machine, c.state).filter((e) => e.branches[0].meta.roles.includes(actor.role));
    if (!events.length) return [];
    const unused = evidence.filter((e) => e.usedInSeq === null).map((e) => e.type);
    const history = await em.find(AuditEntryEntity, {
      where: { caseId: c.id, actorId: actor.id },
      select: { actorId: true, fromState: true, toState: true },
    });
    const policy = await this.policies.forCase(c.areaCode, c.policyVersionIds);
    const adapter = this.registry.adapter(c.procedure);
    const facts = adapter.facts ? await adapter.facts({ caseRow: c, type: '', em }) : {};
    const rules = def.rules as RuleSet<Record<string, unknown>>;

    return events.map(({ type, branches }) => {
      const meta = branches[0].meta;
      const missing = missingEvidence(meta.evidence, unused);
      const event: ProcedureEvent = {
        type,
        data: {},
        reason: null,
        evidence: [],
        actor: { id: actor.id, role: actor.role, sector: actor.sector },
        env: { now: new Date().toISOString(), policy: policy.values, facts },
      };
      const dataFree = (names: string[] | undefined) => (names ?? []).filter((r) => !rules[r].usesEventData);
      // an event is open if any branch's data-free rules hold
      const failing = branches.map((b) => failingRules(rules, dataFree(b.params.rules), { context: c.snapshot.context, event }));
      const open = failing.some((f) => f.length === 0);
      const sod = checkSeparation(meta, actor, c.state, history);
      const blockedBy = sod
        ? ErrorCode.SEPARATION_OF_DUTIES
        : !open
          ? ErrorCode.RULE_VIOLATED
          : missing.allOf.length || missing.oneOf.length
            ? ErrorCode.EVIDENCE_MISSING
            : null;
      return {
        event: type,
        title: meta.title,
        titleEn: meta.titleEn,
        allowed: blockedBy === null,
        missing: { evidence: missing.allOf, oneOf: missing.oneOf, fields: requiredFields(meta) },
        reasonRequired: branches.some((b) => b.meta.reasonRequired === true),
        blockedBy,
        rules: !open ? [...new Set(failing.flat())] : undefined,
      };
    });
  }
}
