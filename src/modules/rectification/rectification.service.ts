import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { In, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { isWithin, levelOf } from '../../common/domain/area';
import { ids, type Labelled, titleOf } from '../../common/domain/enums';
import { textProblemOf } from '../../common/domain/reason';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { AreaEntity } from '../../database/entities';
import { FINDING_CATEGORIES, FINDING_SOURCES, labelId, SEVERITIES } from '../../machines/rectification.machine';
import { validateSchema } from '../engine/requirements';
import { AlertFileError, readSheet } from '../imports/alert-file';
import { PoliciesService } from '../policies/policies.service';
import { commonArea, DETECTORS, DetectorsService } from './detectors';
import { seesFinding } from './rectification.adapter';
import type { FiguresQuery, FindingsQuery, ItemsQuery } from './rectification.dto';
import { type FindingOrigin, RectificationFindingEntity, RectificationItemEntity } from './rectification.entities';
import { isRowId } from '../../common/domain/row-id';

export const FINDING_RECORDERS = ['supervisor', 'county'] as const;

const findingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'category', 'description', 'areas', 'severity'],
  properties: {
    source: { enum: ids(FINDING_SOURCES), description: '问题来源' },
    category: { enum: ids(FINDING_CATEGORIES), description: '问题类别' },
    description: { type: 'string', minLength: 2, maxLength: 5000, description: '问题描述' },
    areas: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: '^\\d{12}$' }, description: '涉及区划' },
    severity: { enum: ids(SEVERITIES), description: '严重程度' },
  },
} as const;

const fromInspectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['detector'],
  properties: {
    detector: { enum: Object.keys(DETECTORS), description: '检测项（/inspection/{detector}）' },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        areaCode: { type: 'string', pattern: '^\\d{12}$' },
        minCases: { type: 'integer', minimum: 2, maximum: 10000 },
        minLength: { type: 'integer', minimum: 1, maximum: 2000 },
        since: { type: 'string', format: 'date-time' },
      },
    },
    severity: { enum: ids(SEVERITIES) },
  },
} as const;

/** The columns of the ledger, as the seed documents lay it out. */
export const LEDGER_COLUMNS = ['序号', '问题', '整改措施', '责任单位', '责任人', '完成时限', '整改进展', '是否销号'] as const;

/** The columns of a findings upload (the first row; ids or Chinese titles in the cells). */
const IMPORT_COLUMNS = { source: '问题来源', category: '问题类别', description: '问题描述', areas: '涉及区划', severity: '严重程度' } as const;
const MAX_IMPORT_ROWS = 2000;

const STATUS_TITLES: Record<string, string> = { rectifying: '整改中', acceptance: '待验收', closed: '已销号', cancelled: '已撤销' };
/** the states in which an item is no longer open: never overdue */
const ENDED = ['closed', 'cancelled'];
const isOpen = (status: string) => !ENDED.includes(status);

export type FindingInput = { source: string; category: string; description: string; areas: string[]; severity: string };

const labelled = (list: Labelled[], id: string) => ({ id, title: titleOf(list, id) });

