import { api, formatTime } from '../../api';

/** One column of a ledger table: its Chinese header and how a row shows in it. */
export interface Column { key: string; label: string; width?: number; value: (row: any) => string | number | null }
export interface Filter { key: string; label: string; options?: Array<[string, string]>; inputmode?: 'numeric'; placeholder?: string; initial?: () => string }
export interface ChartSpec { title: string; labels: string[]; series: Array<{ name: string; values: number[]; color?: string }>; percent?: boolean }
export interface Page { rows: any[]; total: number | null; columns?: Column[]; note?: string }

/** A ledger tab: filters, a (paged) table, downloads (the service's own, or a CSV of what the service answers), charts. */
export interface LedgerDef {
  id: string;
  tab: string;
  heading: string;
  filters: Filter[];
  columns: Column[];
  /** one page (pageSize at most 200, the service's bound), or the whole ledger when total is null */
  load: (p: Record<string, string>, page: number, pageSize: number) => Promise<Page>;
  /** server downloads */
  formats?: Array<'csv' | 'xlsx'>;
  download?: (p: Record<string, string>, format: 'csv' | 'xlsx') => string;
  /** otherwise a CSV built from every page */
  clientCsv?: string;
  charts?: (p: Record<string, string>) => Promise<ChartSpec[]>;
}

export function query(p: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Every page of a paged list (200 a page, the service's bound). */
export async function allPages(path: string, p: Record<string, string>, limit = 2000): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const r = await api(`${path}${query({ ...p, page, pageSize: 200 })}`);
    out.push(...r.items);
    if (out.length >= r.total || !r.items.length || out.length >= limit) return out;
  }
}

/** chart labels stay short enough not to overlap (the table has the full name) */
const short = (s: string) => (s.length > 8 ? `${s.slice(0, 8)}…` : s);
const yuan = (n: number | null | undefined) => (n === null || n === undefined ? '' : (Number(n) / 10_000).toFixed(2));
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '' : `${Math.round(Number(n) * 100)}%`);

/** Township names: area names are not personal data, fetched once per code. */
const names = new Map<string, Promise<string>>();
function areaName(code: string): Promise<string> {
  if (!names.has(code)) names.set(code, api(`/areas/${code}`).then((a) => a.name ?? code).catch(() => code));
  return names.get(code)!;
}
export const townshipOf = (areaCode: string) => `${areaCode.slice(0, 9)}000`;

const COLOURS: Array<[string, string]> = [['green', '绿色'], ['yellow', '黄色'], ['orange', '橙色']];
const COLOUR_FILL: Record<string, string> = { green: '#2e7d32', yellow: '#f2c200', orange: '#ef6c00' };
const objectColumns: Column[] = [
  { key: 'name', label: '户主', width: 90, value: (r) => r.householderName },
  { key: 'area', label: '区划代码', width: 130, value: (r) => r.areaCode },
  { key: 'type', label: '监测对象类型', width: 150, value: (r) => r.monitoringTypeTitle },
  { key: 'colour', label: '三色码', width: 80, value: (r) => r.colourTitle },
  { key: 'status', label: '状态', width: 100, value: (r) => r.statusTitle },
  { key: 'start', label: '纳入监测日期', width: 120, value: (r) => r.startDate },
  { key: 'contact', label: '帮扶责任人', width: 110, value: (r) => r.assistanceContact?.name ?? '' },
  { key: 'elim', label: '消除类型', width: 100, value: (r) => r.eliminationTypeTitle ?? '' },
];

