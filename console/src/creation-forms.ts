/**
 * 新建 (issue 20): the creation forms of every procedure, in one table. The definitions publish no
 * creation schema, so each form follows its creation DTO in src/modules/*: the endpoint, the roles
 * the service lets create (its adapter's `creatorRoles` / the controller's @Roles), the fields with
 * Chinese labels, types and choices, and pickers whose choices are loaded from the API.
 * The service stays the judge: every refusal it gives is shown as it gives it.
 */
import { api, type User } from './api';
import { dataOf, type FieldDef, type FieldKind, type Values } from './schema';

export type Option = { value: string; label: string };

/** Choices loaded from the API; `dependsOn` reloads them when that field changes. */
export interface Picker {
  dependsOn?: string;
  load: (user: User, values: Record<string, unknown>) => Promise<Option[]>;
}

export interface CreationField {
  path: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: Option[];
  hint?: string;
  integer?: boolean;
  group?: string;
  picker?: Picker;
  /** a helper field (e.g. the household whose member is chosen): not sent */
  local?: boolean;
}

export interface CreationForm {
  id: string;
  title: string;
  /** the procedure whose case is opened (none for findings) */
  procedure?: string;
  endpoint: string;
  roles: string[];
  /** case: go to the new case; batch: list the cases opened; findings: list the findings recorded */
  result: 'case' | 'batch' | 'findings';
  fields: CreationField[];
  /** body values the form does not ask (the user's own village) */
  fixed?: (user: User) => Record<string, unknown>;
  /** another page creates it (the lead keeps its offline queue) */
  page?: string;
}

const list = (r: any): any[] => (Array.isArray(r) ? r : (r?.items ?? []));

export const POST_TYPES: Option[] = [
  { value: 'cleaner', label: '保洁员' },
  { value: 'forest_ranger', label: '护林员' },
  { value: 'road_maintainer', label: '道路养护员' },
  { value: 'water_keeper', label: '水管员' },
  { value: 'facility_keeper', label: '公共设施管护员' },
  { value: 'grassland_keeper', label: '草管员' },
  { value: 'other', label: '其他公益性岗位' },
];
export const PROJECT_CATEGORIES: Option[] = [
  { value: 'industry', label: '产业发展' },
  { value: 'employment', label: '就业' },
  { value: 'roads', label: '乡村建设（道路）' },
  { value: 'drinking_water', label: '饮水' },
  { value: 'housing', label: '住房' },
  { value: 'education', label: '教育' },
  { value: 'health', label: '健康' },
];
export const DETECTORS: Option[] = [
  { value: 'concentration', label: '集中消除预警' },
  { value: 'overdue-elimination', label: '符合消除条件未消除' },
  { value: 'stale-monitoring', label: '长期监测无新增帮扶' },
  { value: 'unmonitored-assistance', label: '低保特困户未纳入监测' },
  { value: 'idle-posts', label: '公益岗位占岗不做事' },
  { value: 'copied-texts', label: '雷同文字' },
  { value: 'stalled-projects', label: '项目长期无进度' },
  { value: 'overdue-projects', label: '项目逾期未验收' },
];
export const SEVERITIES: Option[] = [
  { value: 'general', label: '一般' },
  { value: 'serious', label: '较重' },
  { value: 'critical', label: '严重' },
];

const households: Picker = {
  load: async () => list(await api('/households?pageSize=200')).map((h) => ({ value: h.id, label: `${h.householderName} · ${h.address ?? ''}` })),
};
const members: Picker = {
  dependsOn: 'householdId',
  load: async (_u, v) => {
    if (!v.householdId) return [];
    const h = await api(`/households/${v.householdId}`);
    return (h.members ?? []).map((m: any) => ({ value: m.id, label: m.name }));
  },
};
/** the county's plan (GET /project-implementations/ledger): a planned project opens its implementation; an implemented one takes payments */
const planned = (implemented: boolean): Picker => ({
  load: async () =>
    ((await api('/project-implementations/ledger')).rows ?? [])
      .filter((r: any) => !!r.caseId === implemented)
      .map((r: any) => ({ value: r.projectId, label: `${r.name}（${r.year}）${r.stateTitle && implemented ? ` · ${r.stateTitle}` : ''}` })),
});
const village = (u: User) => ({ areaCode: u.areaCode });

