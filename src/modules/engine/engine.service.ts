import { Injectable, Logger } from '@nestjs/common';
import stringify from 'json-stable-stringify';
import { EntityManager, In } from 'typeorm';
import { initialTransition, transition } from 'xstate';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, assertInArea } from '../../common/auth/scope';
import { randomUUID } from 'node:crypto';
import { auditHash, GENESIS_HASH, sha256Hex } from '../../common/audit/audit-hash';
import { addDuration, subtractDuration } from '../../common/domain/duration';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { UnitOfWork } from '../../database/database.module';
import {
  AuditEntryEntity,
  CaseEntity,
  EvidenceEntity,
  IdempotencyRecordEntity,
  TimerEntity,
} from '../../database/entities';
import type { ActorRef, ProcedureDefinition, ProcedureEvent, TimerRequest } from '../../machines/procedure';
import { PoliciesService, type EffectivePolicy } from '../policies/policies.service';
import { TimerScheduler } from '../timers/timer-scheduler';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { isFinal, branchesFor, eventsOf, stateMeta, type Branch } from './introspection';
import { type ProcedureAdapter, ProcedureRegistry } from './procedure-adapter';
import {
  checkData,
  checkEvidence,
  checkReason,
  checkRole,
  checkRules,
  checkSeparation,
  selectBranch,
} from './requirements';
import { type CaseView, CaseViewService } from './case-view.service';

export interface EventRequest {
  caseId: string;
  type: string;
  version: number;
  evidenceIds: string[];
  data: Record<string, unknown>;
  reason?: string | null;
}

export interface BatchResult {
  caseId: string;
  ok: boolean;
  status: number;
  state: string;
  version?: number;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** Timer keys (and events) of the deadline reminders (SF-04): notifications, not transitions. */
export const DEADLINE_NEAR = 'DEADLINE_NEAR';
export const DEADLINE_PASSED = 'DEADLINE_PASSED';
const DEADLINE_KEYS = [DEADLINE_NEAR, DEADLINE_PASSED];

export const SYSTEM_ACTOR: AuthUser = {
  id: 'system',
  username: 'system',
  displayName: '系统',
  role: 'system' as never,
  areaCode: null,
  sector: null,
};

interface Planned {
  def: ProcedureDefinition;
  branch: Branch;
  fromState: string;
  toState: string;
  next: { value: unknown; context: Record<string, any> };
  event: ProcedureEvent;
  evidence: EvidenceEntity[];
  policy: EffectivePolicy;
}

/**
 * The one path every transition of every procedure takes: authorise, check, compute with the
 * pure machine, then store snapshot, audit entry, evidence links and timers in one
 * transaction guarded by the case version.
 */
@Injectable()
export class EngineService {
  private readonly logger = new Logger(EngineService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
    private readonly views: CaseViewService,
    private readonly scheduler: TimerScheduler,
    private readonly outbox: OutboxService,
  ) {}

  // ------------------------------------------------------------------ creation

  async create(procedure: string, body: unknown, actor: AuthUser): Promise<CaseView> {
    return (await this.createMany(procedure, [body], actor))[0];
  }

  /** Opens several cases in one transaction: all of them, or none (a batch). */
  async createMany(procedure: string, bodies: unknown[], actor: AuthUser): Promise<CaseView[]> {
    const adapter = this.registry.adapter(procedure);
    const def = this.registry.current(procedure);
    if (!adapter.creatorRoles.includes(actor.role)) {
      throw checkRole({ title: `发起“${def.title}”`, titleEn: '', roles: adapter.creatorRoles }, actor.role)!;
    }
    const now = new Date();
    const created = await this.uow.transaction(async (em) => {
      const out: Array<{ caseRow: CaseEntity; timers: TimerEntity[]; outgoing: Outgoing }> = [];
      for (const body of bodies) {
        const c = await this.createIn(em, { def, adapter, body, actor, now });
        out.push({ ...c, outgoing: await this.announce(em, { def, caseRow: c.caseRow, state: c.caseRow.state, actor, now }) });
      }
      return out;
    });
    this.scheduler.scheduleAfterCommit(created.flatMap((c) => c.timers));
    this.outbox.send(created.flatMap((c) => c.outgoing));
    return Promise.all(created.map((c) => this.views.view(c.caseRow, actor)));
  }

