import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, assertInArea } from '../../common/auth/scope';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { columnsOf, hydrate, placeholder, returningOf } from '../../database/raw-rows';
import { readCase, visibleCase } from './case-read';
import { householdOfCaseSql } from './household-version';
import { UnitOfWork } from '../../database/unit-of-work';
import { CaseEntity, IdempotencyRecordEntity, TimerEntity } from '../../database/entities';
import { TimerScheduler } from '../timers/timer-scheduler';
import { Announcer } from '../notifications/announcer';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { CaseOpener } from './case-opener';
import { DEADLINE_NEAR, DEADLINE_PASSED } from './case-store';
import { IdempotencyStore } from './idempotency';
import { type CaseOrigin, ProcedureRegistry } from './procedure-adapter';
import { checkRole } from './requirements';
import { type CaseView, CaseViewService } from './case-view.service';
import { registryFactsOfCase } from '../monitoring-objects/income-records';
import { prelockIncomeHeadOfCase } from '../audit/record-ledger';
import { loadEvidence } from './evidence-use';
import { type EventRequest, evidenceToRead, type Planned, StepRunner } from './step-runner';
import { isRowId } from '../../common/domain/row-id';

export { DEADLINE_NEAR, DEADLINE_PASSED } from './case-store';

export type { EventRequest } from './step-runner';

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

/**
 * The one door every case goes through, for every procedure: creation (case-opener.ts) and
 * every event — a user's, a batch's, a timer's — as one transaction each. A step is judged and
 * written by step-runner.ts (check-pipeline.ts judges, the pure machine computes the next
 * snapshot, case-store.ts writes it guarded by the case version, the announcer prepares the
 * notifications); this class adds the case's loading and area check, Idempotency-Keys
 * (idempotency.ts), the response (case-view.service.ts) and, after commit, the timers and
 * webhook deliveries to the queue.
 */
@Injectable()
export class EngineService {
  private readonly logger = new Logger(EngineService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly opener: CaseOpener,
    private readonly steps: StepRunner,
    private readonly idempotency: IdempotencyStore,
    private readonly views: CaseViewService,
    private readonly scheduler: TimerScheduler,
    private readonly announcer: Announcer,
    private readonly outbox: OutboxService,
  ) {}

  // ------------------------------------------------------------------ creation

  async create(procedure: string, body: unknown, actor: AuthUser, idempotencyKey?: string): Promise<CaseView> {
    if (!idempotencyKey) return (await this.createMany(procedure, [body], actor))[0];
    // issue 20 (the console's offline queue): an optional Idempotency-Key makes opening a case
    // safe to retry — the first answer is stored with the case, in its transaction, and a replay
    // of the same request under the key answers it again without a second case
    const requestHash = IdempotencyStore.hash({ procedure, body: body as Record<string, unknown> });
    const stored = async () => {
      const rec = await this.uow.transaction((em) => em.findOneBy(IdempotencyRecordEntity, { userId: actor.id, key: idempotencyKey }));
      return rec ? this.idempotency.replay(actor.id, idempotencyKey, requestHash, rec) : null;
    };
    const first = await stored();
    if (first) return first;
    try {
      return (await this.createMany(procedure, [body], actor, {}, (view) =>
        this.idempotency.record({ userId: actor.id, key: idempotencyKey, requestHash, caseId: view.id, response: view }),
      ))[0];
    } catch (err) {
      // a concurrent twin under the same key won: answer as it did
      if ((err instanceof AppError && err.status < 500) || isUniqueViolation(err)) {
        const twin = await stored();
        if (twin) return twin;
      }
      throw err;
    }
  }