const monitoringObjects: LedgerDef = {
  id: 'objects',
  tab: '监测对象',
  heading: '监测对象台账',
  filters: [
    { key: 'areaCode', label: '区划代码', inputmode: 'numeric' },
    { key: 'status', label: '状态', options: [['', '全部'], ['monitoring', '监测中'], ['eliminated', '风险已消除']] },
    { key: 'colour', label: '三色码', options: [['', '全部'], ...COLOURS] },
  ],
  columns: objectColumns,
  async load(p, page, pageSize) {
    const r = await api(`/monitoring-objects${query({ ...p, page, pageSize })}`);
    return { rows: r.items, total: r.total };
  },
  clientCsv: 'monitoring-objects',
  async charts(p) {
    const all = await allPages('/monitoring-objects', { ...p, colour: '' });
    const towns = [...new Set(all.map((o) => townshipOf(o.areaCode)))].sort();
    const labels = await Promise.all(towns.map(areaName));
    return [{
      title: '三色码户数（按乡镇）',
      labels,
      series: COLOURS.map(([c, t]) => ({ name: t, color: COLOUR_FILL[c], values: towns.map((tw) => all.filter((o) => o.colour === c && townshipOf(o.areaCode) === tw).length) })),
    }];
  },
};

const POST_STATUS: Record<string, string> = { on_duty: '在岗', exited: '已退岗', contracted: '待签协议' };
const welfarePosts: LedgerDef = {
  id: 'posts',
  tab: '公益岗位',
  heading: '公益性岗位实名信息台账',
  filters: [
    { key: 'areaCode', label: '区划代码', inputmode: 'numeric' },
    { key: 'month', label: '月份（年-月）', placeholder: '2026-10', initial: () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()) },
  ],
  columns: [
    { key: 'area', label: '村', width: 100, value: (r) => r.areaName ?? r.areaCode },
    { key: 'post', label: '岗位', width: 130, value: (r) => r.postTypeTitle },
    { key: 'name', label: '姓名', width: 90, value: (r) => r.name },
    { key: 'id', label: '身份证号', width: 180, value: (r) => r.idNumber },
    { key: 'start', label: '上岗日期', width: 110, value: (r) => r.startDate ?? '' },
    { key: 'status', label: '在岗状态', width: 90, value: (r) => POST_STATUS[r.status] ?? r.status },
    { key: 'days', label: '出勤天数', width: 90, value: (r) => r.daysWorked ?? '无考勤' },
    { key: 'subsidy', label: '当月补贴（元）', width: 120, value: (r) => Number(r.subsidy).toFixed(2) },
  ],
  async load(p) {
    const r = await api(`/welfare-posts/ledger${query(p)}`);
    return { rows: r.rows, total: null, note: `在岗 ${r.totals.holders} 人，当月补贴合计 ${Number(r.totals.subsidy).toFixed(2)} 元` };
  },
  formats: ['csv'],
  download: (p, format) => `/welfare-posts/ledger${query({ ...p, format })}`,
};

const yearFilter: Filter = { key: 'year', label: '年度', inputmode: 'numeric', placeholder: '全部' };
const projects: LedgerDef = {
  id: 'projects',
  tab: '项目与资金',
  heading: '项目实施与资金拨付台账',
  filters: [{ key: 'areaCode', label: '区划代码', inputmode: 'numeric' }, yearFilter],
  columns: [
    { key: 'name', label: '项目名称', width: 240, value: (r) => r.name },
    { key: 'area', label: '实施地点', width: 90, value: (r) => r.areaName },
    { key: 'cat', label: '类别', width: 90, value: (r) => r.categoryTitle },
    { key: 'planned', label: '计划投资（万元）', width: 130, value: (r) => yuan(r.planned) },
    { key: 'contracted', label: '合同金额（万元）', width: 130, value: (r) => yuan(r.contracted) },
    { key: 'paid', label: '已拨付（万元）', width: 120, value: (r) => yuan(r.paid) },
    { key: 'share', label: '拨付比例', width: 90, value: (r) => pct(r.paidShareOfContract) },
    { key: 'progress', label: '实施进度', width: 90, value: (r) => `${r.progressPercent ?? 0}%` },
    { key: 'state', label: '环节', width: 120, value: (r) => r.stateTitle },
  ],
  async load(p) {
    const r = await api(`/project-implementations/ledger${query(p)}`);
    return { rows: r.rows, total: null };
  },
  formats: ['csv', 'xlsx'],
  download: (p, format) => `/project-implementations/ledger${query({ ...p, format })}`,
  async charts(p) {
    const r = await api(`/project-implementations/ledger${query(p)}`);
    const rows = r.rows.filter((x: any) => x.contracted);
    return [{
      title: '资金拨付与实施进度（按项目，%）',
      labels: rows.map((x: any) => short(x.name.replace(/（演示）$/, ''))),
      series: [
        { name: '拨付比例', values: rows.map((x: any) => Math.round((x.paidShareOfContract ?? 0) * 100)) },
        { name: '实施进度', values: rows.map((x: any) => x.progressPercent ?? 0) },
      ],
      percent: true,
    }];
  },
};

