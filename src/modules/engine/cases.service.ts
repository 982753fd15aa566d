import { Inject, Injectable } from '@nestjs/common';
import { Brackets, In, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, narrowArea } from '../../common/auth/scope';
import { verifyChain } from '../../common/audit/audit-hash';
import { UnitOfWork } from '../../database/database.module';
import { AppError } from '../../common/errors/app-error';
import { AuditEntryEntity, CaseEntity, EvidenceEntity } from '../../database/entities';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { auditEntryFields } from '../audit/chain-fields';
import { EvidenceStore } from '../evidence/evidence-store';
import { maskPersonalData } from '../../common/domain/id-number';
import { seesPersonalData } from '../households/households.service';
import { type CaseFilterQuery, CaseListQuery, PageQuery, TaskListQuery } from './cases.dto';
import { type CaseSummary, CaseViewService } from './case-view.service';
import { EngineService } from './engine.service';
import { eventsOf, stateIds } from './introspection';
import { ProcedureRegistry } from './procedure-adapter';
import { isRowId } from '../../common/domain/row-id';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Reads of cases: lists, to-do, done, history, chain verification. */
@Injectable()
export class CasesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly engine: EngineService,
    private readonly views: CaseViewService,
    private readonly registry: ProcedureRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.store = new EvidenceStore(config.evidence.dir);
  }

  private readonly store: EvidenceStore;

  private base(user: AuthUser, area: string | null): SelectQueryBuilder<CaseEntity> {
    const qb = this.uow.manager.createQueryBuilder(CaseEntity, 'c');
    const like = area ?? areaLike(user);
    if (like) qb.andWhere('c.areaCode LIKE :like', { like });
    return qb;
  }

  private async page(qb: SelectQueryBuilder<CaseEntity>, q: PageQuery): Promise<Page<CaseSummary>> {
    const [rows, total] = await qb
      .orderBy('c.updatedAt', 'DESC')
      .addOrderBy('c.id', 'ASC')
      .skip((q.page - 1) * q.pageSize)
      .take(q.pageSize)
      .getManyAndCount();
    const now = new Date();
    return { items: rows.map((r) => this.views.summary(r, now)), total, page: q.page, pageSize: q.pageSize };
  }

  /** The caller's cases narrowed by the filters every list takes (area within the caller's, 404 outside). */
  private filtered(user: AuthUser, q: CaseFilterQuery): SelectQueryBuilder<CaseEntity> {
    const qb = this.base(user, narrowArea(user, q.areaCode));
    if (q.procedure) qb.andWhere('c.procedure = :procedure', { procedure: q.procedure });
    if (q.state) qb.andWhere('c.state = :state', { state: q.state });
    if (q.overdue !== undefined) {
      qb.andWhere(
        q.overdue
          ? 'c.closedAt IS NULL AND c.deadlineAt IS NOT NULL AND c.deadlineAt < :now'
          : '(c.closedAt IS NOT NULL OR c.deadlineAt IS NULL OR c.deadlineAt >= :now)',
        { now: new Date() },
      );
    }
    return qb;
  }

  async list(user: AuthUser, q: CaseListQuery): Promise<Page<CaseSummary>> {
    const qb = this.filtered(user, q);
    if (q.startedByMe) qb.andWhere('c.createdById = :uid', { uid: user.id });
    if (q.status === 'open') qb.andWhere('c.closedAt IS NULL');
    if (q.status === 'closed') qb.andWhere('c.closedAt IS NOT NULL');
    return this.page(qb, q);
  }

  /** 待办: open cases in the caller's area whose current state takes an event of the caller's role. */
  async tasks(user: AuthUser, q: TaskListQuery): Promise<Page<CaseSummary>> {
    const pairs: Array<{ procedure: string; states: string[] }> = [];
    for (const adapter of this.registry.list()) {
      for (const def of adapter.definitions) {
        if (q.procedure && def.id !== q.procedure) continue;
        const states = stateIds(def.machine).filter((s) =>
          eventsOf(def.machine, s).some((e) => e.branches[0].meta.roles.includes(user.role)),
        );
        if (states.length) pairs.push({ procedure: def.id, states });
      }
    }
    const qb = this.filtered(user, q).andWhere('c.closedAt IS NULL');
    if (!pairs.length) return { items: [], total: 0, page: q.page, pageSize: q.pageSize };
    qb.andWhere(
      new Brackets((w) =>
        pairs.forEach((p, i) =>
          w.orWhere(`(c.procedure = :p${i} AND c.state IN (:...s${i}))`, { [`p${i}`]: p.procedure, [`s${i}`]: p.states }),
        ),
      ),
    );
    return this.page(qb, q);
  }

  /** 已办: cases the caller has acted on. */
  async done(user: AuthUser, q: TaskListQuery): Promise<Page<CaseSummary>> {
    const qb = this.filtered(user, q).andWhere(
      'c.id IN (SELECT a."caseId" FROM audit_entries a WHERE a."actorId" = :uid)',
      { uid: user.id },
    );
    return this.page(qb, q);
  }

  async batch(batchId: string, user: AuthUser) {
    const rows = isRowId(batchId)
      ? await this.base(user, null).andWhere('c.batchId = :b', { b: batchId }).orderBy('c.createdAt', 'ASC').addOrderBy('c.id').getMany()
      : [];
    if (!rows.length) throw AppError.notFound('批次');
    const now = new Date();
    return { batchId, cases: rows.map((r) => this.views.summary(r, now)) };
  }

  private entries(caseId: string): Promise<AuditEntryEntity[]> {
    return this.uow.manager.find(AuditEntryEntity, { where: { caseId }, order: { seq: 'ASC' } });
  }

  async history(id: string, user: AuthUser) {
    const c = await this.engine.loadVisible(id, user);
    const full = seesPersonalData(user, c.areaCode);
    return (await this.entries(c.id)).map((e) => ({
      seq: e.seq,
      event: e.event,
      fromState: e.fromState,
      toState: e.toState,
      actor: { id: e.actorId, username: e.actorUsername, role: e.actorRole },
      at: e.at.toISOString(),
      reason: e.reason,
      // masked for village and department users; `GET /cases/{id}/verify` hashes what is stored
      data: full ? e.data : maskPersonalData(e.data),
      evidence: e.evidence,
      /** issue 13: the household version the step was judged on */
      householdVersion: e.householdVersion ?? null,
      prevHash: e.prevHash,
      hash: e.hash,
      policyVersion: e.policyVersion,
    }));
  }

  /**
   * Recomputes the hash chain (SF-24); a missing tail entry breaks it too. Issue 12: and
   * re-hashes the case's evidence files from the store — a file gone, a file whose content no
   * longer has its SHA-256, or an evidence row whose hash is no longer the one the audit entry
   * recorded is listed in `files.problems`, and the case does not verify.
   */
  async verify(id: string, user: AuthUser) {
    const c = await this.engine.loadVisible(id, user);
    const entries = await this.entries(c.id);
    const files = await this.verifyFiles(c, entries);
    const check = verifyChain(entries.map(auditEntryFields));
    if (!check.valid) return { valid: false, brokenAt: check.brokenAt, files };
    const last = entries[entries.length - 1];
    if (entries.length !== c.version || last?.hash !== c.auditHead) {
      return { valid: false, brokenAt: Math.min(entries.length, c.version) + (entries.length < c.version ? 1 : 0), files };
    }
    return { valid: files.problems.length === 0, entries: check.entries, files };
  }

  private async verifyFiles(c: CaseEntity, entries: AuditEntryEntity[]) {
    const recorded = entries.flatMap((e) => e.evidence ?? []);
    const rows = await this.uow.manager.find(EvidenceEntity, {
      where: [{ caseId: c.id }, ...(recorded.length ? [{ id: In([...new Set(recorded.map((r) => r.id))]) }] : [])],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const problems: Array<{ evidenceId: string; sha256: string; problem: 'missing' | 'altered' | 'record_changed' }> = [];
    const toCheck = new Map<string, string>(); // sha256 → an evidence id naming it
    for (const r of rows) toCheck.set(r.sha256, r.id);
    for (const r of recorded) {
      if (byId.get(r.id)?.sha256 !== r.sha256) problems.push({ evidenceId: r.id, sha256: r.sha256, problem: 'record_changed' });
      if (!toCheck.has(r.sha256)) toCheck.set(r.sha256, r.id);
    }
    for (const [sha256, evidenceId] of toCheck) {
      const now = await this.store.digest(sha256);
      if (now === null) problems.push({ evidenceId, sha256, problem: 'missing' });
      else if (now !== sha256) problems.push({ evidenceId, sha256, problem: 'altered' });
    }
    const seen = new Set<string>();
    return { checked: toCheck.size, problems: problems.filter((p) => !seen.has(`${p.evidenceId}:${p.problem}`) && seen.add(`${p.evidenceId}:${p.problem}`)) };
  }
}
