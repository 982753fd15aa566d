import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { auditHash } from '../../common/audit/audit-hash';
import { subtractDuration } from '../../common/domain/duration';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { canHold, holdBatch, type InsertOp, sendHeld, VERSION_MOVED, writeBatch, type WriteBatch } from '../../database/batch-write';
import { AuditEntryEntity, CaseEntity, EvidenceEntity, TimerEntity } from '../../database/entities';
import type { TimerRequest } from '../../machines/procedure';

/** Timer keys (and events) of the deadline reminders (SF-04): notifications, not transitions. */
export const DEADLINE_NEAR = 'DEADLINE_NEAR';
export const DEADLINE_PASSED = 'DEADLINE_PASSED';

export interface AuditFields {
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
  /** issue 13: the version of the case's household the step was judged on */
  householdVersion?: number | null;
}

/** What a transition writes: the case's new fields and its audit entry. */
export interface Advance {
  patch: Partial<CaseEntity>;
  entry: AuditEntryEntity;
  /** the evidence the event referenced: linked to the case, first use recorded */
  evidence: EvidenceEntity[];
  /** the timers the machine wanted before and wants now */
  timersBefore: TimerRequest[];
  timersAfter: TimerRequest[];
  closing: boolean;
}

/**
 * How a case is stored: the row guarded by its version, the hash-chained audit entry, the
 * evidence links and the timers — each in the caller's transaction, in as few statements as
 * the data allows (nothing is read back that the transaction itself wrote).
 */
@Injectable()
export class CaseStore {
  /** The audit entry of a step, its hash chaining the case's previous one. */
  auditEntry(caseId: string, f: AuditFields): AuditEntryEntity {
    const hash = auditHash({
      caseId,
      seq: f.seq,
      prevHash: f.prevHash,
      event: f.event,
      fromState: f.fromState,
      toState: f.toState,
      actor: { id: f.actor.id, username: f.actor.username, role: f.actor.role },
      at: f.at.toISOString(),
      reason: f.reason,
      data: f.data,
      evidence: f.evidence,
      policyVersion: f.policyVersion,
      ...(f.householdVersion === null || f.householdVersion === undefined ? {} : { householdVersion: f.householdVersion }),
    });
    return Object.assign(new AuditEntryEntity(), {
      caseId,
      seq: f.seq,
      event: f.event,
      fromState: f.fromState,
      toState: f.toState,
      actorId: f.actor.id,
      actorUsername: f.actor.username,
      actorRole: f.actor.role,
      at: f.at,
      reason: f.reason,
      data: f.data,
      evidence: f.evidence,
      policyVersion: f.policyVersion,
      prevHash: f.prevHash,
      hash,
      householdVersion: f.householdVersion ?? null,
    });
  }

  /**
   * A new case with its CREATE entry, its timers and `with` (its notifications): one
   * statement on PostgreSQL (writeBatch).
   */
  async insert(em: EntityManager, row: CaseEntity, entry: AuditEntryEntity, timers: TimerEntity[], withRows: InsertOp[] = [], opts: { defer?: boolean } = {}): Promise<void> {
    await writeBatch(em, {
      inserts: [
        { target: CaseEntity, rows: [row] },
        { target: AuditEntryEntity, rows: [entry] },
        { target: TimerEntity, rows: timers },
        ...withRows,
      ],
    }, { defer: opts.defer === true });
  }