export const CREATION_FORMS: CreationForm[] = [
  {
    id: 'monitoring-inclusion',
    title: '监测对象纳入线索',
    procedure: 'monitoring-inclusion',
    endpoint: '/procedures/monitoring-inclusion/cases',
    // the adapter also lets a department open one (its warnings come in by 预警导入)
    roles: ['village'],
    result: 'case',
    fields: [],
    page: '/new-lead',
  },
  {
    id: 'risk-elimination',
    title: '风险消除名单',
    procedure: 'risk-elimination',
    endpoint: '/procedures/risk-elimination/batches',
    roles: ['village'],
    result: 'batch',
    fixed: village,
    fields: [
      {
        path: 'monitoringObjectIds',
        label: '列入名单的监测对象',
        kind: 'multi',
        required: true,
        picker: {
          load: async (u) => list(await api(`/monitoring-objects?status=monitoring&areaCode=${u.areaCode}&pageSize=200`)).map((m) => ({ value: m.id, label: `${m.householderName ?? '—'} · ${m.monitoringTypeTitle ?? ''} · ${m.colourTitle ?? ''}` })),
        },
      },
      { path: 'eliminationType', label: '消除类型', kind: 'select', required: true, options: [{ value: 'assisted', label: '帮扶消除' }, { value: 'natural', label: '自然消除' }] },
    ],
  },
  {
    id: 'welfare-post-setting',
    title: '公益岗位设岗申请',
    procedure: 'welfare-post-setting',
    endpoint: '/procedures/welfare-post-setting/cases',
    roles: ['village'],
    result: 'case',
    fixed: village,
    fields: [
      { path: 'postType', label: '岗位类型', kind: 'select', required: true, options: POST_TYPES },
      { path: 'places', label: '岗位数量（个）', kind: 'number', integer: true, required: true },
      { path: 'duties', label: '岗位职责', kind: 'textarea', required: true },
      { path: 'monthlySubsidy', label: '每月补贴（元）', kind: 'number', required: true },
      { path: 'termMonths', label: '聘期（月）', kind: 'number', integer: true, required: true },
      { path: 'justification', label: '设岗理由', kind: 'textarea', required: true, hint: '说明本村为何需要这些岗位（按需设岗）' },
    ],
  },
  {
    id: 'welfare-post-hiring',
    title: '公益岗位聘任',
    procedure: 'welfare-post-hiring',
    endpoint: '/procedures/welfare-post-hiring/cases',
    roles: ['village'],
    result: 'case',
    fields: [
      {
        path: 'postId',
        label: '岗位',
        kind: 'select',
        required: true,
        picker: { load: async () => list(await api('/welfare-posts')).map((p) => ({ value: p.id, label: `${p.postTypeTitle} · 空缺 ${p.free} 个 · 每月 ${p.monthlySubsidy} 元` })) },
      },
      { path: 'householdId', label: '候选人所在农户', kind: 'select', required: true, local: true, picker: households },
      { path: 'memberId', label: '候选人', kind: 'select', required: true, picker: members },
      { path: 'exclusions.villageCadreOrFamily', label: '是村干部或其近亲属', kind: 'checkbox', required: true, group: '候选人声明（如实勾选）' },
      { path: 'exclusions.publicEmployee', label: '是机关事业单位在编人员', kind: 'checkbox', required: true, group: '候选人声明（如实勾选）' },
      { path: 'exclusions.urbanEmployeePension', label: '领取城镇职工养老金', kind: 'checkbox', required: true, group: '候选人声明（如实勾选）' },
      { path: 'note', label: '备注', kind: 'textarea' },
    ],
  },
  {
    id: 'project-intake',
    title: '项目入库申报',
    procedure: 'project-intake',
    endpoint: '/procedures/project-intake/cases',
    roles: ['village'],
    result: 'case',
    fixed: village,
    fields: [
      { path: 'name', label: '项目名称', kind: 'text', required: true },
      { path: 'category', label: '项目类别', kind: 'select', required: true, options: PROJECT_CATEGORIES },
      { path: 'subCategory', label: '项目子类', kind: 'text' },
      { path: 'year', label: '入库年度', kind: 'number', integer: true, required: true },
      { path: 'budget.total', label: '总投资（元）', kind: 'number', required: true, group: '资金' },
      { path: 'budget.linkageFunds', label: '衔接资金（元）', kind: 'number', required: true, group: '资金' },
      { path: 'budget.otherFunds', label: '其他资金（元）', kind: 'number', required: true, group: '资金' },
      { path: 'fundSource', label: '资金来源', kind: 'text', required: true, group: '资金' },
      { path: 'period.start', label: '开工日期', kind: 'date', required: true, group: '建设期限' },
      { path: 'period.end', label: '完工日期', kind: 'date', required: true, group: '建设期限' },
      { path: 'content', label: '建设内容', kind: 'textarea', required: true },
      { path: 'performanceTargets', label: '绩效目标', kind: 'json', hint: '例如 [{"kind":"output","indicator":"新建大棚数量","value":"20","unit":"座"}]；kind：output 产出 / benefit 效益 / satisfaction 满意度' },
      { path: 'beneficiaries.households', label: '受益户数', kind: 'number', integer: true, group: '受益对象' },
      { path: 'beneficiaries.formerlyPoorHouseholds', label: '其中脱贫户', kind: 'number', integer: true, group: '受益对象' },
      { path: 'beneficiaries.monitoredHouseholds', label: '其中监测户', kind: 'number', integer: true, group: '受益对象' },
      { path: 'linkageMechanism', label: '联农带农机制', kind: 'textarea', hint: '产业项目必填' },
    ],
  },
  {
    id: 'project-implementation',
    title: '项目实施',
    procedure: 'project-implementation',
    endpoint: '/procedures/project-implementation/cases',
    roles: ['village', 'township', 'county'],
    result: 'case',
    fields: [{ path: 'projectId', label: '列入年度计划的项目', kind: 'select', required: true, picker: planned(false) }],
  },
  {
    id: 'project-payment',
    title: '项目资金拨付申请',
    procedure: 'project-payment',
    endpoint: '/procedures/project-payment/cases',
    roles: ['village', 'township', 'county'],
    result: 'case',
    fields: [
      {
        path: 'projectId',
        label: '实施中的项目',
        kind: 'select',
        required: true,
        picker: planned(true),
      },
      { path: 'kind', label: '拨付类型', kind: 'select', required: true, options: [{ value: 'advance', label: '预付款' }, { value: 'progress', label: '进度款' }, { value: 'final', label: '尾款' }] },
      { path: 'amount', label: '金额（元）', kind: 'number', required: true },
      { path: 'invoiceNo', label: '发票号码', kind: 'text', required: true },
      { path: 'contractRef', label: '合同编号', kind: 'text', required: true },
      { path: 'purpose', label: '用途', kind: 'textarea', required: true },
    ],
  },
  {
    id: 'inspection-finding',
    title: '从检测结果登记整改问题',
    endpoint: '/rectification/findings/from-inspection',
    roles: ['county', 'supervisor'],
    result: 'findings',
    fields: [
      { path: 'detector', label: '检测项', kind: 'select', required: true, options: DETECTORS },
      { path: 'params.areaCode', label: '检测范围（12位区划代码，可不填）', kind: 'text' },
      { path: 'severity', label: '严重程度', kind: 'select', options: SEVERITIES },
    ],
  },
  {
    id: 'rectification',
    title: '整改交办',
    procedure: 'rectification',
    endpoint: '/procedures/rectification/cases',
    roles: ['county', 'township'],
    result: 'case',
    fields: [
      {
        path: 'findingId',
        label: '问题',
        kind: 'select',
        required: true,
        picker: { load: async () => list(await api('/rectification/findings?pageSize=200')).map((f) => ({ value: f.id, label: String(f.description ?? f.id).slice(0, 60) })) },
      },
      { path: 'areaCode', label: '责任区域（12位区划代码）', kind: 'text', required: true },
      { path: 'responsibleUnit', label: '责任单位', kind: 'text', required: true },
      { path: 'responsiblePerson', label: '责任人', kind: 'text', required: true },
      { path: 'measures', label: '整改措施', kind: 'textarea', required: true },
      { path: 'deadline', label: '完成时限', kind: 'date' },
    ],
  },
];

export function formsFor(role: string | undefined): CreationForm[] {
  return CREATION_FORMS.filter((f) => !!role && f.roles.includes(role));
}

/** The fields as the step forms' FieldDef (rendered by SchemaForm), with loaded choices. */
export function fieldDefs(form: CreationForm, loaded: Record<string, Option[]>): FieldDef[] {
  return form.fields.map((f) => ({
    path: f.path,
    label: f.label,
    hint: f.hint ?? '',
    kind: f.kind,
    required: !!f.required,
    options: f.picker ? (loaded[f.path] ?? []) : (f.options ?? []),
    group: f.group ?? '',
    integer: !!f.integer,
  }));
}

/** The request body: the fixed values (the user's village), then the form's fields, helper fields left out. */
export function bodyOf(form: CreationForm, user: User, values: Values, loaded: Record<string, Option[]> = {}): Record<string, unknown> {
  const sent = fieldDefs(form, loaded).filter((d) => !form.fields.find((x) => x.path === d.path)?.local);
  return { ...(form.fixed?.(user) ?? {}), ...dataOf(sent, values) };
}
