import { uploadedFileName } from '../../common/http/file-name';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { type EntityManager, In, MoreThan } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { piiHash } from '../../common/crypto/pii';
import { areaLike, assertInArea } from '../../common/auth/scope';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { isWithin } from '../../common/domain/area';
import type { UserRole } from '../../common/domain/enums';
import { maskIdNumber, maskName } from '../../common/domain/id-number';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { PersonalDataReads } from '../households/personal-data-reads';
import { UnitOfWork } from '../../database/unit-of-work';
import { AreaEntity, HouseholdEntity, HouseholdMemberEntity, TimerEntity, UserEntity } from '../../database/entities';
import { importJobView } from '../imports/import-job-view';
import { appendLedgerMany, type LedgerAppend } from '../audit/record-ledger';
import { EngineService } from '../engine/engine.service';
import type { PageQuery } from '../engine/cases.dto';
import { seesPersonalData } from '../households/households.service';
import { AlertFileError, detectFormat } from '../imports/alert-file';
import { every } from '../jobs/periodic';
import { JobQueue } from '../jobs/job-queue';
import { HOUSEHOLD_IMPORT_QUEUE, type ImportJob } from '../jobs/queue-names';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { historyEntry, type MemberState, memberState } from './history';
import { HOUSEHOLD_ROW_ERRORS, householdChunks, householdGroups, type HouseholdFileScan, type HouseholdRow, type HouseholdRowError, isConflict, scanHouseholdFile, type VillageIndex } from './household-file';
import {
  EMPTY_HOUSEHOLD_COUNTS,
  type HouseholdImportCounts,
  HouseholdImportEntity,
  HouseholdImportRowEntity,
  type HouseholdRowOutcome,
} from './registry.entities';
import { RegistryWatch } from './registry-watch';
import { recordMemberLeft } from './member-leaving';
import { beijingDate } from '../../machines/record-date';
import { WelfarePostTenureEntity } from '../welfare-posts/welfare-posts.entities';
import { isRowId } from '../../common/domain/row-id';

class ImportMovedOn extends Error {}

/** The multipart field `fullExport` (issue 19): true when the file is the full export of its villages. */
function fullExportOf(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', '是'].includes(s)) return true;
  if (['false', '0', '否'].includes(s)) return false;
  throw AppError.validation({ fullExport: 'fullExport 应为 true 或 false（文件是否为所涉各村的全量导出）' });
}

export const HOUSEHOLD_OUTCOME_TITLES: Record<HouseholdRowOutcome, string> = {
  created: '新增成员',
  updated: '成员信息已更新',
  moved: '成员已从他户转入',
  unchanged: '无变化',
  invalid: '数据无效',
  conflict: '冲突未导入',
  left: '全量导出未列出，已登记迁出',
  absent: '全量导出未列出整户，未变更（销户请按程序办理）',
};

type RowOutcome = Exclude<HouseholdRowOutcome, 'left' | 'absent'>;
const COUNT_OF: Record<RowOutcome, 'created' | 'updated' | 'moved' | 'unchanged' | 'invalid' | 'conflict'> = {
  created: 'created',
  updated: 'updated',
  moved: 'moved',
  unchanged: 'unchanged',
  invalid: 'invalid',
  conflict: 'conflict',
};

const REPORT_CHUNK = 5_000;
/** households per transaction */
const CHUNK_HOUSEHOLDS = 1_500;
const IN_PART = 5_000;
const ATTEMPTS = 5;

const MEMBER_FIELDS = ['name', 'relation', 'gender', 'birthDate', 'laborAbility', 'disability', 'employment', 'phone'] as const;
const sameDisability = (a: { category: string; level: number } | null, b: { category: string; level: number } | null) =>
  (a === null && b === null) || (!!a && !!b && a.category === b.category && Number(a.level) === Number(b.level));

const parts = <T>(xs: T[], n = IN_PART): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/**
 * Issue 13: `POST /imports/households` — the registry export of the national system, loaded by the
 * job machinery of the alert imports: accepted at once (202), processed in the background in
 * chunks of households, each chunk one transaction with its progress (resumable after a crash),
 * a per-row report. Upsert by ID number: new households and members, changed members, members
 * moved between households; every household that changed gets one history entry (a new version).
 */