  /**
   * Opens a case inside the caller's transaction without the creator-role check: for callers
   * that authorised the creation themselves (the department alert import, which announces its
   * new cases in one digest). The caller schedules the returned timers after commit.
   */
  async createWithin(
    em: EntityManager,
    args: { procedure: string; body: unknown; actor: AuthUser; now: Date },
  ): Promise<{ caseRow: CaseEntity; timers: TimerEntity[] }> {
    const adapter = this.registry.adapter(args.procedure);
    return this.createIn(em, { def: this.registry.current(args.procedure), adapter, body: args.body, actor: args.actor, now: args.now });
  }

  /** Hands timers created in a committed transaction to the scheduler. */
  scheduleTimers(timers: TimerEntity[]): void {
    this.scheduler.scheduleAfterCommit(timers);
  }

  private async createIn(
    em: EntityManager,
    args: { def: ProcedureDefinition; adapter: ProcedureAdapter; body: unknown; actor: AuthUser; now: Date },
  ): Promise<{ caseRow: CaseEntity; timers: TimerEntity[] }> {
    const { def, adapter, actor, now } = args;
    const prepared = await adapter.prepareCreate({ body: args.body, actor, em });
    assertInArea(actor, prepared.areaCode, '行政区划');
    const policy = await this.policies.effective(prepared.areaCode, now);
    const [snapshot] = initialTransition(def.machine, prepared.input);
    const state = String(snapshot.value);
    const context = snapshot.context as Record<string, any>;
    const row = em.create(CaseEntity, {
      id: randomUUID(),
      procedure: def.id,
      machineId: def.machine.id,
      machineVersion: def.version,
      version: 1,
      state,
      snapshot: { value: snapshot.value, context },
      areaCode: prepared.areaCode,
      subjectType: def.subjectType,
      subjectId: prepared.subjectId,
      batchId: prepared.batchId ?? null,
      policyVersionIds: policy.ids,
      policyVersion: policy.version,
      auditHead: GENESIS_HASH,
      createdById: actor.id,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      deadlineAt: adapter.deadlineKey ? addDuration(now, policy.values[adapter.deadlineKey] as string) : null,
      noticeStartsAt: null,
      noticeEndsAt: null,
    });
    const entry = this.auditEntry({
      caseRow: row,
      seq: 1,
      prevHash: GENESIS_HASH,
      event: 'CREATE',
      fromState: null,
      toState: state,
      actor,
      at: now,
      reason: null,
      data: prepared.auditData,
      evidence: [],
      policyVersion: policy.version,
    });
    row.auditHead = entry.hash;
    await em.insert(CaseEntity, row);
    await em.insert(AuditEntryEntity, entry);
    await adapter.afterCreate?.({ em, caseRow: row, context });
    const timers = await this.syncTimers(em, row, context.timers ?? []);
    if (row.deadlineAt) timers.push(...(await this.deadlineTimers(em, row, (policy.values['notifications.deadlineNearBefore'] ?? POLICY_KEYS['notifications.deadlineNearBefore'].default) as string, now)));
    return { caseRow: row, timers };
  }

  /** SF-04: reminders before and at the case's deadline, as timers (stored, fired once). */
  private async deadlineTimers(em: EntityManager, row: CaseEntity, nearBefore: string, now: Date): Promise<TimerEntity[]> {
    const due = row.deadlineAt!;
    const near = subtractDuration(due, nearBefore);
    const wanted = [
      ...(near > now ? [{ key: DEADLINE_NEAR, dueAt: near }] : []),
      { key: DEADLINE_PASSED, dueAt: due },
    ];
    const rows = wanted.map((w) =>
      em.create(TimerEntity, {
        id: randomUUID(),
        caseId: row.id,
        key: w.key,
        event: w.key,
        dueAt: w.dueAt,
        status: 'pending',
        scheduledAtVersion: row.version,
        createdAt: now,
        settledAt: null,
        note: null,
      }),
    );
    await em.insert(TimerEntity, rows);
    return rows;
  }