  /**
   * One step: the case row only if it is still at the version the step was judged on (else
   * 409), its audit entry, the evidence links, the timers — on PostgreSQL in one statement
   * (writeBatch). Returns the stored row and the timers to schedule after commit.
   */
  async advance(
    em: EntityManager,
    caseRow: CaseEntity,
    step: Advance,
    opts: { hold?: boolean } = {},
  ): Promise<{ stored: CaseEntity; newTimers: TimerEntity[]; written: Promise<void>; settled: () => Promise<void> }> {
    const stored = Object.assign(new CaseEntity(), caseRow, step.patch);
    const timers = await this.timerChanges(em, stored, step.timersBefore, step.timersAfter, step.closing);
    const touched = step.evidence.filter((e) => (e.caseId === null && e.batchId === null) || e.usedInSeq === null);
    const conflict = () => new AppError(ErrorCode.VERSION_CONFLICT, '案件已被他人更新，请刷新后重试', { givenVersion: caseRow.version });
    const linked = () => {
      for (const e of touched) {
        if (e.caseId === null && e.batchId === null) e.caseId = caseRow.id;
        e.usedInSeq ??= step.entry.seq;
        e.usedFor ??= step.entry.event;
      }
    };
    const batch: WriteBatch = {
      guarded: { target: CaseEntity, id: caseRow.id, version: caseRow.version, set: step.patch },
      updates: [
        {
          // a loose upload of the caller becomes the case's; a file used for the first time records the entry
          target: EvidenceEntity,
          ids: touched.map((e) => e.id),
          set: {
            caseId: `CASE WHEN "caseId" IS NULL AND "batchId" IS NULL THEN :linkCase ELSE "caseId" END`,
            usedInSeq: `COALESCE("usedInSeq", :linkSeq)`,
            usedFor: `COALESCE("usedFor", :linkEvent)`,
          },
          params: { linkCase: caseRow.id, linkSeq: step.entry.seq, linkEvent: step.entry.event },
        },
      ],
      inserts: [
        { target: AuditEntryEntity, rows: [step.entry] },
        { target: TimerEntity, rows: timers },
      ],
    };
    // a concurrent step wrote this sequence number first, or moved the version on
    const moved = (err: unknown) => isUniqueViolation(err) || String((err as Error)?.message ?? '').includes(VERSION_MOVED);
    // held only where it can be (a PostgreSQL transaction); elsewhere (SQLite) written now, in order
    if (opts.hold && canHold(em)) {
      // issue 21: held for the step's next round trip (an effect's statement, or COMMIT); the
      // caller awaits `written` before its transaction ends
      const written = holdBatch(em, batch).then(
        (n) => {
          if (!n) throw conflict();
        },
        (err) => {
          throw moved(err) ? conflict() : err;
        },
      );
      written.catch(() => undefined);
      linked();
      // a step that fails in Node before its next statement sends what is held first, then
      // learns whether its own write failed (409 takes precedence, as when it was awaited)
      const settled = async () => {
        await sendHeld(em);
        await written;
      };
      return { stored, newTimers: timers, written, settled };
    }
    let affected: number;
    try {
      affected = await writeBatch(em, batch);
    } catch (err) {
      if (isUniqueViolation(err)) affected = 0;
      else throw err;
    }
    if (!affected) throw conflict();
    linked();
    return { stored, newTimers: timers, written: Promise.resolve(), settled: () => Promise.resolve() };
  }

  /**
   * Makes the case's pending timers match what the machine now asks for. The pending rows are
   * exactly what the machine asked for at the previous step (written in that step's
   * transaction), so the difference is computed without reading them: obsolete ones are
   * cancelled now, the new ones returned for the step's write. Deadline reminders run until the
   * case closes.
   */
  private async timerChanges(em: EntityManager, caseRow: CaseEntity, before: TimerRequest[], after: TimerRequest[], closing: boolean): Promise<TimerEntity[]> {
    const now = new Date();
    const same = (a: TimerRequest, b: TimerRequest) => a.key === b.key && a.event === b.event && new Date(a.dueAt).getTime() === new Date(b.dueAt).getTime();
    const wanted = closing ? [] : after;
    if (closing) {
      await em.update(TimerEntity, { caseId: caseRow.id, status: 'pending' }, { status: 'cancelled', settledAt: now, note: 'case closed' });
    } else {
      const obsolete = [...new Set(before.filter((b) => !wanted.some((w) => same(b, w))).map((b) => b.key))];
      if (obsolete.length) {
        await em.update(TimerEntity, { caseId: caseRow.id, status: 'pending', key: In(obsolete) }, { status: 'cancelled', settledAt: now, note: 'state left' });
      }
    }
    return wanted.filter((w) => !before.some((b) => same(b, w))).map((w) => timerRow(caseRow, w, now));
  }

  /** A new case's timers: what its machine asks for, and the deadline reminders (SF-04). Written by {@link insert}. */
  initialTimers(row: CaseEntity, wanted: TimerRequest[], deadline: { nearBefore: string } | null, now: Date): TimerEntity[] {
    const requests = [...wanted];
    if (row.deadlineAt && deadline) {
      const near = subtractDuration(row.deadlineAt, deadline.nearBefore);
      if (near > now) requests.push({ key: DEADLINE_NEAR, event: DEADLINE_NEAR, dueAt: near.toISOString() });
      requests.push({ key: DEADLINE_PASSED, event: DEADLINE_PASSED, dueAt: row.deadlineAt.toISOString() });
    }
    return requests.map((w) => timerRow(row, w, now));
  }
}

/** A pending timer of a case, as the machine (or the deadline) asked for it. */
function timerRow(caseRow: CaseEntity, w: TimerRequest, now: Date): TimerEntity {
  return Object.assign(new TimerEntity(), {
    id: randomUUID(),
    caseId: caseRow.id,
    key: w.key,
    event: w.event,
    dueAt: new Date(w.dueAt),
    status: 'pending',
    scheduledAtVersion: caseRow.version,
    createdAt: now,
    settledAt: null,
    note: null,
  });
}
