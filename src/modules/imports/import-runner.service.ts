import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { isWithin } from '../../common/domain/area';
import { type AlertSource, ALERT_SOURCES, titleOf, type UserRole } from '../../common/domain/enums';
import { AppError } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { HouseholdEntity, HouseholdMemberEntity, TimerEntity, UserEntity } from '../../database/entities';
import { type InclusionCreationRule, MONITORING_INCLUSION } from '../../machines/monitoring-inclusion.machine';
import { EngineService } from '../engine/engine.service';
import { every } from '../jobs/periodic';
import { JobQueue } from '../jobs/job-queue';
import { IMPORT_QUEUE, type ImportJob } from '../jobs/queue-names';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { AlertFileError, alertRows } from './alert-file';
import {
  AlertImportEntity,
  AlertImportRowEntity,
  type ImportCounts,
  type RowOutcome,
} from './imports.entities';
import { type CheckedRow, rowChecker } from './row-check';
import { piiHash } from '../../common/crypto/pii';

/** Another worker moved the import on meanwhile: this chunk is rolled back and not redone. */
class ImportMovedOn extends Error {}

const COUNT_OF: Record<RowOutcome, keyof ImportCounts> = {
  opened: 'opened',
  already_monitored: 'alreadyMonitored',
  open_case: 'openCase',
  unmatched: 'unmatched',
  invalid: 'invalid',
  duplicate: 'duplicate',
};

/**
 * The report outcome of a row whose lead the inclusion definition's creation rules refuse: one
 * per rule (a new rule without an outcome does not compile), judged by the engine alone.
 */
const REFUSED_AS: Record<InclusionCreationRule, RowOutcome> = {
  already_monitored: 'already_monitored',
  open_case_exists: 'open_case',
};

export const IMPORT_ATTEMPTS = 5;

/**
 * Processes an alert import (a Bull job, job id = import id): parses the stored file, then in
 * chunks, each one transaction, records every row's outcome, opens a monitoring-inclusion case
 * (channel `department_alert`) for each matched household with neither a monitoring object in
 * monitoring nor an open case, and advances `rowsDone` guarded by its previous value. A crash
 * resumes at the last committed chunk; two workers on one import never both commit a chunk.
 */