/** Findings in (by hand, by file, from a detector), the ledger out, and its figures (issue 14). */
@Injectable()
export class RectificationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
    private readonly detectors: DetectorsService,
  ) {}

  private get em() {
    return this.uow.manager;
  }

  private assertRecorder(user: AuthUser): void {
    if (!(FINDING_RECORDERS as readonly string[]).includes(user.role)) {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '问题由纪检监督或县级人员登记', { requiredRoles: [...FINDING_RECORDERS] });
    }
  }

  /** The problems of a finding's fields, by field (Chinese), or null: one check for every door. */
  private async problems(user: AuthUser, f: FindingInput): Promise<Record<string, string> | null> {
    const out: Record<string, string> = {};
    const areas = await this.em.find(AreaEntity, { where: { code: In(f.areas) }, select: { code: true } });
    const known = new Set(areas.map((a) => a.code));
    const unknown = f.areas.filter((a) => !known.has(a) || !isWithin(a, user.areaCode));
    if (unknown.length) out.areas = `区划不存在或不在本人辖区：${unknown.join('、')}`;
    // 系统检测 names what a detector found: such findings come only from POST /rectification/findings/from-inspection
    if (f.source === 'system_detection') out.source = '“系统检测”来源只用于检测项生成的问题，请通过检测结果登记（from-inspection）';
    const policy = (await this.policies.effective(f.areas.find((a) => known.has(a)) ?? user.areaCode ?? '000000000000')).values;
    const text = textProblemOf(f.description, policy, 'justification', '问题描述');
    if (text) out.description = text;
    return Object.keys(out).length ? out : null;
  }

  private row(user: AuthUser, f: FindingInput, origin: FindingOrigin, now: Date, extra: Partial<RectificationFindingEntity> = {}): RectificationFindingEntity {
    return Object.assign(new RectificationFindingEntity(), {
      id: randomUUID(),
      areaCode: commonArea(f.areas),
      areas: [...f.areas].sort(),
      source: f.source,
      category: f.category,
      severity: f.severity,
      description: f.description.trim(),
      origin,
      detector: null,
      detectorParams: null,
      detectorScopeArea: null,
      detectorScopeRole: null,
      subjectKey: null,
      subject: null,
      recordedById: user.id,
      recordedByRole: user.role,
      recordedAt: now,
      ...extra,
    });
  }

  /** `POST /rectification/findings` */
  async record(user: AuthUser, body: unknown) {
    this.assertRecorder(user);
    validateSchema(findingSchema, body);
    const f = body as FindingInput;
    // an area outside the caller's is not there for them (404), like every record elsewhere
    for (const a of f.areas) assertInArea(user, a, '行政区划');
    const problems = await this.problems(user, f);
    if (problems) throw AppError.validation(problems, `数据不符合要求：${Object.keys(problems).join('、')}`);
    const row = this.row(user, f, 'manual', new Date());
    await this.em.insert(RectificationFindingEntity, row);
    return this.view(row);
  }

  /**
   * `POST /rectification/findings/import`: a CSV or XLSX with the columns 问题来源、问题类别、
   * 问题描述、涉及区划 (codes separated by 、 , ; or spaces)、严重程度. Every row is judged; the
   * rows without a problem are recorded together, the others reported with their problems.
   */
  async import(user: AuthUser, file: Express.Multer.File | undefined) {
    this.assertRecorder(user);
    if (!file?.buffer?.length) throw AppError.validation({ file: '请上传 CSV 或 XLSX 文件' });
    let rows: Array<{ rowNumber: number; cells: string[] }>;
    try {
      rows = await readSheet(file.buffer, file.originalname ?? 'findings');
    } catch (err) {
      if (err instanceof AlertFileError) throw AppError.validation({ file: err.message });
      throw err;
    }
    if (!rows.length) throw AppError.validation({ file: '文件为空' });
    const [header, ...data] = rows;
    const col = Object.fromEntries(Object.entries(IMPORT_COLUMNS).map(([k, title]) => [k, header.cells.findIndex((c) => c === title || c === k)])) as Record<keyof typeof IMPORT_COLUMNS, number>;
    const missing = Object.entries(col).filter(([, i]) => i < 0).map(([k]) => IMPORT_COLUMNS[k as keyof typeof IMPORT_COLUMNS]);
    if (missing.length) throw AppError.validation({ file: `缺少列：${missing.join('、')}` });
    if (data.length > MAX_IMPORT_ROWS) throw AppError.validation({ file: `一次最多导入 ${MAX_IMPORT_ROWS} 行` });
    const now = new Date();
    const report: Array<{ row: number; ok: boolean; findingId?: string; problems?: Record<string, string> }> = [];
    const accepted: RectificationFindingEntity[] = [];
    for (const r of data) {
      const cell = (k: keyof typeof IMPORT_COLUMNS) => r.cells[col[k]] ?? '';
      const f: FindingInput = {
        source: labelId(FINDING_SOURCES, cell('source')) ?? '',
        category: labelId(FINDING_CATEGORIES, cell('category')) ?? '',
        description: cell('description'),
        areas: [...new Set(cell('areas').split(/[、,，;；\s]+/).filter(Boolean))],
        severity: labelId(SEVERITIES, cell('severity') || '一般') ?? '',
      };
      const problems: Record<string, string> = {};
      if (!f.source) problems.source = `问题来源应为：${FINDING_SOURCES.map((s) => s.title).join('、')}`;
      if (!f.category) problems.category = `问题类别应为：${FINDING_CATEGORIES.map((s) => s.title).join('、')}`;
      if (!f.severity) problems.severity = `严重程度应为：${SEVERITIES.map((s) => s.title).join('、')}`;
      if (!f.areas.length || f.areas.some((a) => !levelOf(a))) problems.areas = '涉及区划应为12位区划代码';
      else Object.assign(problems, (await this.problems(user, f)) ?? {});
      if (!problems.description && !f.description) problems.description = '必填';
      if (Object.keys(problems).length) {
        report.push({ row: r.rowNumber, ok: false, problems });
        continue;
      }
      const row = this.row(user, f, 'import', now);
      accepted.push(row);
      report.push({ row: r.rowNumber, ok: true, findingId: row.id });
    }
    if (accepted.length) await this.uow.transaction((em) => em.insert(RectificationFindingEntity, accepted));
    return { rows: data.length, recorded: accepted.length, refused: data.length - accepted.length, report };
  }

  /**
   * `POST /rectification/findings/from-inspection`: runs `/inspection/{detector}` as the caller
   * with the parameters given, and records one finding per subject listed (an area, a monitoring
   * object, a household, a post holder, a text), remembering the detector, its parameters and
   * the caller's scope. A subject that already has a finding of this detector not yet closed on
   * every item is not recorded twice.
   */
  async fromInspection(user: AuthUser, body: unknown) {
    this.assertRecorder(user);
    validateSchema(fromInspectionSchema, body);
    const { detector, params = {}, severity = 'general' } = body as { detector: string; params?: Record<string, unknown>; severity?: string };
    if (params.areaCode) assertInArea(user, params.areaCode as string, '行政区划');
    const def = this.detectors.def(detector);
    const subjects = await this.detectors.run(detector, user, params);
    const now = new Date();
    const created: ReturnType<RectificationService['view']>[] = [];
    const existing: Array<{ subjectKey: string; findingId: string }> = [];
    await this.uow.transaction(async (em) => {
      const keys = subjects.map((s) => s.key);
      const earlier = keys.length ? await em.find(RectificationFindingEntity, { where: { detector, subjectKey: In(keys) }, select: { id: true, subjectKey: true } }) : [];
      const items = earlier.length ? await em.find(RectificationItemEntity, { where: { findingId: In(earlier.map((f) => f.id)) }, select: { findingId: true, status: true } }) : [];
      const settled = (id: string) => {
        // a cancelled item settles nothing: the finding stays open for another 交办
        const mine = items.filter((i) => i.findingId === id && i.status !== 'cancelled');
        return mine.length > 0 && mine.every((i) => i.status === 'closed');
      };
      for (const s of subjects) {
        const open = earlier.find((f) => f.subjectKey === s.key && !settled(f.id));
        if (open) {
          existing.push({ subjectKey: s.key, findingId: open.id });
          continue;
        }
        const row = this.row(
          user,
          { source: 'system_detection', category: def.category, description: def.describe(s.row), areas: [s.areaCode], severity },
          'detector',
          now,
          { detector, detectorParams: params, detectorScopeArea: user.areaCode, detectorScopeRole: user.role, subjectKey: s.key, subject: s.row },
        );
        await em.insert(RectificationFindingEntity, row);
        created.push(this.view(row));
      }
    });
    return { detector, title: def.title, finding: def.finding, params, listed: subjects.length, created, existing };
  }

  private findingsQb(user: AuthUser, q: FindingsQuery): SelectQueryBuilder<RectificationFindingEntity> {
    const qb = this.em.createQueryBuilder(RectificationFindingEntity, 'f');
    const like = narrowArea(user, q.areaCode);
    if (like) {
      // above the finding's area, or one of the areas it concerns is in scope (areas: JSON text)
      qb.andWhere('(f.areaCode LIKE :like OR f.areas LIKE :inAreas)', { like, inAreas: `%"${like}` });
    }
    if (q.source) qb.andWhere('f.source = :source', { source: q.source });
    if (q.category) qb.andWhere('f.category = :category', { category: q.category });
    return qb;
  }

  async findings(user: AuthUser, q: FindingsQuery) {
    const [rows, total] = await this.findingsQb(user, q).orderBy('f.recordedAt', 'DESC').addOrderBy('f.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: rows.map((r) => this.view(r)), total, page: q.page, pageSize: q.pageSize };
  }

  async finding(user: AuthUser, id: string) {
    const row = isRowId(id) ? await this.em.findOneBy(RectificationFindingEntity, { id: id.toLowerCase() }) : null;
    if (!row || !seesFinding(user, row)) throw AppError.notFound('问题');
    const qb = this.em.createQueryBuilder(RectificationItemEntity, 'i').where('i.findingId = :id', { id: row.id });
    const like = narrowArea(user);
    if (like) qb.andWhere('i.areaCode LIKE :like', { like });
    const items = await qb.orderBy('i.assignedAt').getMany();
    return { ...this.view(row), items: items.map((i) => this.itemView(i, new Date())) };
  }

  view(r: RectificationFindingEntity) {
    return {
      id: r.id,
      areaCode: r.areaCode,
      areas: r.areas,
      source: labelled(FINDING_SOURCES, r.source),
      category: labelled(FINDING_CATEGORIES, r.category),
      severity: labelled(SEVERITIES, r.severity),
      description: r.description,
      origin: r.origin,
      detector: r.detector ? { id: r.detector, params: r.detectorParams, scopeArea: r.detectorScopeArea, subjectKey: r.subjectKey, subject: r.subject } : null,
      recordedById: r.recordedById,
      recordedAt: r.recordedAt.toISOString(),
    };
  }

  // ---------------------------------------------------------------- the ledger

  private itemsQb(user: AuthUser, q: Partial<ItemsQuery>, now: Date): SelectQueryBuilder<RectificationItemEntity> {
    const qb = this.em.createQueryBuilder(RectificationItemEntity, 'i');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('i.areaCode LIKE :like', { like });
    if (q.source) qb.andWhere('i.source = :source', { source: q.source });
    if (q.category) qb.andWhere('i.category = :category', { category: q.category });
    if (q.status) qb.andWhere('i.status = :status', { status: q.status });
    if (q.level) qb.andWhere('i.assignedByRole = :level', { level: q.level });
    if (q.overdue === true) qb.andWhere('i.status NOT IN (:...ended) AND i.deadlineAt < :now', { now, ended: ENDED });
    if (q.overdue === false) qb.andWhere('(i.status IN (:...ended) OR i.deadlineAt >= :now)', { now, ended: ENDED });
    return qb;
  }

  itemView(i: RectificationItemEntity, now: Date) {
    return {
      caseId: i.id,
      findingId: i.findingId,
      areaCode: i.areaCode,
      source: labelled(FINDING_SOURCES, i.source),
      category: labelled(FINDING_CATEGORIES, i.category),
      severity: labelled(SEVERITIES, i.severity),
      problem: i.problem,
      measures: i.measures,
      responsibleUnit: i.responsibleUnit,
      responsiblePerson: i.responsiblePerson,
      deadline: i.deadline,
      deadlineAt: i.deadlineAt.toISOString(),
      status: i.status,
      statusTitle: STATUS_TITLES[i.status] ?? i.status,
      progress: i.progress,
      progressCount: i.progressCount,
      returns: i.returns,
      detector: i.detector,
      assignedByRole: i.assignedByRole,
      assignedAt: i.assignedAt.toISOString(),
      closedAt: i.closedAt?.toISOString() ?? null,
      overdue: isOpen(i.status) && i.deadlineAt < now,
    };
  }

  /** `GET /rectification/items` */
  async items(user: AuthUser, q: ItemsQuery) {
    const now = new Date();
    const [rows, total] = await this.itemsQb(user, q, now).orderBy('i.assignedAt', 'ASC').addOrderBy('i.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: rows.map((r) => this.itemView(r, now)), total, page: q.page, pageSize: q.pageSize };
  }

  /** The ledger rows of an area (and level), in the seed documents' columns. */
  async ledger(user: AuthUser, q: Partial<ItemsQuery>) {
    const now = new Date();
    const rows = await this.itemsQb(user, q, now).orderBy('i.assignedAt', 'ASC').addOrderBy('i.id').take(20000).getMany();
    return {
      areaCode: q.areaCode ?? user.areaCode,
      level: q.level ?? null,
      columns: [...LEDGER_COLUMNS],
      rows: rows.map((r, n) => ({
        ...this.itemView(r, now),
        cells: [
          n + 1,
          r.problem,
          r.measures,
          r.responsibleUnit,
          r.responsiblePerson,
          r.deadline,
          [r.progress ?? '尚未录入进展', `（${STATUS_TITLES[r.status] ?? r.status}${isOpen(r.status) && r.deadlineAt < now ? '，已逾期' : ''}）`].join(''),
          r.status === 'closed' ? '是' : '否',
        ],
      })),
    };
  }

  ledgerCsv(ledger: Awaited<ReturnType<RectificationService['ledger']>>): string {
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
      return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = ledger.rows.map((r) => r.cells.map(cell).join(','));
    return '\uFEFF' + [ledger.columns.join(','), ...lines].join('\r\n') + '\r\n';
  }

  async ledgerXlsx(ledger: Awaited<ReturnType<RectificationService['ledger']>>): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('整改台账');
    ws.addRow(ledger.columns);
    ws.getRow(1).font = { bold: true };
    // text cells: a value starting with = is text in the sheet, never a formula
    for (const r of ledger.rows) ws.addRow(r.cells.map((c) => (typeof c === 'string' && /^[=+\-@]/.test(c) ? `'${c}` : c)));
    [6, 40, 40, 20, 10, 12, 40, 8].forEach((w, i) => (ws.getColumn(i + 1).width = w));
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /** `GET /rectification/figures`: items, closed, overdue and the closure rate, by source and by category. */
  async figures(user: AuthUser, q: FiguresQuery) {
    const now = new Date();
    const rows = await this.itemsQb(user, { areaCode: q.areaCode }, now).select(['i.source', 'i.category', 'i.status', 'i.deadlineAt']).getMany();
    const tally = (pick: (r: RectificationItemEntity) => string, list: Labelled[]) => {
      const by = new Map<string, RectificationItemEntity[]>();
      for (const r of rows) by.set(pick(r), [...(by.get(pick(r)) ?? []), r]);
      return [...by.entries()].sort(([a], [b]) => ids(list).indexOf(a) - ids(list).indexOf(b)).map(([id, rs]) => ({ id, title: titleOf(list, id), ...count(rs) }));
    };
    const count = (rs: RectificationItemEntity[]) => {
      const closed = rs.filter((r) => r.status === 'closed').length;
      const cancelled = rs.filter((r) => r.status === 'cancelled').length;
      const overdue = rs.filter((r) => isOpen(r.status) && r.deadlineAt < now).length;
      // a cancelled (撤销) item is neither closed nor outstanding: outside the closure rate
      const counted = rs.length - cancelled;
      return { items: rs.length, closed, cancelled, overdue, closureRate: counted ? Math.round((closed / counted) * 1000) / 1000 : null };
    };
    return {
      areaCode: q.areaCode ?? user.areaCode,
      at: now.toISOString(),
      total: count(rows),
      bySource: tally((r) => r.source, FINDING_SOURCES),
      byCategory: tally((r) => r.category, FINDING_CATEGORIES),
    };
  }
}

