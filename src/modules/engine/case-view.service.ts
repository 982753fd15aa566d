import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { UnitOfWork } from '../../database/database.module';
import { CaseEntity, EvidenceEntity } from '../../database/entities';
import { maskPersonalData } from '../../common/domain/id-number';
import { seesPersonalData } from '../households/households.service';
import { type AvailableAction, type CaseFacts, CheckPipeline } from './check-pipeline';
import { eventsOf, stateMeta } from './introspection';
import { type Prefetched, ProcedureRegistry } from './procedure-adapter';
import { type EvidenceRow, loadEvidence, usableTypes } from './evidence-use';
import { readCase, visibleCase } from './case-read';
import { isRowId } from '../../common/domain/row-id';

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
  /** the case history entry that first used it (null: not used yet) and its event */
  usedInSeq: number | null;
  usedFor: string | null;
}

export type { AvailableAction } from './check-pipeline';

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
    usedInSeq: e.usedInSeq,
    usedFor: e.usedFor,
  };
}

@Injectable()
export class CaseViewService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly checks: CheckPipeline,
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

  /**
   * The case as the caller sees it. `known` is what the request already holds — the case's
   * evidence and the checks' facts after a transition — so a transition's response is built
   * without reading back what its transaction wrote.
   */
  async view(
    c: CaseEntity,
    actor: AuthUser,
    em: EntityManager = this.uow.manager,
    known: { evidence?: EvidenceRow[]; facts?: CaseFacts; prefetched?: Prefetched } = {},
  ): Promise<CaseView> {
    const evidence = known.evidence ?? (await this.evidenceOf(em, c));
    const { timers: _timers, ...context } = c.snapshot.context;
    // ID numbers and phones in the case's data (an assistance contact's phone, …) only in full
    // for township users and above in the case's area, as everywhere else
    const data = seesPersonalData(actor, c.areaCode) ? context : maskPersonalData(context);
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
      availableActions: await this.availableActions(c, actor, evidence, em, known.facts, known.prefetched),
      createdBy: c.createdById,
      createdAt: c.createdAt.toISOString(),
      closedAt: c.closedAt ? c.closedAt.toISOString() : null,
    };
  }

  /**
   * `GET /cases/{id}`: the case and its files read in one round trip (issue 21: BEGIN, both
   * reads and COMMIT in one pipeline, UnitOfWork.read), then the view. The files of a case the
   * caller may not see are read and dropped with it: the answer is the same 404.
   */
  read(caseId: string, actor: AuthUser): Promise<CaseView> {
    return this.uow.read(async (em) => {
      const [row, evidence] = await Promise.all([readCase(em, caseId), readCaseEvidence(em, caseId)]);
      return this.view(visibleCase(row, actor), actor, em, { evidence });
    });
  }

  /** The files of a case and the loose files of its batch, oldest first (with what the single-use rule reads). */
  evidenceOf(em: EntityManager, c: CaseEntity): Promise<EvidenceRow[]> {
    return loadEvidence(em, c);
  }

  /**
   * What the caller may send now: the engine's own check pipeline, run for every event of the
   * caller's role without the request's data (see CheckPipeline.preview).
   */
  private async availableActions(c: CaseEntity, actor: AuthUser, evidence: EvidenceRow[], em: EntityManager, facts?: CaseFacts, prefetched?: Prefetched): Promise<AvailableAction[]> {
    const def = this.registry.definition(c.procedure, c.machineVersion);
    if (!eventsOf(def.machine, c.state).some((e) => e.branches[0].meta.roles.includes(actor.role))) return [];
    const k = facts ?? (await this.checks.load(em, c, actor, [c.state], prefetched));
    return this.checks.preview(k, (event) => usableTypes(evidence, c, def, event));
  }
}

/** The files of the case with this id and the loose files of its batch (found in SQL), none for a text that is no UUID. */
function readCaseEvidence(em: EntityManager, caseId: string): Promise<EvidenceRow[]> {
  return isRowId(caseId) ? loadEvidence(em, { id: caseId, batchId: 'read' }) : Promise.resolve([]);
}
