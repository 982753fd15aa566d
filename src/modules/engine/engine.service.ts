import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { initialTransition, transition } from 'xstate';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, assertInArea } from '../../common/auth/scope';
import { GENESIS_HASH } from '../../common/audit/audit-hash';
import { addDuration } from '../../common/domain/duration';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { UnitOfWork } from '../../database/unit-of-work';
import { writeBatch } from '../../database/batch-write';
import { CaseEntity, HouseholdEntity, IdempotencyRecordEntity, TimerEntity } from '../../database/entities';
import { NotificationEntity, WebhookDeliveryEntity } from '../notifications/notifications.entities';
import type { ActorRef, ProcedureDefinition, TimerRequest } from '../../machines/procedure';
import { PoliciesService } from '../policies/policies.service';
import { TimerScheduler } from '../timers/timer-scheduler';
import { Announcer } from '../notifications/announcer';
import { NO_NOTICE, type Outgoing, OutboxService, type PreparedNotice } from '../notifications/outbox.service';
import { CaseStore, DEADLINE_NEAR, DEADLINE_PASSED } from './case-store';
import { type CaseFacts, CheckPipeline, type Judged } from './check-pipeline';
import { IdempotencyStore } from './idempotency';
import { isFinal } from './introspection';
import { type CaseOrigin, type ProcedureAdapter, ProcedureRegistry } from './procedure-adapter';
import { checkRole, creationRefusal } from './requirements';
import { type CaseView, CaseViewService } from './case-view.service';
import { afterUse, checkEvidenceUse, type EvidenceRow, loadEvidence } from './evidence-use';

export { DEADLINE_NEAR, DEADLINE_PASSED } from './case-store';

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

export const SYSTEM_ACTOR: AuthUser = {
  id: 'system',
  username: 'system',
  displayName: '系统',
  role: 'system' as never,
  areaCode: null,
  sector: null,
};

const UUID = /^[0-9a-f-]{36}$/i;

