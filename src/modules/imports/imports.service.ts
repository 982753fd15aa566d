import { uploadedFileName } from '../../common/http/file-name';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { In, MoreThan } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { areaLike, assertInArea, narrowArea } from '../../common/auth/scope';
import { areaPrefix, lineageOf } from '../../common/domain/area';
import { ALERT_SOURCES, alertSourceOf, titleOf } from '../../common/domain/enums';
import { maskIdNumber, maskName } from '../../common/domain/id-number';
import { importJobView } from './import-job-view';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { PersonalDataReads } from '../households/personal-data-reads';
import { UnitOfWork } from '../../database/database.module';
import { AreaEntity, CaseEntity, HouseholdEntity, MonitoringObjectEntity } from '../../database/entities';
import { MONITORING_INCLUSION } from '../../machines/monitoring-inclusion.machine';
import type { PageQuery } from '../engine/cases.dto';
import { AlertFileError, detectFormat } from './alert-file';
import { seesPersonalData } from '../households/households.service';
import { ImportRunner } from './import-runner.service';
import { AlertImportEntity, AlertImportRowEntity, EMPTY_COUNTS, type RowOutcome } from './imports.entities';
import { ROW_ERRORS, type RowError } from './row-check';
import { isRowId } from '../../common/domain/row-id';

export const OUTCOME_TITLES: Record<RowOutcome, string> = {
  opened: '已新开识别纳入案件',
  already_monitored: '已是监测对象',
  open_case: '已有在办识别案件',
  unmatched: '未匹配到农户',
  invalid: '数据无效',
  duplicate: '与前面的行重复',
};

/** 低保 and 特困: the lists whose households belong in monitoring (SF-01). */
const ASSISTANCE_SOURCES = ['dibao', 'tekun'];

/** Full ID numbers for the uploader (they sent them), else by the households' rule. */
const seesFullIds = (user: AuthUser, imp: AlertImportEntity) => user.id === imp.uploadedById || seesPersonalData(user, imp.areaCode);

/** Rows of a report read and written at a time. */
const REPORT_CHUNK = 5_000;