  /**
   * A notification to whoever may act on the case in `state` (their to-do list just grew),
   * and a delivery to each webhook of the area. Nothing when the state is final or has no user
   * event.
   */
  private async announce(
    em: EntityManager,
    args: { def: ProcedureDefinition; caseRow: CaseEntity; state: string; actor: AuthUser; now: Date; kind?: 'task' | 'deadline_near' | 'deadline_overdue' },
  ): Promise<Outgoing> {
    const { def, caseRow, state, actor, now } = args;
    if (isFinal(def.machine, state)) return [];
    const roles = [...new Set(eventsOf(def.machine, state).flatMap((e) => e.branches[0].meta.roles))].filter((r) => r !== 'system');
    if (!roles.length) return [];
    const kind = args.kind ?? 'task';
    const stateTitle = stateMeta(def.machine, state).title;
    const due = caseRow.deadlineAt ? `（办理时限：${caseRow.deadlineAt.toISOString()}）` : '';
    const text = {
      task: { title: `待办：${def.title}·${stateTitle}`, message: `“${def.title}”案件已进入“${stateTitle}”环节，请及时办理${due}。` },
      deadline_near: { title: `即将到期：${def.title}·${stateTitle}`, message: `“${def.title}”案件即将超过办理时限${due}，当前环节“${stateTitle}”，请抓紧办理。` },
      deadline_overdue: { title: `已逾期：${def.title}·${stateTitle}`, message: `“${def.title}”案件已超过办理时限${due}，当前环节“${stateTitle}”，请尽快办结。` },
    }[kind];
    return this.outbox.publish(
      em,
      {
        kind,
        ...text,
        areaCode: caseRow.areaCode,
        caseId: caseRow.id,
        procedure: def.id,
        data: { state, stateTitle, version: caseRow.version, deadline: caseRow.deadlineAt?.toISOString() ?? null },
      },
      { roles: roles as never, exceptUserId: actor.id },
      now,
    );
  }