/** The household a case is about: its subject, or the household its context names (issue 13). */
export function householdIdOf(subjectType: string, subjectId: string, context: Record<string, unknown>): string | null {
  if (subjectType === 'household') return subjectId;
  const id = context.householdId;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

/**
 * The household's version now; on PostgreSQL the row is share-locked for the rest of the
 * transaction, so no registry change commits between this read and the step's commit.
 */
export async function householdVersionOf(em: EntityManager, householdId: string | null): Promise<number | null> {
  if (!householdId) return null;
  const qb = em.createQueryBuilder(HouseholdEntity, 'h').select(['h.id', 'h.version']).where('h.id = :id', { id: householdId });
  if (em.connection.options.type === 'postgres' && em.queryRunner?.isTransactionActive) qb.setLock('pessimistic_read');
  const h = await qb.getOne();
  return h ? h.version : null;
}

/** A step that passed every check, before anything is written. */
interface Planned {
  facts: CaseFacts;
  /** issue 13: the version of the case's household in force when the step was judged */
  householdVersion: number | null;
  judged: Judged & { evidence: EvidenceRow[] };
  caseEvidence: EvidenceRow[];
  toState: string;
  next: { value: unknown; context: Record<string, any> };
}

/** A step that passed every check and is stored: what the response and after-commit work need. */
interface Stepped {
  stored: CaseEntity;
  facts: CaseFacts;
  caseEvidence: EvidenceRow[];
  timers: TimerEntity[];
  notice: PreparedNotice;
}

/**
 * The one path every transition of every procedure takes: the check pipeline
 * (check-pipeline.ts) judges, the pure machine computes the next snapshot, the case store
 * (case-store.ts) writes snapshot, audit entry, evidence links and timers in one transaction
 * guarded by the case version, the announcer tells whoever has work now; timers and webhook
 * deliveries go to the queue after commit. Idempotency-Keys are kept by idempotency.ts.
 */
@Injectable()
export class EngineService {
  private readonly logger = new Logger(EngineService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
    private readonly checks: CheckPipeline,
    private readonly store: CaseStore,
    private readonly idempotency: IdempotencyStore,
    private readonly views: CaseViewService,
    private readonly scheduler: TimerScheduler,
    private readonly announcer: Announcer,
    private readonly outbox: OutboxService,
  ) {}

  // ------------------------------------------------------------------ creation

  async create(procedure: string, body: unknown, actor: AuthUser): Promise<CaseView> {
    return (await this.createMany(procedure, [body], actor))[0];
  }

  /**
   * Opens several cases in one transaction: all of them, or none. `batchId` makes them one
   * batch (a village's elimination list); only callers that formed the batch pass it.
   */
  async createMany(procedure: string, bodies: unknown[], actor: AuthUser, opts: { batchId?: string } = {}): Promise<CaseView[]> {
    const adapter = this.registry.adapter(procedure);
    const def = this.registry.current(procedure);
    if (!adapter.creatorRoles.includes(actor.role)) {
      throw checkRole({ title: `发起“${def.title}”`, titleEn: '', roles: adapter.creatorRoles }, actor.role)!;
    }
    const now = new Date();
    const created = await this.uow.transaction(async (em) => {
      const out: Array<{ view: CaseView; timers: TimerEntity[]; outgoing: Outgoing }> = [];
      for (const body of bodies) {
        const { caseRow, timers } = await this.createIn(em, { def, adapter, body, actor, now, batchId: opts.batchId });
        const outgoing = await this.announcer.announce(em, { def, caseRow, state: caseRow.state, actor, now });
        // a new case has no evidence yet; its view is built on this transaction's connection
        out.push({ view: await this.views.view(caseRow, actor, em, { evidence: [] }), timers, outgoing });
      }
      return out;
    });
    this.scheduler.scheduleAfterCommit(created.flatMap((c) => c.timers));
    this.outbox.send(created.flatMap((c) => c.outgoing));
    return created.map((c) => c.view);
  }

  /**
   * Opens a case inside the caller's transaction without the creator-role check: for callers
   * that authorised the creation themselves (the department alert import, which announces its
   * new cases in one digest). The caller schedules the returned timers after commit.
   */
  async createWithin(
    em: EntityManager,
    args: { procedure: string; body: unknown; actor: AuthUser; now: Date; origin?: CaseOrigin },
  ): Promise<{ caseRow: CaseEntity; timers: TimerEntity[] }> {
    const adapter = this.registry.adapter(args.procedure);
    return this.createIn(em, { def: this.registry.current(args.procedure), adapter, body: args.body, actor: args.actor, now: args.now, origin: args.origin });
  }

  /** Hands timers created in a committed transaction to the scheduler. */
  scheduleTimers(timers: TimerEntity[]): void {
    this.scheduler.scheduleAfterCommit(timers);
  }

  private async createIn(
    em: EntityManager,
    args: { def: ProcedureDefinition; adapter: ProcedureAdapter; body: unknown; actor: AuthUser; now: Date; batchId?: string; origin?: CaseOrigin },
  ): Promise<{ caseRow: CaseEntity; timers: TimerEntity[] }> {
    const { def, adapter, actor, now } = args;
    const prepared = await adapter.prepareCreate({ body: args.body, actor, em, batchId: args.batchId, origin: args.origin });
    assertInArea(actor, prepared.areaCode, '行政区划');
    const householdVersion = await householdVersionOf(em, householdIdOf(args.def.subjectType, prepared.subjectId, prepared.input));
    const policy = await this.policies.effective(prepared.areaCode, now);
    const refusal = creationRefusal(def, { input: prepared.input, facts: prepared.facts ?? {}, policy: policy.values, now: now.toISOString() });
    if (refusal) throw refusal;
    const [snapshot] = initialTransition(def.machine, prepared.input);
    const state = String(snapshot.value);
    const context = snapshot.context as Record<string, any>;
    const id = randomUUID();
    const entry = this.store.auditEntry(id, {
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
      householdVersion,
    });
    const row = Object.assign(new CaseEntity(), {
      id,
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
      auditHead: entry.hash,
      createdById: actor.id,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      deadlineAt: prepared.deadlineAt ?? (adapter.deadlineKey ? addDuration(now, policy.values[adapter.deadlineKey] as string) : null),
      noticeStartsAt: null,
      noticeEndsAt: null,
    });
    await this.store.insert(em, row, entry);
    await adapter.afterCreate?.({ em, caseRow: row, context });
    const nearBefore = (policy.values['notifications.deadlineNearBefore'] ?? POLICY_KEYS['notifications.deadlineNearBefore'].default) as string;
    const timers = await this.store.initialTimers(em, row, context.timers ?? [], { nearBefore }, now);
    return { caseRow: row, timers };
  }

  // ------------------------------------------------------------------ events

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
    const cases = UUID.test(req.batchId) ? await qb.orderBy('c.createdAt', 'ASC').addOrderBy('c.id').getMany() : [];
    if (!cases.length) throw AppError.notFound('批次');
    // a batch's cases are sent at whatever version each has, so a replay is recognised by the batch request itself
    const batchHash = IdempotencyStore.hash({ batchId: req.batchId, type: req.type, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason ?? null });
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

  /**
   * `POST /cases/{id}/events`, with its Idempotency-Key. `givenHash` identifies the request for
   * replays when the caller did not send the case version itself (a batch, an attendance record).
   */
  async apply(req: EventRequest, actor: AuthUser, idempotencyKey: string, givenHash?: string): Promise<CaseView> {
    const requestHash =
      givenHash ??
      IdempotencyStore.hash({ caseId: req.caseId, type: req.type, version: req.version, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason ?? null });
    const { caseRow: found, stored } = await this.loadWithReplay(req.caseId, actor.id, idempotencyKey);
    const replay = stored || !found ? await this.idempotency.replay(actor.id, idempotencyKey, requestHash, stored ?? undefined) : null;
    if (replay) return replay;
    if (!found) throw AppError.notFound('案件');
    assertInArea(actor, found.areaCode, '案件');
    const caseRow = found;
    if (req.version !== caseRow.version) {
      throw new AppError(ErrorCode.VERSION_CONFLICT, '案件已被他人更新，请刷新后重试', {
        expectedVersion: caseRow.version,
        givenVersion: req.version,
      });
    }
    try {
      const { view, timers, outgoing } = await this.uow.transaction(async (em) => {
        const step = await this.step(em, caseRow, req, actor);
        const view = await this.views.view(step.stored, actor, em, { evidence: step.caseEvidence, facts: step.facts });
        const record = this.idempotency.record({ userId: actor.id, key: idempotencyKey, requestHash, caseId: caseRow.id, response: view });
        return { view, timers: step.timers, outgoing: await this.flush(em, step, record) };
      });
      this.scheduler.scheduleAfterCommit(timers);
      this.outbox.send(outgoing);
      return view;
    } catch (err) {
      // a concurrent duplicate of the same request lost the race: answer as its twin did (or
      // refuse the key, when the twin was another request under the same key)
      if ((err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT) || isUniqueViolation(err)) {
        const twin = await this.idempotency.replay(actor.id, idempotencyKey, requestHash);
        if (twin) return twin;
      }
      throw err;
    }
  }

  /**
   * A timer's event (`CLOSE_NOTICE`), or a deadline reminder: fires once across instances
   * because the timer row is claimed in the same transaction as its effect.
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
            const out = await this.announcer.announce(em, { def, caseRow, state: caseRow.state, actor: SYSTEM_ACTOR, now: new Date(), kind });
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
          const step = await this.write(em, caseRow, plan, SYSTEM_ACTOR, { firedTimerKey: timer.key });
          return { outcome: 'fired' as const, timers: step.timers, outgoing: await this.flush(em, step) };
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

  /** The case and the response stored under this user's key, if any, in one query. */
  private async loadWithReplay(caseId: string, userId: string, key: string): Promise<{ caseRow: CaseEntity | null; stored: IdempotencyRecordEntity | null }> {
    if (!UUID.test(caseId)) return { caseRow: null, stored: null };
    const row = (await this.uow.manager
      .createQueryBuilder(CaseEntity, 'c')
      .leftJoinAndMapOne('c.replay', IdempotencyRecordEntity, 'i', 'i.userId = :uid AND i.key = :key', { uid: userId, key })
      .where('c.id = :id', { id: caseId })
      .getOne()) as (CaseEntity & { replay?: IdempotencyRecordEntity | null }) | null;
    return { caseRow: row, stored: row?.replay ?? null };
  }

  async loadVisible(caseId: string, actor: AuthUser, em?: EntityManager): Promise<CaseEntity> {
    const row = UUID.test(caseId) ? await (em ?? this.uow.manager).findOneBy(CaseEntity, { id: caseId }) : null;
    if (!row) throw AppError.notFound('案件');
    assertInArea(actor, row.areaCode, '案件');
    return row;
  }

  // ------------------------------------------------------------------ one step

  /** Judge, compute, store, announce — inside the caller's transaction. */
  private async step(em: EntityManager, caseRow: CaseEntity, req: EventRequest, actor: AuthUser, opts: { firedTimerKey?: string } = {}): Promise<Stepped> {
    return this.write(em, caseRow, await this.plan(em, caseRow, req, actor), actor, opts);
  }

  /** Every check, then the machine's next snapshot. Writes nothing: a refusal throws here. */
  private async plan(em: EntityManager, caseRow: CaseEntity, req: EventRequest, actor: AuthUser): Promise<Planned> {
    // the household first, shared-locked on PostgreSQL: a registry change waits for this step,
    // so the version recorded is the one the facts below were read from
    const householdVersion = await householdVersionOf(em, householdIdOf(caseRow.subjectType, caseRow.subjectId, caseRow.snapshot.context));
    const facts = await this.checks.load(em, caseRow, actor);
    let caseEvidence: EvidenceRow[] = [];
    const judged = await this.checks.judge(facts, req, async () => {
      const found = await this.resolveEvidence(em, caseRow, req, actor);
      caseEvidence = found.caseEvidence;
      return found.referenced;
    });
    const { def } = facts;
    const snapshot = def.machine.resolveState({ value: caseRow.snapshot.value as never, context: caseRow.snapshot.context });
    const [next] = transition(def.machine, snapshot, judged.event as never);
    if (next === snapshot) {
      // the machine's own guard refused: the pipeline and the guard disagree
      throw new AppError(ErrorCode.INVALID_TRANSITION, '该操作当前不可执行', { state: caseRow.state, event: req.type });
    }
    return { facts, householdVersion, judged, caseEvidence, toState: String(next.value), next: { value: next.value, context: next.context as Record<string, any> } };
  }

  /** Stores a planned step: case row (version-guarded), audit entry, evidence, timers, effects, notifications. */
  private async write(em: EntityManager, caseRow: CaseEntity, plan: Planned, actor: AuthUser, opts: { firedTimerKey?: string }): Promise<Stepped> {
    const { facts, judged, toState, next } = plan;
    const { def } = facts;
    const now = new Date(judged.event.env.now);
    const seq = caseRow.version + 1;
    const final = isFinal(def.machine, toState);
    const notice = next.context.notice as { startsAt: string; endsAt: string } | null | undefined;
    const entry = this.store.auditEntry(caseRow.id, {
      seq,
      prevHash: caseRow.auditHead,
      event: judged.event.type,
      fromState: caseRow.state,
      toState,
      actor,
      at: now,
      reason: judged.event.reason ?? null,
      data: judged.event.data,
      evidence: judged.evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })),
      policyVersion: facts.policy.version,
      householdVersion: plan.householdVersion,
    });
    const before: TimerRequest[] = (caseRow.snapshot.context.timers ?? []).filter((t: TimerRequest) => t.key !== opts.firedTimerKey);
    // cases the step's effects open: their timers and notifications go out with the step's
    const opened: Array<{ timers: TimerEntity[]; notice: PreparedNotice | null }> = [];
    const { stored, newTimers } = await this.store.advance(em, caseRow, {
      patch: {
        version: seq,
        state: toState,
        snapshot: next,
        auditHead: entry.hash,
        updatedAt: now,
        closedAt: final ? now : null,
        noticeStartsAt: notice ? new Date(notice.startsAt) : null,
        noticeEndsAt: notice ? new Date(notice.endsAt) : null,
      },
      entry,
      evidence: judged.evidence,
      timersBefore: before,
      timersAfter: next.context.timers ?? [],
      closing: final,
    });
    await this.registry.adapter(caseRow.procedure).afterTransition?.({
      em,
      caseRow: stored,
      fromState: caseRow.state,
      toState,
      context: next.context,
      event: judged.event,
      actor: judged.event.actor as ActorRef,
      open: async ({ procedure, body, origin }) => {
        const adapter = this.registry.adapter(procedure);
        const openDef = this.registry.current(procedure);
        if (!adapter.creatorRoles.includes(actor.role)) {
          throw checkRole({ title: `发起“${openDef.title}”`, titleEn: '', roles: adapter.creatorRoles }, actor.role)!;
        }
        const created = await this.createIn(em, { def: openDef, adapter, body, actor, now, origin });
        const notice = await this.announcer.prepare(em, { def: openDef, caseRow: created.caseRow, state: created.caseRow.state, actor, now });
        opened.push({ timers: created.timers, notice });
        return created.caseRow;
      },
    });
    // whoever has work now: written with the step's last statement (see flush)
    const announced = toState === caseRow.state ? null : await this.announcer.prepare(em, { def, caseRow: stored, state: toState, actor, now });
    const notices = [announced, ...opened.map((o) => o.notice)].filter((n): n is PreparedNotice => n !== null);
    return {
      stored,
      facts: await this.checks.after(em, facts, stored, entry),
      caseEvidence: afterUse(plan.caseEvidence, judged.evidence).filter(
        (e) => e.caseId === stored.id || (e.batchId !== null && e.batchId === stored.batchId && e.caseId === null),
      ),
      timers: [...newTimers, ...opened.flatMap((o) => o.timers)],
      notice: notices.length <= 1
        ? (notices[0] ?? NO_NOTICE)
        : {
            notifications: notices.flatMap((n) => n.notifications),
            deliveries: notices.flatMap((n) => n.deliveries),
            outgoing: notices.flatMap((n) => n.outgoing),
          },
    };
  }

  /** The step's last writes, one statement on PostgreSQL: its notifications, deliveries and idempotency record. */
  private async flush(em: EntityManager, step: Stepped, idempotency?: IdempotencyRecordEntity): Promise<Outgoing> {
    await writeBatch(em, {
      inserts: [
        { target: NotificationEntity, rows: step.notice.notifications },
        { target: WebhookDeliveryEntity, rows: step.notice.deliveries },
        { target: IdempotencyRecordEntity, rows: idempotency ? [idempotency] : [] },
      ],
    });
    return step.notice.outgoing;
  }

  /**
   * In one query: the evidence the event names and every file of the case (for the response).
   * A named file must be attached to this case or its batch, or be a loose upload of the
   * caller's own (which this event then attaches); it is never moved from another case. And it
   * must be free to serve this step (evidence-use.ts: one file, one step).
   */
  private async resolveEvidence(
    em: EntityManager,
    caseRow: CaseEntity,
    req: { type: string; evidenceIds: string[] },
    actor: AuthUser,
  ): Promise<{ referenced: EvidenceRow[]; caseEvidence: EvidenceRow[] }> {
    const unique = [...new Set(req.evidenceIds)];
    const bad = unique.filter((id) => !UUID.test(id));
    const rows = await loadEvidence(em, caseRow, bad.length ? [] : unique);
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
    const referenced = unique.map((id) => usable.find((e) => e.id === id)!);
    const misuse = checkEvidenceUse(referenced, caseRow, this.registry.definition(caseRow.procedure, caseRow.machineVersion), req.type);
    if (misuse) throw misuse;
    return { referenced, caseEvidence: usable };
  }
}