/** Uploads, progress, reports of department alert imports, and the SF-01 detector. */
@Injectable()
export class ImportsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly runner: ImportRunner,
    private readonly reads: PersonalDataReads,
  ) {}

  private get em() {
    return this.uow.manager;
  }

  async upload(user: AuthUser, file: Express.Multer.File | undefined, body: { source?: string }) {
    if (!user.areaCode) throw AppError.forbidden('导入预警名单需要有管辖区域的县级或行业部门账号');
    const fields: Record<string, string> = {};
    if (!file?.buffer?.length) fields.file = '请上传 CSV 或 XLSX 文件';
    const source = alertSourceOf(body.source);
    if (!source) fields.source = `预警来源应为：${ALERT_SOURCES.map((s) => `${s.title}（${s.id}）`).join('、')}`;
    if (Object.keys(fields).length) throw AppError.validation(fields);
    let format: string;
    try {
      format = detectFormat(file!.buffer, file!.originalname);
    } catch (err) {
      if (err instanceof AlertFileError) throw AppError.validation({ file: err.message });
      throw err;
    }
    const sha256 = createHash('sha256').update(file!.buffer).digest('hex');
    const earlier = await this.em.findOne(AlertImportEntity, {
      where: { sha256, areaCode: user.areaCode },
      order: { createdAt: 'ASC' },
      select: { id: true },
    });
    const now = new Date();
    const row = this.em.create(AlertImportEntity, {
      areaCode: user.areaCode,
      source: source!,
      fileName: uploadedFileName(file!.originalname),
      format,
      sha256,
      size: file!.size,
      content: file!.buffer,
      status: 'queued',
      rowsTotal: null,
      rowsDone: 0,
      counts: { ...EMPTY_COUNTS },
      error: null,
      sameFileAs: earlier?.id ?? null,
      uploadedById: user.id,
      uploadedByUsername: user.username,
      uploadedByRole: user.role,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    });
    await this.uow.transaction((em) => em.insert(AlertImportEntity, row));
    // the row is the job: if the queue is down now, the reconciler queues it later (not awaited:
    // an upload never waits on Redis)
    void this.runner.enqueue(row.id);
    return this.view(row);
  }

  private async visible(user: AuthUser, id: string): Promise<AlertImportEntity> {
    const imp = isRowId(id) ? await this.em.findOneBy(AlertImportEntity, { id }) : null;
    if (!imp) throw AppError.notFound('导入任务');
    assertInArea(user, imp.areaCode, '导入任务');
    return imp;
  }

  view(imp: AlertImportEntity) {
    const { id, status, ...rest } = importJobView(imp, `/imports/${imp.id}/report`);
    return { id, status, source: imp.source, sourceTitle: titleOf(ALERT_SOURCES, imp.source), ...rest };
  }

  async get(user: AuthUser, id: string) {
    return this.view(await this.visible(user, id));
  }

  async list(user: AuthUser, q: PageQuery) {
    const qb = this.em.createQueryBuilder(AlertImportEntity, 'i');
    const like = areaLike(user);
    if (like) qb.where('i.areaCode LIKE :like', { like });
    const [rows, total] = await qb.orderBy('i.createdAt', 'DESC').addOrderBy('i.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: rows.map((r) => this.view(r)), total, page: q.page, pageSize: q.pageSize };
  }

  /**
   * Every row's outcome as CSV (UTF-8 with BOM, so Excel opens it in Chinese), streamed: rows are
   * read REPORT_CHUNK at a time by row number and written as they come, so a 200,000-row report
   * never sits in memory whole.
   */
  async report(user: AuthUser, id: string): Promise<{ fileName: string; chunks: AsyncIterable<string> }> {
    const imp = await this.visible(user, id);
    if (imp.status !== 'completed') {
      throw new AppError(ErrorCode.INVALID_TRANSITION, '导入尚未完成，完成后才能下载结果报告', { status: imp.status, progress: { rowsDone: imp.rowsDone, rowsTotal: imp.rowsTotal } });
    }
    const full = seesFullIds(user, imp);
    const cell = (v: unknown) => {
      let s = v === null || v === undefined ? '' : String(v);
      // the cells come from an uploaded file: never let a spreadsheet read one as a formula
      if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    // issue 19: a row matched to a household is shown in full only as a recorded read of that
    // household (personal_data_reads); a row of no household only to its uploader, who sent it
    const shown = (r: AlertImportRowEntity) => full && (r.householdId !== null || user.id === imp.uploadedById);
    const line = (r: AlertImportRowEntity) =>
      [
        r.rowNumber,
        shown(r) ? r.name : maskName(r.name),
        shown(r) ? r.idNumber : maskIdNumber(r.idNumber),
        r.areaCode,
        titleOf(ALERT_SOURCES, r.source),
        OUTCOME_TITLES[r.outcome],
        r.outcome,
        (r.errors ?? []).map((e) => ROW_ERRORS[e as RowError] ?? e).join('；'),
        r.householdId ?? '',
        r.caseId ?? '',
      ]
        .map(cell)
        .join(',');
    const em = this.em;
    const reads = this.reads;
    async function* chunks(): AsyncGenerator<string> {
      yield `\uFEFF${['行号', '姓名', '身份证号', '区划代码', '预警来源', '结果', '结果代码', '问题', '农户编号', '案件编号'].join(',')}\r\n`;
      for (let after = 0; ; ) {
        const rows = await em.find(AlertImportRowEntity, {
          where: { importId: imp.id, rowNumber: MoreThan(after) },
          order: { rowNumber: 'ASC' },
          take: REPORT_CHUNK,
        });
        if (!rows.length) return;
        await reads.record(user, (rows.filter((r) => shown(r) && r.householdId).map((r) => ({ id: r.householdId!, areaCode: r.areaCode }))), 'GET /imports/{id}/report');
        yield rows.map((r) => `${line(r)}\r\n`).join('');
        after = rows[rows.length - 1].rowNumber;
      }
    }
    return { fileName: `import-${imp.id}-report.csv`, chunks: chunks() };
  }

  /**
   * SF-01 (数据吻合度): households on the latest completed 低保 and 特困 imports covering the area
   * that have no monitoring object in monitoring and no open inclusion case; per village, how
   * many listed households are monitoring objects.
   */
  async unmonitoredAssistance(user: AuthUser, areaCode?: string) {
    if (user.role === 'admin') {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '督查报表供业务和监督人员使用', { requiredRoles: ['village', 'township', 'county', 'department', 'supervisor'] });
    }
    const like = narrowArea(user, areaCode);
    const scope = areaCode ?? user.areaCode;
    // the latest completed list of each source and uploading area that overlaps the scope (a row
    // may name its own source: only 低保 and 特困 rows count)
    const candidates = await this.em.find(AlertImportEntity, {
      where: { status: 'completed', source: In(ASSISTANCE_SOURCES) },
      order: { createdAt: 'DESC' },
      select: { id: true, source: true, areaCode: true, createdAt: true, fileName: true },
    });
    const overlaps = (a: string) => scope === null || lineageOf(scope).includes(a) || a.startsWith(areaPrefix(scope));
    const latest = new Map<string, AlertImportEntity>();
    for (const c of candidates) {
      const key = `${c.source}:${c.areaCode}`;
      if (overlaps(c.areaCode) && !latest.has(key)) latest.set(key, c);
    }
    const lists = [...latest.values()];
    if (!lists.length) return { areaCode: scope, lists: [], villages: [], households: [] };
    const qb = this.em
      .createQueryBuilder(AlertImportRowEntity, 'r')
      .select(['r.importId', 'r.householdId', 'r.villageCode', 'r.source'])
      .where('r.importId IN (:...ids) AND r.householdId IS NOT NULL', { ids: lists.map((l) => l.id) })
      .andWhere('r.outcome != :dup AND r.source IN (:...sources)', { dup: 'duplicate', sources: ASSISTANCE_SOURCES });
    if (like) qb.andWhere('r.villageCode LIKE :like', { like });
    const rows = await qb.getMany();
    const listed = new Map<string, { villageCode: string; sources: Set<string> }>();
    for (const r of rows) {
      const h = listed.get(r.householdId!) ?? { villageCode: r.villageCode!, sources: new Set<string>() };
      h.sources.add(r.source);
      listed.set(r.householdId!, h);
    }
    const ids = [...listed.keys()];
    const monitored = new Set<string>();
    const open = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const part = ids.slice(i, i + 1000);
      (await this.em.find(MonitoringObjectEntity, { where: { householdId: In(part), status: 'monitoring' }, select: { householdId: true } })).forEach((o) => monitored.add(o.householdId));
      (
        await this.em
          .createQueryBuilder(CaseEntity, 'c')
          .select(['c.id', 'c.subjectId'])
          .where('c.procedure = :p AND c.closedAt IS NULL AND c.subjectId IN (:...ids)', { p: MONITORING_INCLUSION, ids: part })
          .getMany()
      ).forEach((c) => open.set(c.subjectId, c.id));
    }
    const villages = new Map<string, { listed: number; monitored: number; openCase: number; unmonitored: number }>();
    const unmonitored: string[] = [];
    for (const [hid, h] of listed) {
      const v = villages.get(h.villageCode) ?? { listed: 0, monitored: 0, openCase: 0, unmonitored: 0 };
      v.listed++;
      if (monitored.has(hid)) v.monitored++;
      else if (open.has(hid)) v.openCase++;
      else {
        v.unmonitored++;
        unmonitored.push(hid);
      }
      villages.set(h.villageCode, v);
    }
    const names = new Map(
      (await this.em.find(AreaEntity, { where: { code: In([...villages.keys()]) }, select: { code: true, name: true } })).map((a) => [a.code, a.name]),
    );
    const households = unmonitored.length
      ? await this.em.find(HouseholdEntity, { where: { id: In(unmonitored.slice(0, 5000)) }, select: { id: true, areaCode: true, householderName: true } })
      : [];
    return {
      areaCode: scope,
      lists: lists.map((l) => ({ importId: l.id, source: l.source, sourceTitle: titleOf(ALERT_SOURCES, l.source), areaCode: l.areaCode, fileName: l.fileName, importedAt: l.createdAt.toISOString() })),
      villages: [...villages.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, v]) => ({ areaCode: code, areaName: names.get(code) ?? null, ...v, matchRate: v.listed ? Math.round((v.monitored / v.listed) * 1000) / 1000 : null })),
      households: households
        .sort((a, b) => a.areaCode.localeCompare(b.areaCode) || a.id.localeCompare(b.id))
        .map((h) => ({
          householdId: h.id,
          areaCode: h.areaCode,
          householderName: seesPersonalData(user, h.areaCode) ? h.householderName : maskName(h.householderName),
          sources: [...listed.get(h.id)!.sources].map((s) => ({ id: s, title: titleOf(ALERT_SOURCES, s) })),
        })),
    };
  }
}