  /**
   * `POST …/batches/{batchId}/events`: the event is applied to every case of the batch in the
   * caller's area that is in a state taking it, each in its own transaction with its own audit
   * entry; the answer reports per case the new view or the error it got. Replays with the same
   * Idempotency-Key are answered per case from the first run.
   */
  async applyBatch(
    req: { batchId: string; type: string; evidenceIds: string[]; data: Record<string, unknown>; reason?: string | null },
    actor: AuthUser,
    idempotencyKey: string,
  ): Promise<{ batchId: string; results: BatchResult[] }> {
    const qb = this.uow.manager.createQueryBuilder(CaseEntity, 'c').where('c.batchId = :b', { b: req.batchId });
    const like = areaLike(actor);
    if (like) qb.andWhere('c.areaCode LIKE :like', { like });
    const cases = /^[0-9a-f-]{36}$/i.test(req.batchId) ? await qb.orderBy('c.createdAt', 'ASC').addOrderBy('c.id').getMany() : [];
    if (!cases.length) throw AppError.notFound('批次');
    const batchHash = sha256Hex(
      stringify({ batchId: req.batchId, type: req.type, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason ?? null }) ?? '',
    );
    const results: BatchResult[] = [];
    for (const c of cases) {
      try {
        const view = await this.apply(
          { caseId: c.id, type: req.type, version: c.version, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason },
          actor,
          `${idempotencyKey}:${c.id}`,
          batchHash,
        );
        results.push({ caseId: c.id, ok: true, status: 200, state: view.state, version: view.version });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ caseId: c.id, ok: false, status: err.status, code: err.code, message: err.message, details: err.details, state: c.state });
      }
    }
    return { batchId: req.batchId, results };
  }

  // ------------------------------------------------------------------ events

  /** `POST /cases/{id}/events`, with its Idempotency-Key. */
  async apply(req: EventRequest, actor: AuthUser, idempotencyKey: string, batchHash?: string): Promise<CaseView> {
    // a batch's cases are sent at whatever version each has, so a batch replay is recognised by
    // the batch request itself
    const requestHash =
      batchHash ??
      sha256Hex(
        stringify({ caseId: req.caseId, type: req.type, version: req.version, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason ?? null }) ?? '',
      );
    const replay = await this.replay(actor.id, idempotencyKey, requestHash);
    if (replay) return replay;

    const caseRow = await this.loadVisible(req.caseId, actor);
    if (req.version !== caseRow.version) {
      throw new AppError(ErrorCode.VERSION_CONFLICT, '案件已被他人更新，请刷新后重试', {
        expectedVersion: caseRow.version,
        givenVersion: req.version,
      });
    }
    try {
      const { view, timers, outgoing } = await this.uow.transaction(async (em) => {
        const plan = await this.plan(em, caseRow, req, actor);
        const stored = await this.store(em, caseRow, plan, actor);
        const view = await this.views.view(stored, actor, em);
        await em.insert(IdempotencyRecordEntity, {
          userId: actor.id,
          key: idempotencyKey,
          requestHash,
          caseId: caseRow.id,
          response: view as unknown as Record<string, any>,
          createdAt: new Date(),
        });
        return { view, timers: stored.newTimers, outgoing: stored.outgoing };
      });
      this.scheduler.scheduleAfterCommit(timers);
      this.outbox.send(outgoing);
      return view;
    } catch (err) {
      // a concurrent duplicate of the same request lost the race: answer as its twin did
      if (err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT) {
        const twin = await this.replay(actor.id, idempotencyKey, requestHash);
        if (twin) return twin;
      }
      throw err;
    }
  }

  /**
   * A timer's event (`CLOSE_NOTICE`): fires once across instances because the timer row is
   * claimed in the same transaction as the transition.
   */
  async applySystem(timerId: string): Promise<'fired' | 'stale' | 'not-due' | 'refused'> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const { outcome, timers, outgoing } = await this.uow.transaction(async (em) => {
          const none = (outcome: 'stale' | 'not-due' | 'refused') => ({ outcome, timers: [] as TimerEntity[], outgoing: [] as Outgoing });
          const timer = await em.findOneBy(TimerEntity, { id: timerId });
          if (!timer || timer.status !== 'pending') return none('stale');
          if (timer.dueAt.getTime() > Date.now()) return none('not-due');
          const caseRow = await em.findOneBy(CaseEntity, { id: timer.caseId });
          if (!caseRow) return none('stale');
          const claimed = await em.update(TimerEntity, { id: timer.id, status: 'pending' }, { status: 'fired', settledAt: new Date() });
          if (!claimed.affected) return none('stale');
          if (timer.event === DEADLINE_NEAR || timer.event === DEADLINE_PASSED) {
            // a reminder, not a transition: to whoever may act on the case now
            if (caseRow.closedAt) return none('stale');
            const def = this.registry.definition(caseRow.procedure, caseRow.machineVersion);
            const kind = timer.event === DEADLINE_NEAR ? 'deadline_near' : 'deadline_overdue';
            const out = await this.announce(em, { def, caseRow, state: caseRow.state, actor: SYSTEM_ACTOR, now: new Date(), kind });
            return { outcome: 'fired' as const, timers: [] as TimerEntity[], outgoing: out };
          }
          const req = { caseId: caseRow.id, type: timer.event, version: caseRow.version, evidenceIds: [], data: {}, reason: null };
          let plan: Planned;
          try {
            plan = await this.plan(em, caseRow, req, SYSTEM_ACTOR);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            await em.update(TimerEntity, { id: timer.id }, { status: 'failed', note: `${err.code}: ${err.message}` });
            this.logger.warn({ timerId, caseId: caseRow.id, code: err.code }, 'timer event refused');
            return none('refused');
          }
          const stored = await this.store(em, caseRow, plan, SYSTEM_ACTOR);
          return { outcome: 'fired' as const, timers: stored.newTimers, outgoing: stored.outgoing };
        });
        this.scheduler.scheduleAfterCommit(timers);
        this.outbox.send(outgoing);
        return outcome;
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT) continue;
        throw err;
      }
    }
    return 'stale';
  }

  // ------------------------------------------------------------------ internals

  async loadVisible(caseId: string, actor: AuthUser, em?: EntityManager): Promise<CaseEntity> {
    const row = /^[0-9a-f-]{36}$/i.test(caseId)
      ? await (em ?? this.uow.manager).findOneBy(CaseEntity, { id: caseId })
      : null;
    if (!row) throw AppError.notFound('案件');
    assertInArea(actor, row.areaCode, '案件');
    return row;
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<CaseView | null> {
    const rec = await this.uow.manager.findOneBy(IdempotencyRecordEntity, { userId, key });
    if (!rec) return null;
    if (rec.requestHash !== requestHash) {
      throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, '该幂等键已用于另一个请求，请为新的操作生成新的 Idempotency-Key');
    }
    return rec.response as unknown as CaseView;
  }

  /** Every check, in the contract's order; the machine computes the next snapshot. */
  private async plan(em: EntityManager, caseRow: CaseEntity, req: EventRequest, actor: AuthUser): Promise<Planned> {
    const def = this.registry.definition(caseRow.procedure, caseRow.machineVersion);
    const fromState = caseRow.state;
    const branches = branchesFor(def.machine, fromState, req.type);
    if (!branches.length) {
      throw new AppError(ErrorCode.INVALID_TRANSITION, `案件当前处于“${this.views.stateTitle(caseRow)}”环节，不能执行 ${req.type}`, {
        state: fromState,
        event: req.type,
      });
    }
    const meta = branches[0].meta;
    const roleError = checkRole(meta, actor.role);
    if (roleError) throw roleError;
    if (meta.review) {
      const history = await em.find(AuditEntryEntity, {
        where: { caseId: caseRow.id, actorId: actor.id },
        select: { actorId: true, fromState: true, toState: true },
      });
      const sod = checkSeparation(meta, actor, fromState, history);
      if (sod) throw sod;
    }
    const dataError = checkData(meta, req.data);
    if (dataError) throw dataError;
    const evidence = await this.resolveEvidence(em, caseRow, req.evidenceIds, actor);
    const policy = await this.policies.forCase(caseRow.areaCode, caseRow.policyVersionIds);
    const adapter = this.registry.adapter(caseRow.procedure);
    const facts = adapter.facts ? await adapter.facts({ caseRow, type: req.type, em }) : {};
    const event: ProcedureEvent = {
      type: req.type,
      data: req.data,
      reason: req.reason ?? null,
      evidence: evidence.map((e) => ({ id: e.id, type: e.type })),
      actor: { id: actor.id, role: actor.role, sector: actor.sector },
      env: { now: new Date().toISOString(), policy: policy.values, facts },
    };
    const context = caseRow.snapshot.context;
    const branch = selectBranch(def.rules, branches, { context, event });
    if (!branch) throw AppError.validation({ data: '数据与该操作的任何分支都不匹配' });

    const evidenceError = checkEvidence(branch.meta, evidence.map((e) => e.type));
    if (evidenceError) throw evidenceError;
    const reasonError = checkReason(branch.meta, req.reason, policy.values['reasons.minLength']);
    if (reasonError) throw reasonError;
    const ruleError = checkRules(def.rules, branch, { context, event });
    if (ruleError) throw ruleError;

    const snapshot = def.machine.resolveState({ value: caseRow.snapshot.value as never, context });
    const [next] = transition(def.machine, snapshot, event as never);
    if (next === snapshot) {
      // the machine's own guard refused: the rule checks above and the guard disagree
      throw new AppError(ErrorCode.INVALID_TRANSITION, '该操作当前不可执行', { state: fromState, event: req.type });
    }
    return {
      def,
      branch,
      fromState,
      toState: String(next.value),
      next: { value: next.value, context: next.context as Record<string, any> },
      event,
      evidence,
      policy,
    };
  }

  /**
   * Evidence must exist, be attached to this case or its batch, or be a loose upload of the
   * caller's own (which this event then attaches); it is never moved from another case.
   */
  private async resolveEvidence(em: EntityManager, caseRow: CaseEntity, ids: string[], actor: AuthUser): Promise<EvidenceEntity[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const bad = unique.filter((id) => !/^[0-9a-f-]{36}$/i.test(id));
    const rows = bad.length ? [] : await em.findBy(EvidenceEntity, { id: In(unique) });
    const usable = rows.filter(
      (e) =>
        e.caseId === caseRow.id ||
        (e.batchId !== null && e.batchId === caseRow.batchId && e.caseId === null) ||
        (e.caseId === null && e.batchId === null && e.uploadedById === actor.id),
    );
    const invalid = unique.filter((id) => !usable.some((e) => e.id === id));
    if (invalid.length) {
      throw new AppError(ErrorCode.EVIDENCE_INVALID, '引用的证明材料不存在或不属于本案件', { invalidEvidenceIds: invalid });
    }
    // in the order the caller gave them, so the audit entry reads as the request did
    return unique.map((id) => usable.find((e) => e.id === id)!);
  }

  private async store(em: EntityManager, caseRow: CaseEntity, plan: Planned, actor: AuthUser) {
    const now = new Date(plan.event.env.now);
    const seq = caseRow.version + 1;
    const final = isFinal(plan.def.machine, plan.toState);
    const notice = plan.next.context.notice as { startsAt: string; endsAt: string } | null | undefined;
    const entry = this.auditEntry({
      caseRow,
      seq,
      prevHash: caseRow.auditHead,
      event: plan.event.type,
      fromState: plan.fromState,
      toState: plan.toState,
      actor,
      at: now,
      reason: plan.event.reason ?? null,
      data: plan.event.data,
      evidence: plan.evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })),
      policyVersion: plan.policy.version,
    });
    const patch: Partial<CaseEntity> = {
      version: seq,
      state: plan.toState,
      snapshot: plan.next,
      auditHead: entry.hash,
      updatedAt: now,
      closedAt: final ? now : null,
      noticeStartsAt: notice ? new Date(notice.startsAt) : null,
      noticeEndsAt: notice ? new Date(notice.endsAt) : null,
    };
    const updated = await em
      .createQueryBuilder()
      .update(CaseEntity)
      .set(patch)
      .where('id = :id AND version = :version', { id: caseRow.id, version: caseRow.version })
      .execute();
    if (!updated.affected) {
      throw new AppError(ErrorCode.VERSION_CONFLICT, '案件已被他人更新，请刷新后重试', { givenVersion: caseRow.version });
    }
    await em.insert(AuditEntryEntity, entry);
    const loose = plan.evidence.filter((e) => e.caseId === null && e.batchId === null).map((e) => e.id);
    if (loose.length) await em.update(EvidenceEntity, { id: In(loose) }, { caseId: caseRow.id });
    const firstUse = plan.evidence.filter((e) => e.usedInSeq === null).map((e) => e.id);
    if (firstUse.length) await em.update(EvidenceEntity, { id: In(firstUse) }, { usedInSeq: seq });

    const stored = Object.assign(new CaseEntity(), caseRow, patch);
    const newTimers = await this.syncTimers(em, stored, final ? [] : (plan.next.context.timers ?? []), final);
    const adapter = this.registry.adapter(caseRow.procedure);
    await adapter.afterTransition?.({
      em,
      caseRow: stored,
      fromState: plan.fromState,
      toState: plan.toState,
      context: plan.next.context,
      event: plan.event,
      actor: plan.event.actor as ActorRef,
    });
    const outgoing =
      plan.toState === plan.fromState ? [] : await this.announce(em, { def: plan.def, caseRow: stored, state: plan.toState, actor, now });
    return Object.assign(stored, { newTimers, outgoing });
  }

  /** Makes the pending timers of a case match what the machine asks for. */
  private async syncTimers(em: EntityManager, caseRow: CaseEntity, wanted: TimerRequest[], closing = false): Promise<TimerEntity[]> {
    // deadline reminders run until the case closes, whatever its state
    const pending = (await em.findBy(TimerEntity, { caseId: caseRow.id, status: 'pending' })).filter(
      (t) => closing || !DEADLINE_KEYS.includes(t.key),
    );
    const same = (t: TimerEntity, w: TimerRequest) => t.key === w.key && t.event === w.event && t.dueAt.getTime() === new Date(w.dueAt).getTime();
    const obsolete = pending.filter((t) => !wanted.some((w) => same(t, w)));
    if (obsolete.length) {
      await em.update(TimerEntity, { id: In(obsolete.map((t) => t.id)) }, { status: 'cancelled', settledAt: new Date(), note: 'state left' });
    }
    const created: TimerEntity[] = [];
    for (const w of wanted.filter((w) => !pending.some((t) => same(t, w)))) {
      created.push(
        await em.save(
          em.create(TimerEntity, {
            caseId: caseRow.id,
            key: w.key,
            event: w.event,
            dueAt: new Date(w.dueAt),
            status: 'pending',
            scheduledAtVersion: caseRow.version,
            createdAt: new Date(),
            settledAt: null,
            note: null,
          }),
        ),
      );
    }
    return created;
  }

  private auditEntry(args: {
    caseRow: CaseEntity;
    seq: number;
    prevHash: string;
    event: string;
    fromState: string | null;
    toState: string;
    actor: AuthUser;
    at: Date;
    reason: string | null;
    data: Record<string, unknown>;
    evidence: Array<{ id: string; type: string; sha256: string }>;
    policyVersion: string;
  }): AuditEntryEntity {
    const hash = auditHash({
      caseId: args.caseRow.id,
      seq: args.seq,
      prevHash: args.prevHash,
      event: args.event,
      fromState: args.fromState,
      toState: args.toState,
      actor: { id: args.actor.id, username: args.actor.username, role: args.actor.role },
      at: args.at.toISOString(),
      reason: args.reason,
      data: args.data,
      evidence: args.evidence,
      policyVersion: args.policyVersion,
    });
    return Object.assign(new AuditEntryEntity(), {
      caseId: args.caseRow.id,
      seq: args.seq,
      event: args.event,
      fromState: args.fromState,
      toState: args.toState,
      actorId: args.actor.id,
      actorUsername: args.actor.username,
      actorRole: args.actor.role,
      at: args.at,
      reason: args.reason,
      data: args.data,
      evidence: args.evidence,
      policyVersion: args.policyVersion,
      prevHash: args.prevHash,
      hash,
    });
  }
}