  /**
   * Opens several cases in one transaction: all of them, or none. `batchId` makes them one
   * batch (a village's elimination list); only callers that formed the batch pass it.
   */
  async createMany(
    procedure: string,
    bodies: unknown[],
    actor: AuthUser,
    opts: { batchId?: string } = {},
    idempotencyRecord?: (view: CaseView) => IdempotencyRecordEntity,
  ): Promise<CaseView[]> {
    const adapter = this.registry.adapter(procedure);
    const def = this.registry.current(procedure);
    if (!adapter.creatorRoles.includes(actor.role)) {
      throw checkRole({ title: `发起“${def.title}”`, titleEn: '', roles: adapter.creatorRoles }, actor.role)!;
    }
    const now = new Date();
    const created = await this.uow.transaction(async (em) => {
      const out: Array<{ view: CaseView; timers: TimerEntity[]; outgoing: Outgoing }> = [];
      for (const body of bodies) {
        // issue 21: the new case's rows are held for the transaction's next statement or its COMMIT
        const { caseRow, timers, outgoing, prefetched } = await this.opener.open(em, { def, adapter, body, actor, now, batchId: opts.batchId, announce: true, hold: true });
        // a new case has no evidence yet; its view is built on this transaction's connection
        out.push({ view: await this.views.view(caseRow, actor, em, { evidence: [], prefetched }), timers, outgoing });
      }
      if (idempotencyRecord) for (const o of out) await em.insert(IdempotencyRecordEntity, idempotencyRecord(o.view));
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
    return this.opener.open(em, { def: this.registry.current(args.procedure), adapter, body: args.body, actor: args.actor, now: args.now, origin: args.origin });
  }

  /** Hands timers created in a committed transaction to the scheduler. */
  scheduleTimers(timers: TimerEntity[]): void {
    this.scheduler.scheduleAfterCommit(timers);
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
    const cases = isRowId(req.batchId) ? await qb.orderBy('c.createdAt', 'ASC').addOrderBy('c.id').getMany() : [];
    if (!cases.length) throw AppError.notFound('批次');
    // a batch's cases are sent at whatever version each has, so a replay is recognised by the batch request itself
    const batchHash = IdempotencyStore.hash({ batchId: req.batchId, type: req.type, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason ?? null });
    const results: BatchResult[] = [];
    for (const c of cases) {
      try {
        const view = await this.apply(
          { caseId: c.id, type: req.type, version: c.version, evidenceIds: req.evidenceIds, data: req.data, reason: req.reason },
          actor,
          IdempotencyStore.batchKey(idempotencyKey, c.id),
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
    // a step in a transaction of its own commits early, with its last writes (issue 21); one
    // joining a caller's transaction leaves the commit to the caller
    const own = !this.uow.inTransaction;
    try {
      const done = await this.uow.transaction(async (em) => {
        // the transaction's first round trip (issue 21: BEGIN and these reads in one pipeline):
        // the case, the answer stored under the key, the household's version (share-locked); and
        // the case's evidence with the files the event names, and, for an event whose facts read
        // the household registry (SF-05), the registry — which the checks read later
        const id = isRowId(req.caseId);
        // — and, for an event whose effect records income (SF-09), the household's income chain
        // head, locked (in a transaction of the step's own: a joined one may have savepoints)
        const [{ caseRow: found, stored, householdVersion }, evidence, registry] = await this.uow.together(() =>
          Promise.all([
            this.loadForStep(em, req.caseId, actor.id, idempotencyKey),
            id ? loadEvidence(em, { id: req.caseId, batchId: 'read' }, evidenceToRead(req.evidenceIds)) : undefined,
            id && this.registry.readsRegistry(req.type) ? registryFactsOfCase(em, req.caseId) : null,
            id && own ? prelockIncomeHeadOfCase(em, req.caseId, this.registry.appendsIncome(req.type)) : undefined,
          ]),
        );
        const replay = stored || !found ? await this.idempotency.replay(actor.id, idempotencyKey, requestHash, stored ?? undefined) : null;
        if (replay) return { replay, view: null, timers: [] as TimerEntity[], outgoing: [] as Outgoing };
        if (!found) throw AppError.notFound('案件');
        assertInArea(actor, found.areaCode, '案件');
        if (req.version !== found.version) {
          throw new AppError(ErrorCode.VERSION_CONFLICT, '案件已被他人更新，请刷新后重试', { expectedVersion: found.version, givenVersion: req.version });
        }
        // issue 21: the case write is held and rides with the step's next round trip — an
        // effect's statement, or the COMMIT sent below with the step's last writes
        const step = await this.steps.step(em, found, req, actor, { householdVersion, evidence, prefetched: registry ?? undefined, hold: own });
        try {
          const view = await this.views.view(step.stored, actor, em, { evidence: step.caseEvidence, facts: step.facts });
          const record = this.idempotency.record({ userId: actor.id, key: idempotencyKey, requestHash, caseId: found.id, response: view });
          const outgoing = await this.steps.flush(em, step, record);
          if (own) await this.uow.commitEarly();
          await step.written;
          return { replay: null, view, timers: step.timers, outgoing };
        } catch (err) {
          // the held case write (sent now if nothing sent it) failed first — the version moved on: that is the answer
          await step.settled();
          throw err;
        }
      });
      if (done.replay) return done.replay;
      this.scheduler.scheduleAfterCommit(done.timers);
      this.outbox.send(done.outgoing);
      return done.view!;
    } catch (err) {
      // a concurrent duplicate of the same request lost the race: answer as its twin did (or
      // refuse the key, when the twin was another request under the same key). Whatever the
      // loser ran into — the version moved on, or the twin's step already used the files
      // (EVIDENCE_REUSED) — a refusal is answered from the twin's record when there is one.
      if ((err instanceof AppError && err.status < 500) || isUniqueViolation(err)) {
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
        // a step in a transaction of its own commits early with its last writes (issue 21)
        const own = !this.uow.inTransaction;
        const { outcome, timers, outgoing } = await this.uow.transaction(async (em) => {
          const none = (outcome: 'stale' | 'not-due' | 'refused') => ({ outcome, timers: [] as TimerEntity[], outgoing: [] as Outgoing });
          const claim = await this.claimTimer(em, timerId);
          if (!claim.timer) return none(claim.outcome);
          const timer = claim.timer;
          // issue 21: the case (with its household's version, share-locked) and its files in one round trip
          const [{ caseRow, householdVersion }, evidence] = await this.uow.together(() =>
            Promise.all([this.loadForStep(em, timer.caseId, SYSTEM_ACTOR.id, ''), loadEvidence(em, { id: timer.caseId, batchId: 'read' })]),
          );
          // a timer of no case: the claim is undone with the transaction
          if (!caseRow) throw new NoCaseOfTimer();
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
            plan = await this.steps.plan(em, caseRow, req, SYSTEM_ACTOR, { householdVersion, evidence });
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            await em.update(TimerEntity, { id: timer.id }, { status: 'failed', note: `${err.code}: ${err.message}` });
            this.logger.warn({ timerId, caseId: caseRow.id, code: err.code }, 'timer event refused');
            return none('refused');
          }
          const step = await this.steps.write(em, caseRow, plan, SYSTEM_ACTOR, { firedTimerKey: timer.key, hold: own, noView: true });
          try {
            const outgoing = await this.steps.flush(em, step);
            if (own) await this.uow.commitEarly();
            await step.written;
            return { outcome: 'fired' as const, timers: step.timers, outgoing };
          } catch (err) {
            // the held case write (sent now if nothing sent it) failed first — the version moved on
            await step.settled();
            throw err;
          }
        });
        this.scheduler.scheduleAfterCommit(timers);
        this.outbox.send(outgoing);
        return outcome;
      } catch (err) {
        if (err instanceof NoCaseOfTimer) return 'stale';
        if (err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT) continue;
        throw err;
      }
    }
    return 'stale';
  }

  /**
   * Claims a due pending timer in `em`'s transaction (status fired): whoever claims it runs its
   * effect, so it fires once across instances. On PostgreSQL one statement (issue 21: the
   * claim returns the row); a timer not claimed is `stale` (gone, fired, cancelled) or `not-due`.
   */
  private async claimTimer(em: EntityManager, timerId: string): Promise<{ timer: TimerEntity; outcome?: undefined } | { timer: null; outcome: 'stale' | 'not-due' }> {
    if (!isRowId(timerId)) return { timer: null, outcome: 'stale' };
    const now = new Date();
    if (em.connection.options.type === 'postgres') {
      // TypeORM answers an UPDATE with [rows, row count]
      const [rows]: [Array<Record<string, unknown>>, number] = await em.query(
        `UPDATE "timers" SET "status" = 'fired', "settledAt" = $2 WHERE "id" = $1 AND "status" = 'pending' AND "dueAt" <= $2 RETURNING ${returningOf(em, TimerEntity, 't')}`,
        [timerId, now],
      );
      const claimed = rows[0] ? hydrate(em, TimerEntity, 't', rows[0]) : null;
      if (claimed) return { timer: claimed };
    }
    const timer = await em.findOneBy(TimerEntity, { id: timerId });
    if (!timer || timer.status !== 'pending') return { timer: null, outcome: 'stale' };
    if (timer.dueAt.getTime() > now.getTime()) return { timer: null, outcome: 'not-due' };
    if (em.connection.options.type === 'postgres') return { timer: null, outcome: 'stale' };
    const claimed = await em.update(TimerEntity, { id: timer.id, status: 'pending' }, { status: 'fired', settledAt: now });
    return claimed.affected ? { timer } : { timer: null, outcome: 'stale' };
  }

  /**
   * In one query: the case, the response stored under this user's key (if any) and the version
   * of the case's household (householdIdOf, in SQL), share-locked on PostgreSQL so that no
   * registry change commits before the step does (issue 13).
   */
  private async loadForStep(
    em: EntityManager,
    caseId: string,
    userId: string,
    key: string,
  ): Promise<{ caseRow: CaseEntity | null; stored: IdempotencyRecordEntity | null; householdVersion: number | null }> {
    if (!isRowId(caseId)) return { caseRow: null, stored: null, householdVersion: null };
    const pg = em.connection.options.type === 'postgres';
    const household = householdOfCaseSql(em);
    const $ = placeholder(em);
    // issue 21: written out (raw-rows.ts) instead of built by QueryBuilder on every step
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT ${columnsOf(em, CaseEntity, 'c')}, ${columnsOf(em, IdempotencyRecordEntity, 'i')}, ` +
        `(SELECT h."version" FROM "households" h WHERE h."id" = ${household}${pg ? ' FOR SHARE' : ''}) AS "householdVersion" ` +
        `FROM "cases" "c" LEFT JOIN "idempotency_records" "i" ON "i"."userId" = ${$(1)} AND "i"."key" = ${$(2)} WHERE "c"."id" = ${$(3)}`,
      [userId, key, caseId],
    );
    const row = rows[0];
    if (!row) return { caseRow: null, stored: null, householdVersion: null };
    const version = row.householdVersion;
    return {
      caseRow: hydrate(em, CaseEntity, 'c', row),
      stored: hydrate(em, IdempotencyRecordEntity, 'i', row),
      householdVersion: version === null || version === undefined ? null : Number(version),
    };
  }

  async loadVisible(caseId: string, actor: AuthUser, em?: EntityManager): Promise<CaseEntity> {
    return visibleCase(await readCase(em ?? this.uow.manager, caseId), actor);
  }

  // ------------------------------------------------------------------ one step

}

/** A timer whose case does not exist: its claim is rolled back, the timer is stale. */
class NoCaseOfTimer extends Error {}