const assets: LedgerDef = {
  id: 'assets',
  tab: '资产',
  heading: '扶贫项目资产台账',
  filters: [{ key: 'areaCode', label: '区划代码', inputmode: 'numeric' }, yearFilter],
  columns: [
    { key: 'name', label: '资产名称', width: 160, value: (r) => r.name },
    { key: 'project', label: '所属项目', width: 240, value: (r) => r.projectName },
    { key: 'kind', label: '资产类别', width: 110, value: (r) => r.kind },
    { key: 'qty', label: '数量', width: 80, value: (r) => `${r.quantity}${r.unit ?? ''}` },
    { key: 'value', label: '价值（万元）', width: 110, value: (r) => yuan(r.value) },
    { key: 'owner', label: '产权归属', width: 200, value: (r) => r.owner?.name ?? '' },
    { key: 'date', label: '移交日期', width: 110, value: (r) => r.handoverDate },
  ],
  async load(p) {
    const r = await api(`/project-implementations/assets${query(p)}`);
    return { rows: r.items, total: null, note: `资产 ${r.totals.assets} 项，价值合计 ${yuan(r.totals.value)} 万元` };
  },
  formats: ['csv', 'xlsx'],
  download: (p, format) => `/project-implementations/assets${query({ ...p, format })}`,
};

const LIBRARY_STATUS: Array<[string, string]> = [['', '全部'], ['applying', '申报中'], ['in_library', '已入库'], ['rejected', '未通过'], ['withdrawn', '已撤回']];
const library: LedgerDef = {
  id: 'library',
  tab: '项目库',
  heading: '项目库',
  filters: [{ key: 'areaCode', label: '区划代码', inputmode: 'numeric' }, yearFilter, { key: 'status', label: '入库状态', options: LIBRARY_STATUS }],
  columns: [
    { key: 'name', label: '项目名称', width: 240, value: (r) => r.name },
    { key: 'area', label: '实施地点', width: 90, value: (r) => r.areaName },
    { key: 'cat', label: '类别', width: 90, value: (r) => r.categoryTitle },
    { key: 'year', label: '年度', width: 70, value: (r) => r.year },
    { key: 'budget', label: '总投资（万元）', width: 120, value: (r) => yuan(r.budget?.total) },
    { key: 'linkage', label: '衔接资金（万元）', width: 130, value: (r) => yuan(r.budget?.linkageFunds) },
    { key: 'period', label: '实施期限', width: 200, value: (r) => (r.period ? `${r.period.start} 至 ${r.period.end}` : '') },
    { key: 'status', label: '入库状态', width: 90, value: (r) => LIBRARY_STATUS.find(([k]) => k === r.status)?.[1] ?? r.status },
  ],
  async load(p, page, pageSize) {
    const r = await api(`/projects${query({ ...p, page, pageSize })}`);
    return { rows: r.items, total: r.total };
  },
  clientCsv: 'project-library',
};