@Injectable()
export class HouseholdImports implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HouseholdImports.name);
  private tick: { stop(): void } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: JobQueue,
    private readonly outbox: OutboxService,
    private readonly watch: RegistryWatch,
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reads: PersonalDataReads,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process<ImportJob>(HOUSEHOLD_IMPORT_QUEUE, 1, async (job, ctx) => {
      try {
        return await this.run(job.importId);
      } catch (err) {
        if (ctx.lastAttempt) {
          await this.uow
            .transaction((em) =>
              em.update(HouseholdImportEntity, { id: job.importId, status: In(['queued', 'running']) }, {
                status: 'failed',
                error: `处理失败，请重新导入：${(err as Error).message}`.slice(0, 1000),
                finishedAt: new Date(),
                updatedAt: new Date(),
              }),
            )
            .catch(() => undefined);
        }
        throw err;
      }
    });
    this.tick = every(this.config.timers.reconcileIntervalMs, () => this.reconcile());
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  private enqueue(id: string): Promise<boolean> {
    return this.queue.ensure<ImportJob>(HOUSEHOLD_IMPORT_QUEUE, { importId: id }, { jobId: id, attempts: ATTEMPTS, backoffMs: 2000 });
  }

  async reconcile(): Promise<number> {
    try {
      const open = await this.uow.manager.find(HouseholdImportEntity, { where: { status: In(['queued', 'running']) }, select: { id: true }, order: { createdAt: 'ASC' }, take: 100 });
      for (const i of open) if (!(await this.enqueue(i.id))) break;
      return open.length;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'household import reconcile failed; will retry');
      return 0;
    }
  }

  // ------------------------------------------------------------------ HTTP

  async upload(user: AuthUser, file: Express.Multer.File | undefined, fullExportField?: unknown) {
    const fullExport = fullExportOf(fullExportField);
    if (!file?.buffer?.length) throw AppError.validation({ file: '请上传 CSV 或 XLSX 文件' });
    let format: string;
    try {
      format = detectFormat(file.buffer, file.originalname);
    } catch (err) {
      if (err instanceof AlertFileError) throw AppError.validation({ file: err.message });
      throw err;
    }
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    const earlier = await this.uow.manager.findOne(HouseholdImportEntity, { where: { sha256 }, order: { createdAt: 'ASC' }, select: { id: true, areaCode: true } });
    const now = new Date();
    const row = Object.assign(new HouseholdImportEntity(), {
      id: randomUUID(),
      areaCode: user.areaCode,
      fileName: uploadedFileName(file.originalname),
      format,
      sha256,
      size: file.size,
      content: file.buffer,
      status: 'queued',
      rowsTotal: null,
      rowsDone: 0,
      counts: { ...EMPTY_HOUSEHOLD_COUNTS },
      error: null,
      sameFileAs: earlier && earlier.areaCode === user.areaCode ? earlier.id : null,
      fullExport,
      uploadedById: user.id,
      uploadedByUsername: user.username,
      uploadedByRole: user.role,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    });
    await this.uow.transaction((em) => em.insert(HouseholdImportEntity, row));
    void this.enqueue(row.id);
    return this.view(row);
  }

  private async visible(user: AuthUser, id: string): Promise<HouseholdImportEntity> {
    const imp = isRowId(id) ? await this.uow.manager.findOneBy(HouseholdImportEntity, { id }) : null;
    if (!imp) throw AppError.notFound('导入任务');
    if (imp.areaCode === null) {
      if (user.areaCode !== null) throw AppError.notFound('导入任务');
    } else assertInArea(user, imp.areaCode, '导入任务');
    return imp;
  }

  view(imp: HouseholdImportEntity) {
    const { id, ...rest } = importJobView(imp, `/imports/households/${imp.id}/report`);
    return { id, kind: 'households', fullExport: imp.fullExport, ...rest };
  }

  async get(user: AuthUser, id: string) {
    return this.view(await this.visible(user, id));
  }

  async list(user: AuthUser, q: PageQuery) {
    const qb = this.uow.manager.createQueryBuilder(HouseholdImportEntity, 'i');
    const like = areaLike(user);
    if (like) qb.where('i.areaCode LIKE :like', { like });
    const [rows, total] = await qb.orderBy('i.createdAt', 'DESC').addOrderBy('i.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: rows.map((r) => this.view(r)), total, page: q.page, pageSize: q.pageSize };
  }

  /** Every row's outcome as CSV (UTF-8 with BOM), streamed; ID numbers and names masked below township. */
  async report(user: AuthUser, id: string): Promise<{ fileName: string; chunks: AsyncIterable<string> }> {
    const imp = await this.visible(user, id);
    if (imp.status !== 'completed') {
      throw new AppError(ErrorCode.INVALID_TRANSITION, '导入尚未完成，完成后才能下载结果报告', { status: imp.status, progress: { rowsDone: imp.rowsDone, rowsTotal: imp.rowsTotal } });
    }
    const full = user.id === imp.uploadedById || (imp.areaCode !== null && seesPersonalData(user, imp.areaCode)) || (imp.areaCode === null && ['county', 'township', 'supervisor'].includes(user.role));
    const cell = (v: unknown) => {
      let s = v === null || v === undefined ? '' : String(v);
      if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    // issue 19: a row of a household is shown in full only as a recorded read of that household
    // (personal_data_reads); a row of no household only to its uploader, who sent it
    const shown = (r: HouseholdImportRowEntity) => full && (r.householdId !== null || user.id === imp.uploadedById);
    const line = (r: HouseholdImportRowEntity) =>
      [
        r.rowNumber,
        r.householdCode,
        shown(r) ? r.name : maskName(r.name),
        shown(r) ? r.idNumber : maskIdNumber(r.idNumber),
        r.villageCode ?? '',
        HOUSEHOLD_OUTCOME_TITLES[r.outcome],
        r.outcome,
        (r.errors ?? []).map((e) => HOUSEHOLD_ROW_ERRORS[e as HouseholdRowError] ?? e).join('；'),
        (r.errors ?? []).join(';'),
        r.householdId ?? '',
        r.fromHouseholdId ?? '',
      ]
        .map(cell)
        .join(',');
    const em = this.uow.manager;
    const reads = this.reads;
    async function* chunks(): AsyncGenerator<string> {
      yield `\uFEFF${['行号', '户编号', '姓名', '证件号码', '所在村', '结果', '结果代码', '问题', '问题代码', '农户编号', '原农户编号'].join(',')}\r\n`;
      for (let after = 0; ; ) {
        const rows = await em.find(HouseholdImportRowEntity, { where: { importId: imp.id, rowNumber: MoreThan(after) }, order: { rowNumber: 'ASC' }, take: REPORT_CHUNK });
        if (!rows.length) return;
        await reads.record(user, (rows.filter((r) => shown(r) && r.householdId).map((r) => ({ id: r.householdId!, areaCode: r.villageCode ?? imp.areaCode ?? '' }))), 'GET /imports/households/{id}/report');
        yield rows.map((r) => `${line(r)}\r\n`).join('');
        after = rows[rows.length - 1].rowNumber;
      }
    }
    return { fileName: `household-import-${imp.id}-report.csv`, chunks: chunks() };
  }

  // ------------------------------------------------------------------ the job

  private async villages(): Promise<VillageIndex> {
    const rows = await this.uow.manager.find(AreaEntity, { where: { level: 'village' }, select: { code: true, name: true } });
    const byName = new Map<string, string[]>();
    for (const a of rows) byName.set(a.name, [...(byName.get(a.name) ?? []), a.code]);
    return { codes: new Set(rows.map((r) => r.code)), byName };
  }

  async run(importId: string): Promise<'completed' | 'failed' | 'skipped'> {
    const imp = await this.uow.manager.createQueryBuilder(HouseholdImportEntity, 'i').addSelect('i.content').where('i.id = :id', { id: importId }).getOne();
    if (!imp || imp.status === 'completed' || imp.status === 'failed') return 'skipped';
    // the file's bytes as the driver returned them (a Buffer: no copy), held by this run only
    const content = imp.content;
    imp.content = undefined as unknown as Buffer;
    const started = Date.now();
    if (imp.status === 'queued') {
      await this.uow.transaction((em) => em.update(HouseholdImportEntity, { id: imp.id, status: 'queued' }, { status: 'running', startedAt: new Date(), updatedAt: new Date() }));
    }
    // The file is read twice and never held as rows: once to check it whole and learn what the
    // checks across rows need (households and their sizes, who is in two households), then again
    // household by household as the chunks are written.
    const check = { uploaderArea: imp.areaCode, villages: await this.villages() };
    let scan: HouseholdFileScan;
    try {
      scan = await scanHouseholdFile(content, imp.fileName, check);
    } catch (err) {
      if (!(err instanceof AlertFileError)) throw err;
      await this.uow.transaction((em) => em.update(HouseholdImportEntity, { id: imp.id }, { status: 'failed', error: err.message, finishedAt: new Date(), updatedAt: new Date() }));
      return 'failed';
    }
    const total = scan.rows;
    if (imp.rowsTotal === null) await this.uow.transaction((em) => em.update(HouseholdImportEntity, { id: imp.id }, { rowsTotal: total }));
    const uploader = await this.uow.manager.findOneByOrFail(UserEntity, { id: imp.uploadedById });
    const actor: AuthUser = { id: uploader.id, username: uploader.username, displayName: uploader.displayName, role: imp.uploadedByRole as UserRole, areaCode: imp.areaCode, sector: uploader.sector };
    let counts = { ...imp.counts };
    let done = imp.rowsDone;
    // the households in the order they first appear; a chunk is whole households, counted in rows;
    // the households of the chunks already committed are skipped
    for await (const { groups, rows } of householdChunks(householdGroups(content, imp.fileName, scan, check), { skipRows: done, households: CHUNK_HOUSEHOLDS })) {
      try {
        const r = await this.uow.transaction((em) => this.chunk(em, { imp, actor, groups, from: done, to: done + rows, counts }));
        this.engine.scheduleTimers(r.timers);
        this.outbox.send(r.outgoing);
        counts = r.counts;
        done += rows;
      } catch (err) {
        if (err instanceof ImportMovedOn) return 'skipped';
        throw err;
      }
    }
    if (imp.fullExport) {
      try {
        counts = await this.recordDepartures(imp, actor, scan, counts, total);
      } catch (err) {
        if (err instanceof ImportMovedOn) return 'skipped';
        throw err;
      }
    }
    let outgoing: Outgoing = [];
    const finished = await this.uow.transaction(async (em) => {
      const now = new Date();
      const d = await em.update(HouseholdImportEntity, { id: imp.id, status: 'running' }, { status: 'completed', finishedAt: now, updatedAt: now });
      if (!d.affected) return false;
      outgoing = await this.outbox.publish(
        em,
        {
          kind: 'import_done',
          title: `农户信息导入完成：${imp.fileName}`.slice(0, 200),
          message: `共 ${total} 行：新增农户 ${counts.householdsCreated} 户、变更农户 ${counts.householdsChanged} 户；新增成员 ${counts.created}，更新 ${counts.updated}，转户 ${counts.moved}，无变化 ${counts.unchanged}，无效 ${counts.invalid}，冲突 ${counts.conflict}。${
            imp.fullExport ? (counts.fullExportSkipped ? `全量导出：${counts.fullExportSkipped}。` : `全量导出：未列出的成员 ${counts.left ?? 0} 人已按迁出登记，整户未列出的 ${counts.householdsAbsent ?? 0} 户未变更，请乡镇核实。`) : ''
          }`,
          areaCode: imp.areaCode ?? '000000000000',
          data: { importId: imp.id, counts, kind: 'households' },
        },
        { userIds: [imp.uploadedById] },
        now,
      );
      return true;
    });
    this.outbox.send(outgoing);
    if (finished) this.logger.log({ importId, rows: total, ms: Date.now() - started, ...counts }, 'household import completed');
    return 'completed';
  }

  /**
   * Issue 19: a file declared the full export of its villages — every registered member of those
   * villages it does not list has left the household. Each is recorded through the one departure
   * path (member-leaving.ts, kind 迁出 moved_away): the member removed, a history entry naming the
   * file, the household's next version, and the same consequences as a member change. A household
   * the file omits whole is kept and reported (closing a household is the township's procedure),
   * and nothing is recorded unless every row of the file was accepted: a refused row may be a
   * member who is still there. Resumable: households already handled have nobody left to record.
   */
  private async recordDepartures(imp: HouseholdImportEntity, actor: AuthUser, scan: HouseholdFileScan, counts: HouseholdImportCounts, total: number): Promise<HouseholdImportCounts> {
    const refused = counts.invalid + counts.conflict;
    if (refused > 0) {
      const skipped = { ...counts, left: 0, householdsAbsent: 0, fullExportSkipped: `文件中有 ${refused} 行未通过校验，全量导出须整份通过校验才能据以登记减员，本次未登记任何迁出` };
      await this.uow.transaction((em) => em.update(HouseholdImportEntity, { id: imp.id }, { counts: skipped }));
      return skipped;
    }
    const villages = [...new Set([...scan.households.values()].map((h) => h.village).filter((v): v is string => !!v && /^\d{12}$/.test(v)))];
    const listed = new Set([...scan.persons.keys()].map(piiHash));
    let result: HouseholdImportCounts = { ...counts, left: counts.left ?? 0, householdsAbsent: counts.householdsAbsent ?? 0, fullExportSkipped: null };
    const date = beijingDate(new Date());
    for (const village of villages) {
      const ids = (await this.uow.manager.find(HouseholdEntity, { where: { areaCode: village }, select: { id: true }, order: { id: 'ASC' } })).map((h) => h.id);
      for (const part of parts(ids, 500)) {
        const members = await this.uow.manager.find(HouseholdMemberEntity, { where: { householdId: In(part) }, select: { id: true, householdId: true, idNumberHash: true } });
        const touched = [...new Set(members.filter((m) => !listed.has(m.idNumberHash)).map((m) => m.householdId))];
        for (const few of parts(touched, 100)) {
          const done = await this.uow.transaction((em) => this.departures(em, { imp, actor, householdIds: few, listed, date, counts: result, total }));
          this.engine.scheduleTimers(done.timers);
          this.outbox.send(done.outgoing);
          result = done.counts;
        }
      }
    }
    return result;
  }

  /** One transaction of departures: households locked (PostgreSQL), each missing member recorded as moved away. */
  private async departures(
    em: EntityManager,
    args: { imp: HouseholdImportEntity; actor: AuthUser; householdIds: string[]; listed: Set<string>; date: string; counts: HouseholdImportCounts; total: number },
  ): Promise<{ counts: HouseholdImportCounts; timers: TimerEntity[]; outgoing: Outgoing }> {
    const { imp, actor } = args;
    const running = await em.findOne(HouseholdImportEntity, { where: { id: imp.id }, select: { id: true, status: true } });
    if (running?.status !== 'running') throw new ImportMovedOn();
    const counts = { ...args.counts };
    const now = new Date();
    const timers: TimerEntity[] = [];
    let outgoing: Outgoing = [];
    const last = await em.createQueryBuilder(HouseholdImportRowEntity, 'r').select('MAX(r.rowNumber)', 'n').where('r.importId = :id', { id: imp.id }).getRawOne<{ n: number | string | null }>();
    let rowNumber = Math.max(Number(last?.n ?? 0), args.total);
    const rows: HouseholdImportRowEntity[] = [];
    const line = (h: HouseholdEntity, m: HouseholdMemberEntity, outcome: 'left' | 'absent', errors: string[] | null) =>
      rows.push(Object.assign(new HouseholdImportRowEntity(), {
        importId: imp.id, rowNumber: ++rowNumber, householdCode: (h.householdCode ?? '').slice(0, 40), idNumber: m.idNumber, name: m.name.slice(0, 50),
        villageCode: h.areaCode, outcome, errors, householdId: h.id, fromHouseholdId: null,
      }));
    for (const id of args.householdIds) {
      const qb = em.createQueryBuilder(HouseholdEntity, 'h').where('h.id = :id', { id });
      if (em.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
      const household = await qb.getOne();
      if (!household) continue;
      let members = await em.find(HouseholdMemberEntity, { where: { householdId: id }, order: { position: 'ASC' } });
      const missing = members.filter((m) => !args.listed.has(m.idNumberHash));
      if (!missing.length) continue;
      if (missing.length === members.length) {
        // the whole household is absent: kept as it is, reported once (a resumed run finds the line)
        if (await em.existsBy(HouseholdImportRowEntity, { importId: imp.id, householdId: id, outcome: 'absent' })) continue;
        for (const m of members) line(household, m, 'absent', ['household_absent']);
        counts.householdsAbsent = (counts.householdsAbsent ?? 0) + 1;
        continue;
      }
      for (const member of missing) {
        household.version += 1;
        household.updatedAt = now;
        await em.update(HouseholdEntity, { id }, { version: household.version, updatedAt: now });
        const left = await recordMemberLeft(em, this.watch, {
          household,
          members,
          member,
          kind: 'moved_away',
          date: args.date,
          reason: `全量导出《${imp.fileName}》未列出该成员，按迁出登记（导入任务 ${imp.id}）`,
          evidence: [{ id: imp.id, type: 'household_import', sha256: imp.sha256 }],
          source: `import:${imp.id}`,
          actor,
          now,
        });
        members = left.after;
        timers.push(...left.timers);
        outgoing = outgoing.concat(left.outgoing);
        line(household, member, 'left', null);
        counts.left = (counts.left ?? 0) + 1;
      }
    }
    for (let k = 0; k < rows.length; k += 1000) await em.insert(HouseholdImportRowEntity, rows.slice(k, k + 1000));
    await em.update(HouseholdImportEntity, { id: imp.id }, { counts });
    return { counts, timers, outgoing };
  }

  private async chunk(
    em: EntityManager,
    args: { imp: HouseholdImportEntity; actor: AuthUser; groups: HouseholdRow[][]; from: number; to: number; counts: HouseholdImportCounts },
  ): Promise<{ counts: HouseholdImportCounts; timers: TimerEntity[]; outgoing: Outgoing }> {
    const { imp, actor } = args;
    const now = new Date();
    const pg = em.connection.options.type === 'postgres';
    const claimed = await em
      .createQueryBuilder()
      .update(HouseholdImportEntity)
      .set({ rowsDone: args.to, updatedAt: now })
      .where('id = :id AND "rowsDone" = :from AND status = :running', { id: imp.id, from: args.from, running: 'running' })
      .execute();
    if (!claimed.affected) throw new ImportMovedOn();

    const valid = args.groups.flat().filter((r) => !r.errors.length);
    const ids = valid.map((r) => r.idNumber);
    const codes = [...new Set(valid.map((r) => r.householdCode))];
    // what the registry has: members by ID number, households by 户编号 or by those members
    const existing = new Map<string, HouseholdMemberEntity>();
    // ID numbers are stored encrypted: found through their keyed hash (one HMAC per row, no query per row)
    for (const p of parts(ids.map(piiHash))) for (const m of await em.find(HouseholdMemberEntity, { where: { idNumberHash: In(p) } })) existing.set(m.idNumber, m);
    const householdIds = new Set([...existing.values()].map((m) => m.householdId));
    const households = new Map<string, HouseholdEntity>();
    const load = async (where: 'householdCode' | 'id', values: string[]) => {
      for (const p of parts(values)) {
        if (!p.length) continue;
        const qb = em.createQueryBuilder(HouseholdEntity, 'h').where(`h.${where} IN (:...p)`, { p });
        if (pg) qb.setLock('pessimistic_write');
        for (const h of await qb.getMany()) households.set(h.id, h);
      }
    };
    await load('householdCode', codes);
    await load('id', [...householdIds].filter((id) => !households.has(id)));
    const byCode = new Map([...households.values()].filter((h) => h.householdCode).map((h) => [h.householdCode!, h]));
    const membersOf = new Map<string, HouseholdMemberEntity[]>();
    for (const p of parts([...households.keys()])) {
      for (const loaded of await em.find(HouseholdMemberEntity, { where: { householdId: In(p) }, order: { position: 'ASC' } })) {
        // one object per member: a change made through `existing` is the household's too
        const m = existing.get(loaded.idNumber) ?? loaded;
        membersOf.set(m.householdId, [...(membersOf.get(m.householdId) ?? []), m]);
      }
    }
    const before = new Map([...membersOf.entries()].map(([k, v]) => [k, v.map((m) => Object.assign(new HouseholdMemberEntity(), m))]));

    const counts = { ...args.counts };
    const out: HouseholdImportRowEntity[] = [];
    const newHouseholds: HouseholdEntity[] = [];
    const changedHouseholds = new Set<string>();
    const memberWrites: HouseholdMemberEntity[] = [];
    const history: Array<{ h: HouseholdEntity; change: Parameters<typeof historyEntry>[3] }> = [];
    const movedOut = new Map<string, Array<{ member: MemberState; to: string }>>();
    const report = (r: HouseholdRow, outcome: RowOutcome, householdId: string | null, errors: string[] | null, from: string | null = null) => {
      counts[COUNT_OF[outcome]]++;
      out.push(
        Object.assign(new HouseholdImportRowEntity(), {
          importId: imp.id,
          rowNumber: r.rowNumber,
          // the report's record of a row as it came (a refused row may be longer: shown cut, marked …)
          householdCode: clip(r.householdCode, 40),
          idNumber: clip(r.idNumber, 40),
          name: clip(r.name, 50),
          villageCode: r.villageCode && /^\d{12}$/.test(r.villageCode) ? r.villageCode : null,
          outcome,
          errors,
          householdId,
          fromHouseholdId: from,
        }),
      );
    };

    for (const group of args.groups) {
      const good = group.filter((r) => !r.errors.length);
      for (const r of group.filter((x) => x.errors.length)) report(r, isConflict(r.errors) ? 'conflict' : 'invalid', null, r.errors);
      if (!good.length) continue;
      const head = good.find((r) => r.relation === '户主') ?? good[0];
      const village = head.villageCode!;
      // the household: by 户编号, else the registered household of the file's householder (not yet coded)
      let h = byCode.get(head.householdCode) ?? null;
      if (!h) {
        const known = existing.get(head.idNumber);
        const candidate = known ? households.get(known.householdId) : undefined;
        if (candidate && !candidate.householdCode) h = candidate;
      }
      if (h && !isWithin(h.areaCode, imp.areaCode)) {
        for (const r of good) report(r, 'conflict', null, ['household_outside']);
        continue;
      }
      const isNew = !h;
      if (!h) {
        h = Object.assign(new HouseholdEntity(), {
          id: randomUUID(),
          areaCode: village,
          // within their columns: longer values were refused by the row checks (HOUSEHOLD_FIELD_LIMITS), never cut
          householderName: head.householderName || head.name,
          address: head.address ?? `${village} ${head.householdCode}`,
          isFormerlyPoor: head.isFormerlyPoor ?? false,
          householdCode: head.householdCode,
          phone: head.phone,
          version: 0,
          createdById: actor.id,
          createdAt: now,
          updatedAt: now,
        });
        households.set(h.id, h);
        byCode.set(head.householdCode, h);
        membersOf.set(h.id, []);
        newHouseholdsPush(newHouseholds, h);
      }
      const hh = h;
      const fieldChanges: Record<string, [unknown, unknown]> = {};
      if (!isNew) {
        const want = {
          areaCode: village,
          householderName: head.householderName || hh.householderName,
          address: head.address ?? hh.address,
          isFormerlyPoor: head.isFormerlyPoor ?? hh.isFormerlyPoor,
          householdCode: head.householdCode,
          phone: head.phone ?? hh.phone ?? null,
        };
        for (const [k, v] of Object.entries(want)) {
          const cur = (hh as unknown as Record<string, unknown>)[k] ?? null;
          if (cur !== v && !(typeof cur === 'boolean' && Boolean(v) === cur)) {
            fieldChanges[k] = [cur, v];
            (hh as unknown as Record<string, unknown>)[k] = v;
          }
        }
      }
      const list = membersOf.get(hh.id)!;
      const added: MemberState[] = [];
      const updated: Array<{ before: MemberState; after: MemberState }> = [];
      const movedIn: Array<{ member: MemberState; fromHouseholdId: string }> = [];
      for (const r of good) {
        const want = {
          name: r.name,
          relation: r.relation,
          gender: r.gender!,
          birthDate: r.birthDate,
          laborAbility: r.laborAbility!,
          disability: r.disability,
          employment: r.employment!,
          phone: r.phone,
        };
        const m = existing.get(r.idNumber);
        if (!m) {
          const row = Object.assign(new HouseholdMemberEntity(), { id: randomUUID(), householdId: hh.id, position: list.reduce((p, x) => Math.max(p, x.position), -1) + 1, idNumber: r.idNumber, idNumberHash: piiHash(r.idNumber), ...want });
          list.push(row);
          memberWrites.push(row);
          existing.set(r.idNumber, row);
          added.push(memberState(row));
          report(r, 'created', hh.id, null);
          continue;
        }
        if (m.householdId !== hh.id) {
          const from = households.get(m.householdId);
          if (!from || !isWithin(from.areaCode, imp.areaCode)) {
            report(r, 'conflict', null, ['member_outside']);
            continue;
          }
          const fromList = membersOf.get(from.id) ?? [];
          membersOf.set(from.id, fromList.filter((x) => x.id !== m.id));
          movedOut.set(from.id, [...(movedOut.get(from.id) ?? []), { member: memberState(m), to: hh.id }]);
          Object.assign(m, want, { householdId: hh.id, position: list.reduce((p, x) => Math.max(p, x.position), -1) + 1 });
          list.push(m);
          memberWrites.push(m);
          movedIn.push({ member: memberState(m), fromHouseholdId: from.id });
          report(r, 'moved', hh.id, null, from.id);
          continue;
        }
        const diff = MEMBER_FIELDS.some((f) => (f === 'disability' ? !sameDisability(m.disability, want.disability) : (m[f] ?? null) !== (want[f] ?? null)));
        if (!diff) {
          report(r, 'unchanged', hh.id, null);
          continue;
        }
        const was = memberState(m);
        Object.assign(m, want);
        memberWrites.push(m);
        updated.push({ before: was, after: memberState(m) });
        report(r, 'updated', hh.id, null);
      }
      if (isNew) {
        counts.householdsCreated++;
        history.push({ h: hh, change: { change: 'imported', date: null, reason: null, memberId: null, before: null, after: { members: added }, evidence: [], source: `import:${imp.id}` } });
      } else if (Object.keys(fieldChanges).length || added.length || updated.length || movedIn.length) {
        counts.householdsChanged++;
        changedHouseholds.add(hh.id);
        history.push({
          h: hh,
          change: {
            change: 'imported',
            date: null,
            reason: null,
            memberId: null,
            before: { household: Object.fromEntries(Object.entries(fieldChanges).map(([k, [a]]) => [k, a])), members: updated.map((u) => u.before) },
            after: { household: Object.fromEntries(Object.entries(fieldChanges).map(([k, [, b]]) => [k, b])), added, updated: updated.map((u) => u.after), movedIn },
            evidence: [],
            source: `import:${imp.id}`,
          },
        });
      }
    }
    // the households members left
    for (const [fromId, moves] of movedOut) {
      const from = households.get(fromId)!;
      changedHouseholds.add(fromId);
      if (!history.some((x) => x.h.id === fromId)) counts.householdsChanged++;
      for (const mv of moves) {
        history.push({ h: from, change: { change: 'member_moved_out', date: null, reason: null, memberId: mv.member.id, before: { member: mv.member }, after: { toHouseholdId: mv.to }, evidence: [], source: `import:${imp.id}` } });
      }
    }

    // versions: one per history entry, in order
    const ledger: LedgerAppend[] = [];
    for (const x of history) {
      x.h.version += 1;
      x.h.updatedAt = now;
      ledger.push(historyEntry(x.h, membersOf.get(x.h.id) ?? [], x.h.version, x.change, actor, now));
    }
    // writes: multi-row statements
    for (let k = 0; k < newHouseholds.length; k += 800) await em.insert(HouseholdEntity, newHouseholds.slice(k, k + 800));
    const changed = [...changedHouseholds].map((id) => households.get(id)!);
    for (let k = 0; k < changed.length; k += 800) {
      await em
        .createQueryBuilder()
        .insert()
        .into(HouseholdEntity)
        .values(changed.slice(k, k + 800))
        .orUpdate(['areaCode', 'householderName', 'address', 'isFormerlyPoor', 'householdCode', 'phone', 'version', 'updatedAt'], ['id'])
        .execute();
    }
    const uniqueWrites = [...new Map(memberWrites.map((m) => [m.idNumber, m])).values()];
    for (let k = 0; k < uniqueWrites.length; k += 1000) {
      await em
        .createQueryBuilder()
        .insert()
        .into(HouseholdMemberEntity)
        .values(uniqueWrites.slice(k, k + 1000))
        .orUpdate(['householdId', 'position', 'name', 'relation', 'gender', 'birthDate', 'laborAbility', 'disability', 'employment', 'phone'], ['idNumberHash'])
        .execute();
    }
    // a post holder moved to another registered household (转户) takes the tenure along: the standing
    // rules of SF-15 are judged on the household the holder now belongs to (issue 19)
    const movedTo = new Map<string, string>();
    for (const moves of movedOut.values()) for (const mv of moves) movedTo.set(mv.member.id, mv.to);
    for (const part of parts([...movedTo.keys()], 500)) {
      if (!part.length) continue;
      const held = await em.find(WelfarePostTenureEntity, { where: { memberId: In(part), status: In(['contracted', 'on_duty']) }, select: { id: true, memberId: true } });
      for (const t of held) await em.update(WelfarePostTenureEntity, { id: t.id }, { householdId: movedTo.get(t.memberId)!, updatedAt: now });
    }
    await appendLedgerMany(em, ledger);
    for (let k = 0; k < out.length; k += 1000) await em.insert(HouseholdImportRowEntity, out.slice(k, k + 1000));
    await em.update(HouseholdImportEntity, { id: imp.id }, { counts });

    // the work the changes create (registered households only: a new one breaks no standing rule)
    let outgoing: Outgoing = [];
    const timers: TimerEntity[] = [];
    for (const id of changedHouseholds) {
      const h = households.get(id)!;
      const entry = history.filter((x) => x.h.id === id).pop()!;
      const judged = await this.watch.afterChange(em, { household: h, before: before.get(id) ?? [], after: membersOf.get(id) ?? [], change: entry.change, kind: null, actor, now });
      outgoing = outgoing.concat(judged.outgoing);
      timers.push(...judged.timers);
    }
    return { counts, timers, outgoing };
  }
}

/** A report cell of at most `n` characters: a longer value is shown cut and marked with …. */
function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

function newHouseholdsPush(list: HouseholdEntity[], h: HouseholdEntity): void {
  list.push(h);
}
