import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { writeBatch } from '../../database/batch-write';
import { type CaseEntity, IdempotencyRecordEntity, type TimerEntity } from '../../database/entities';
import { nextSnapshot } from '../../machines/next-snapshot';
import type { ActorRef, TimerRequest } from '../../machines/procedure';
import { Announcer } from '../notifications/announcer';
import { NotificationEntity, WebhookDeliveryEntity } from '../notifications/notifications.entities';
import { NO_NOTICE, type Outgoing, type PreparedNotice } from '../notifications/outbox.service';
import { CaseOpener } from './case-opener';
import { CaseStore } from './case-store';
import { type CaseFacts, CheckPipeline, type Judged } from './check-pipeline';
import { afterUse, checkEvidenceUse, type EvidenceRow, loadEvidence } from './evidence-use';
import { householdIdOf, householdVersionOf } from './household-version';
import { isFinal } from './introspection';
import { type Prefetched, ProcedureRegistry } from './procedure-adapter';
import { checkRole } from './requirements';
import { isRowId } from '../../common/domain/row-id';

/** The files an event's evidence ids name, as read: none when one of them is not an id at all (then EVIDENCE_INVALID). */
export function evidenceToRead(evidenceIds: string[]): string[] {
  const unique = [...new Set(evidenceIds)];
  return unique.some((id) => !isRowId(id)) ? [] : unique;
}

/** An event sent to a case: what `plan` judges. */
export interface EventRequest {
  caseId: string;
  type: string;
  version: number;
  evidenceIds: string[];
  data: Record<string, unknown>;
  reason?: string | null;
}

/** A step that passed every check, before anything is written. */
export interface Planned {
  facts: CaseFacts;
  /** issue 13: the version of the case's household in force when the step was judged */
  householdVersion: number | null;
  judged: Judged & { evidence: EvidenceRow[] };
  caseEvidence: EvidenceRow[];
  toState: string;
  next: { value: unknown; context: Record<string, any> };
}

/** A step that passed every check and is stored: what the response and after-commit work need. */
export interface Stepped {
  stored: CaseEntity;
  /**
   * Settles when the case write has run: at once, unless the step was written with `hold`
   * (issue 21), when the write rides with the next round trip; rejects with VERSION_CONFLICT
   * when the version moved on. The caller awaits it before its transaction ends.
   */
  written: Promise<void>;
  /** sends the held case write if nothing has, then settles as `written` (for a failure path) */
  settled: () => Promise<void>;
  facts: CaseFacts;
  caseEvidence: EvidenceRow[];
  timers: TimerEntity[];
  notice: PreparedNotice;
}

/**
 * One step of one case, inside the caller's transaction: `plan` runs every check (the check
 * pipeline) and computes the machine's next snapshot, writing nothing; `write` stores it (the
 * case store: version-guarded row, audit entry, evidence links, timers), runs the procedure's
 * effects and prepares the notifications; `flush` writes the notifications and the
 * idempotency record in the step's last statement.
 */