/** 逾期 by step: open cases past their deadline (`GET /cases?overdue=true`), counted by procedure and step. */
let procedureTitles: Promise<Record<string, string>> | null = null;
function titles(): Promise<Record<string, string>> {
  procedureTitles ??= api<any[]>('/procedures').then((l) => Object.fromEntries(l.map((d) => [d.procedure, d.title]))).catch(() => ({}));
  return procedureTitles;
}
const overdue: LedgerDef = {
  id: 'overdue',
  tab: '逾期',
  heading: '逾期未办结案件',
  filters: [{ key: 'areaCode', label: '区划代码', inputmode: 'numeric' }],
  columns: [
    { key: 'proc', label: '事项', width: 140, value: (r) => r.procedureTitle ?? r.procedure },
    { key: 'state', label: '当前环节', width: 140, value: (r) => r.stateTitle },
    { key: 'area', label: '区划代码', width: 130, value: (r) => r.areaCode },
    { key: 'due', label: '办理期限', width: 170, value: (r) => formatTime(r.deadline?.dueAt) },
    { key: 'updated', label: '最近办理', width: 170, value: (r) => formatTime(r.updatedAt) },
  ],
  async load(p, page, pageSize) {
    const [r, t] = await Promise.all([api(`/cases${query({ ...p, overdue: 'true', page, pageSize })}`), titles()]);
    return { rows: r.items.map((c: any) => ({ ...c, procedureTitle: t[c.procedure] })), total: r.total };
  },
  clientCsv: 'overdue-cases',
  async charts(p) {
    const [all, t] = await Promise.all([allPages('/cases', { ...p, overdue: 'true' }), titles()]);
    const steps = new Map<string, number>();
    for (const c of all) {
      const k = `${t[c.procedure] ?? c.procedure}·${c.stateTitle ?? c.state}`;
      steps.set(k, (steps.get(k) ?? 0) + 1);
    }
    return [{ title: '逾期案件（按环节）', labels: [...steps.keys()], series: [{ name: '逾期', values: [...steps.values()] }] }];
  },
};

const rectification: LedgerDef = {
  id: 'rectification',
  tab: '整改',
  heading: '整改台账与统计',
  filters: [{ key: 'areaCode', label: '区划代码', inputmode: 'numeric' }],
  columns: [],
  async load(p) {
    const l = await api(`/rectification/ledger${query(p)}`);
    const columns: Column[] = l.columns.map((c: string, i: number) => ({ key: `c${i}`, label: c, width: i === 1 || i === 2 || i === 6 ? 220 : 90, value: (r: any) => r.cells?.[i] ?? '' }));
    return { rows: l.rows, total: null, columns };
  },
  formats: ['csv', 'xlsx'],
  download: (p, format) => `/rectification/ledger${query({ ...p, format })}`,
  async charts(p) {
    const f = await api(`/rectification/figures${query(p)}`);
    return [
      { title: '整改销号率（按问题来源，%）', labels: f.bySource.map((s: any) => s.title), series: [{ name: '销号率', values: f.bySource.map((s: any) => Math.round(s.closureRate * 100)) }], percent: true },
      {
        title: '整改事项（按问题类别）',
        labels: f.byCategory.map((s: any) => s.title),
        series: [
          { name: '事项', values: f.byCategory.map((s: any) => s.items) },
          { name: '已销号', values: f.byCategory.map((s: any) => s.closed) },
          { name: '逾期', values: f.byCategory.map((s: any) => s.overdue) },
        ],
      },
    ];
  },
};

export const LEDGERS: LedgerDef[] = [rectification, monitoringObjects, welfarePosts, projects, assets, library, overdue];

/** Which ledgers a role reads (the service scopes each to the caller's area; a refusal is shown as it comes). */
export function ledgersFor(role: string | undefined): LedgerDef[] {
  if (!role) return [];
  if (['township', 'county', 'supervisor', 'department', 'admin'].includes(role)) return LEDGERS;
  return [];
}