@Injectable()
export class ImportRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportRunner.name);
  private tick: { stop(): void } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly engine: EngineService,
    private readonly outbox: OutboxService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process<ImportJob>(IMPORT_QUEUE, 1, async (job, ctx) => {
      try {
        return await this.run(job.importId);
      } catch (err) {
        // after the last try the import is marked failed, not retried for ever by the reconciler
        if (ctx.lastAttempt) {
          await this.write((em) =>
            em.update(AlertImportEntity, { id: job.importId, status: In(['queued', 'running']) }, {
              status: 'failed',
              error: `处理失败，请重新导入：${(err as Error).message}`.slice(0, 1000),
              finishedAt: new Date(),
              updatedAt: new Date(),
            }),
          ).catch(() => undefined);
        }
        throw err;
      }
    });
    this.tick = every(this.config.timers.reconcileIntervalMs, () => this.reconcile());
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  /** Single writes go through the unit of work too: on SQLite it is the one serialised connection. */
  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.uow.transaction(work);
  }

  enqueue(importId: string): Promise<boolean> {
    return this.queue.ensure<ImportJob>(IMPORT_QUEUE, { importId }, { jobId: importId, attempts: IMPORT_ATTEMPTS, backoffMs: 2000 });
  }

  /** Unfinished imports the queue may have lost (Redis down or flushed, a crash): queue them again. */
  async reconcile(): Promise<number> {
    try {
      const open = await this.uow.manager.find(AlertImportEntity, {
        where: { status: In(['queued', 'running']) },
        select: { id: true },
        order: { createdAt: 'ASC' },
        take: 100,
      });
      for (const i of open) if (!(await this.enqueue(i.id))) break;
      return open.length;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'import reconcile failed; will retry');
      return 0;
    }
  }

  async run(importId: string): Promise<'completed' | 'failed' | 'skipped'> {
    const imp = await this.uow.manager
      .createQueryBuilder(AlertImportEntity, 'i')
      .addSelect('i.content')
      .where('i.id = :id', { id: importId })
      .getOne();
    if (!imp || imp.status === 'completed' || imp.status === 'failed') return 'skipped';
    const started = Date.now();
    if (imp.status === 'queued') {
      await this.write((em) => em.update(AlertImportEntity, { id: imp.id, status: 'queued' }, { status: 'running', startedAt: new Date(), updatedAt: new Date() }));
    }
    // the file's bytes as the driver returned them (a Buffer: no copy), held by this run only
    const content = imp.content;
    imp.content = undefined as unknown as Buffer;
    // The file is read twice and never held as rows: once to check it whole (a refused file
    // imports nothing) and count its rows, then again row by row as the chunks are written.
    let total = 0;
    try {
      for await (const _ of alertRows(content, imp.fileName)) total++;
    } catch (err) {
      if (!(err instanceof AlertFileError)) throw err;
      await this.write((em) => em.update(AlertImportEntity, { id: imp.id }, { status: 'failed', error: err.message, finishedAt: new Date(), updatedAt: new Date() }));
      this.logger.warn({ importId, code: err.code }, 'import file refused');
      return 'failed';
    }
    if (imp.rowsTotal === null) await this.write((em) => em.update(AlertImportEntity, { id: imp.id }, { rowsTotal: total }));
    const uploader = await this.uow.manager.findOneByOrFail(UserEntity, { id: imp.uploadedById });
    const actor: AuthUser = {
      id: uploader.id,
      username: uploader.username,
      displayName: uploader.displayName,
      role: imp.uploadedByRole as UserRole,
      areaCode: imp.areaCode,
      sector: uploader.sector,
    };
    let counts = { ...imp.counts };
    let done = imp.rowsDone;
    const chunk = this.config.imports.chunkRows;
    // every row is checked, those of the chunks already committed too: a duplicate is one of an earlier row
    const check = rowChecker({ fileSource: imp.source as AlertSource, uploaderArea: imp.areaCode });
    let read = 0;
    let rows: CheckedRow[] = [];
    const commit = async (): Promise<boolean> => {
      const next = done + rows.length;
      try {
        const { timers, added } = await this.uow.transaction((em) => this.chunk(em, { imp, actor, rows, from: done, to: next, counts }));
        this.engine.scheduleTimers(timers);
        counts = added;
        done = next;
        rows = [];
        return true;
      } catch (err) {
        if (err instanceof ImportMovedOn) return false;
        throw err;
      }
    };
    const resumeAt = done;
    for await (const row of alertRows(content, imp.fileName)) {
      const checked = check(row);
      if (++read <= resumeAt) continue;
      rows.push(checked);
      if (rows.length === chunk && !(await commit())) return 'skipped';
    }
    if (rows.length && !(await commit())) return 'skipped';
    const finished = await this.finish(imp, counts);
    if (finished) this.logger.log({ importId, rows: total, ms: Date.now() - started, ...counts }, 'import completed');
    return 'completed';
  }

  private async chunk(
    em: EntityManager,
    args: { imp: AlertImportEntity; actor: AuthUser; rows: CheckedRow[]; from: number; to: number; counts: ImportCounts },
  ): Promise<{ timers: TimerEntity[]; added: ImportCounts }> {
    const { imp, actor, rows } = args;
    const now = new Date();
    // the claim comes first: it locks the import row, so a second worker on the same chunk waits
    // here and then finds the chunk taken, before it has written anything
    const claimed = await em
      .createQueryBuilder()
      .update(AlertImportEntity)
      .set({ rowsDone: args.to, updatedAt: now })
      .where('id = :id AND "rowsDone" = :from AND status = :running', { id: imp.id, from: args.from, running: 'running' })
      .execute();
    if (!claimed.affected) throw new ImportMovedOn();
    const valid = rows.filter((r) => !r.errors.length && r.duplicateOf === null);
    // by the keyed hash of the ID number (the column itself is encrypted): nothing is decrypted
    const hashOf = new Map(valid.map((r) => [r.idNumber, piiHash(r.idNumber)]));
    const ids = [...new Set(hashOf.values())];
    const members = ids.length ? await em.find(HouseholdMemberEntity, { where: { idNumberHash: In(ids) }, select: { idNumberHash: true, householdId: true } }) : [];
    const householdIds = [...new Set(members.map((m) => m.householdId))];
    const households = householdIds.length
      ? await em.find(HouseholdEntity, { where: { id: In(householdIds) }, select: { id: true, areaCode: true } })
      : [];
    // a household outside the uploader's area is as good as unknown to them
    const areaOf = new Map(households.filter((h) => isWithin(h.areaCode, imp.areaCode)).map((h) => [h.id, h.areaCode]));
    const householdOf = new Map(members.filter((m) => areaOf.has(m.householdId)).map((m) => [m.idNumberHash, m.householdId]));

    const added = { ...args.counts };
    const timers: TimerEntity[] = [];
    const out: AlertImportRowEntity[] = [];
    for (const r of rows) {
      let outcome: RowOutcome;
      let householdId: string | null = null;
      let caseId: string | null = null;
      if (r.errors.length) outcome = 'invalid';
      else if (r.duplicateOf !== null) outcome = 'duplicate';
      else if (!(householdId = householdOf.get(hashOf.get(r.idNumber)!) ?? null)) outcome = 'unmatched';
      else {
        // the engine judges the procedure's creation rules (already monitored, an open case …)
        const opened = await this.open(em, { imp, actor, row: r, householdId, now });
        outcome = opened.outcome;
        caseId = opened.caseId;
        timers.push(...opened.timers);
      }
      added[COUNT_OF[outcome]]++;
      out.push(
        Object.assign(new AlertImportRowEntity(), {
          importId: imp.id,
          rowNumber: r.rowNumber,
          // the report's record of a row as it came (a refused row may be longer: shown cut, marked …)
          idNumber: clip(r.idNumber, 40),
          name: clip(r.name, 50),
          areaCode: clip(r.areaCode, 20),
          source: clip(String(r.source), 30),
          outcome,
          errors: r.errors.length ? r.errors : null,
          householdId,
          villageCode: householdId ? (areaOf.get(householdId) ?? null) : null,
          caseId,
        }),
      );
    }
    for (let i = 0; i < out.length; i += 500) await em.insert(AlertImportRowEntity, out.slice(i, i + 500));
    await em.update(AlertImportEntity, { id: imp.id }, { counts: added });
    return { timers, added };
  }

  /**
   * Opens the lead. The adapter's own checks run again (they are the authority); what they
   * refuse for this household is the row's outcome. They refuse before writing anything, so the
   * chunk's transaction stays usable on PostgreSQL.
   */
  private async open(
    em: EntityManager,
    args: { imp: AlertImportEntity; actor: AuthUser; row: CheckedRow; householdId: string; now: Date },
  ): Promise<{ outcome: RowOutcome; caseId: string | null; timers: TimerEntity[] }> {
    const { imp, row: r } = args;
    try {
      const created = await this.engine.createWithin(em, {
        procedure: MONITORING_INCLUSION,
        body: {
          householdId: args.householdId,
          channel: 'department_alert',
          riskDescription: `部门筛查预警（${titleOf(ALERT_SOURCES, r.source)}）${r.description ? `：${r.description}` : ''}；名单：${imp.fileName} 第${r.rowNumber}行`,
          urgent: false,
        },
        actor: args.actor,
        now: args.now,
      });
      return { outcome: 'opened', caseId: created.caseRow.id, timers: created.timers };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const rule = err.details?.rule as InclusionCreationRule | undefined;
      const outcome = rule && Object.hasOwn(REFUSED_AS, rule) ? REFUSED_AS[rule] : null;
      if (!outcome) throw err;
      return { outcome, caseId: outcome === 'open_case' ? String(err.details?.caseId ?? '') || null : null, timers: [] };
    }
  }

  /** Completes the import once, and tells the villages about their new leads and the uploader about the result. */
  private async finish(imp: AlertImportEntity, counts: ImportCounts): Promise<boolean> {
    let outgoing: Outgoing = [];
    const finished = await this.uow.transaction(async (em) => {
      const now = new Date();
      const done = await em.update(AlertImportEntity, { id: imp.id, status: 'running' }, { status: 'completed', finishedAt: now, updatedAt: now });
      if (!done.affected) return false;
      const opened = await em
        .createQueryBuilder(AlertImportRowEntity, 'r')
        .select('r.villageCode', 'villageCode')
        .addSelect('COUNT(*)', 'n')
        .where('r.importId = :id AND r.outcome = :o', { id: imp.id, o: 'opened' })
        .groupBy('r.villageCode')
        .getRawMany<{ villageCode: string; n: string | number }>();
      const sourceTitle = titleOf(ALERT_SOURCES, imp.source);
      for (const v of opened) {
        const n = Number(v.n);
        outgoing = outgoing.concat(
          await this.outbox.publish(
            em,
            {
              kind: 'task',
              title: `部门筛查预警：新增 ${n} 条待核查线索`,
              message: `行业部门推送的“${sourceTitle}”预警名单在本村新增 ${n} 条识别纳入线索，请在时限内全部入户核查（全覆盖上户核查）。`,
              areaCode: v.villageCode,
              procedure: MONITORING_INCLUSION,
              data: { importId: imp.id, source: imp.source, opened: n },
            },
            { roles: ['village'] },
            now,
          ),
        );
      }
      outgoing = outgoing.concat(
        await this.outbox.publish(
          em,
          {
            kind: 'import_done',
            title: `预警名单导入完成：${imp.fileName}`.slice(0, 200),
            message: `共 ${Object.values(counts).reduce((a, b) => a + b, 0)} 行：新开识别案件 ${counts.opened}，已是监测对象 ${counts.alreadyMonitored}，已有在办案件 ${counts.openCase}，未匹配 ${counts.unmatched}，无效 ${counts.invalid}，重复 ${counts.duplicate}。`,
            areaCode: imp.areaCode,
            data: { importId: imp.id, counts },
          },
          { userIds: [imp.uploadedById] },
          now,
        ),
      );
      return true;
    });
    this.outbox.send(outgoing);
    return finished;
  }
}

/** A report cell of at most `n` characters: a longer value is shown cut and marked with …. */
function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}