@Injectable()
export class StepRunner {
  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly checks: CheckPipeline,
    private readonly store: CaseStore,
    private readonly announcer: Announcer,
    private readonly opener: CaseOpener,
  ) {}

  /** Judge, compute, store, announce — inside the caller's transaction. */
  async step(
    em: EntityManager,
    caseRow: CaseEntity,
    req: EventRequest,
    actor: AuthUser,
    opts: { firedTimerKey?: string; householdVersion?: number | null; evidence?: EvidenceRow[]; prefetched?: Prefetched; hold?: boolean } = {},
  ): Promise<Stepped> {
    return this.write(em, caseRow, await this.plan(em, caseRow, req, actor, opts), actor, opts);
  }

  /** Every check, then the machine's next snapshot. Writes nothing: a refusal throws here. */
  async plan(
    em: EntityManager,
    caseRow: CaseEntity,
    req: EventRequest,
    actor: AuthUser,
    known: { householdVersion?: number | null; evidence?: EvidenceRow[]; prefetched?: Prefetched } = {},
  ): Promise<Planned> {
    // the household first, shared-locked on PostgreSQL: a registry change waits for this step,
    // so the version recorded is the one the facts below were read from (given when the caller
    // read it with the case, in this transaction)
    const householdVersion =
      known.householdVersion !== undefined ? known.householdVersion : await householdVersionOf(em, householdIdOf(caseRow.subjectType, caseRow.subjectId, caseRow.snapshot.context));
    const facts = await this.checks.load(em, caseRow, actor, [caseRow.state], known.prefetched);
    let caseEvidence: EvidenceRow[] = [];
    const judged = await this.checks.judge(facts, req, async () => {
      const found = await this.resolveEvidence(em, caseRow, req, actor, known.evidence);
      caseEvidence = found.caseEvidence;
      return found.referenced;
    });
    const { def } = facts;
    const snapshot = def.machine.resolveState({ value: caseRow.snapshot.value as never, context: caseRow.snapshot.context });
    const next = nextSnapshot(def.machine, snapshot, judged.event as never);
    if (next === snapshot) {
      // the machine's own guard refused: the pipeline and the guard disagree
      throw new AppError(ErrorCode.INVALID_TRANSITION, '该操作当前不可执行', { state: caseRow.state, event: req.type });
    }
    return { facts, householdVersion, judged, caseEvidence, toState: String(next.value), next: { value: next.value, context: next.context as Record<string, any> } };
  }

  /** Stores a planned step: case row (version-guarded), audit entry, evidence, timers, effects, notifications. */
  async write(
    em: EntityManager,
    caseRow: CaseEntity,
    plan: Planned,
    actor: AuthUser,
    /** `noView`: no response is built from the step (a timer's), so the facts after it are not read again */
    opts: { firedTimerKey?: string; hold?: boolean; noView?: boolean },
  ): Promise<Stepped> {
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
    const { stored, newTimers, written, settled } = await this.store.advance(em, caseRow, {
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
    }, { hold: opts.hold });
    let announced: PreparedNotice | null;
    let after: CaseFacts;
    try {
      await this.effects(em, caseRow, stored, toState, next, judged, actor, now, opened);
      // whoever has work now: written with the step's last statement (see flush)
      announced = toState === caseRow.state ? null : await this.announcer.prepare(em, { def, caseRow: stored, state: toState, actor, now });
      after = opts.noView ? facts : await this.checks.after(em, facts, stored, entry);
    } catch (err) {
      // a held case write goes first (sent now if nothing sent it): when it failed, that is the answer (409)
      await settled();
      throw err;
    }
    const notices = [announced, ...opened.map((o) => o.notice)].filter((n): n is PreparedNotice => n !== null);
    return {
      stored,
      written,
      settled,
      facts: after,
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

  /** The procedure's effects of a stored step (`afterTransition`); cases they open are collected in `opened`. */
  private async effects(
    em: EntityManager,
    caseRow: CaseEntity,
    stored: CaseEntity,
    toState: string,
    next: Planned['next'],
    judged: Planned['judged'],
    actor: AuthUser,
    now: Date,
    opened: Array<{ timers: TimerEntity[]; notice: PreparedNotice | null }>,
  ): Promise<void> {
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
        const created = await this.opener.open(em, { def: openDef, adapter, body, actor, now, origin });
        const notice = await this.announcer.prepare(em, { def: openDef, caseRow: created.caseRow, state: created.caseRow.state, actor, now });
        opened.push({ timers: created.timers, notice });
        return created.caseRow;
      },
    });
  }

  /**
   * The step's last writes, one statement on PostgreSQL: its notifications, deliveries and
   * idempotency record. Held for the transaction's next statement (issue 21): it goes with
   * `COMMIT` in one round trip, which commits only if it succeeded (a twin's idempotency record
   * surfaces there as the unique violation the engine answers from the twin).
   */
  async flush(em: EntityManager, step: Stepped, idempotency?: IdempotencyRecordEntity): Promise<Outgoing> {
    await writeBatch(
      em,
      {
        inserts: [
          { target: NotificationEntity, rows: step.notice.notifications },
          { target: WebhookDeliveryEntity, rows: step.notice.deliveries },
          { target: IdempotencyRecordEntity, rows: idempotency ? [idempotency] : [] },
        ],
      },
      { defer: true },
    );
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
    /** read with the case, in its round trip, for exactly these evidence ids (see {@link evidenceToRead}) */
    prefetched?: EvidenceRow[],
  ): Promise<{ referenced: EvidenceRow[]; caseEvidence: EvidenceRow[] }> {
    const unique = [...new Set(req.evidenceIds)];
    const rows = prefetched ?? (await loadEvidence(em, caseRow, evidenceToRead(req.evidenceIds)));
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
