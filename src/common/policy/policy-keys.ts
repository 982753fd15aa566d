import { isIsoDuration } from '../domain/duration';
import { ids, SECTORS } from '../domain/enums';
import { DEFAULT_MIN_LENGTH, DEFAULT_PLACEHOLDERS } from '../domain/reason';

/**
 * The policy parameters of domain/parameters.md. These are the *national defaults* that
 * seeds write as the first policy version; the running service reads values only from the
 * policy versions stored in the database.
 */
export type PolicyValueType = 'money' | 'duration' | 'durationList' | 'flag' | 'ratio' | 'count' | 'years' | 'months' | 'days' | 'idList' | 'sectorMap' | 'postCapMap' | 'postCap' | 'genderMinAge' | 'postApprover';

export interface PolicyKeyDef {
  type: PolicyValueType;
  default: unknown;
  title: string;
}

const NEGATIVE_LIST = [
  'unit_basic_expenditure', // 单位基本支出
  'vehicles_and_communication', // 交通工具及通讯设备
  'office_buildings', // 修建楼堂馆所
  'bonuses_and_allowances', // 发放奖金津贴和福利补助
  'debt_repayment', // 偿还债务和垫资
  'enterprise_losses', // 弥补企业亏损
  'large_infrastructure', // 大中型基本建设
  'urban_infrastructure', // 城市基础设施
  'enterprise_guarantee', // 企业担保金
  'non_agricultural', // 非农领域
];

export const POLICY_KEYS = {
  'monitoring.incomeLine': { type: 'money', default: 7500, title: '监测收入标准（元/人·年）' },
  'monitoring.rigidExpenditureRatio': { type: 'ratio', default: 0.5, title: '刚性支出占收入比例预警线' },
  'inclusion.deadline': { type: 'duration', default: 'P15D', title: '识别认定时限' },
  'inclusion.firstVisitWithin': { type: 'duration', default: 'P2D', title: '线索后首次入户时限' },
  'inclusion.noticePeriod': { type: 'duration', default: 'P5D', title: '纳入公示期' },
  'rectification.deadline': { type: 'duration', default: 'P30D', title: '整改完成时限（交办时未写明时限的默认值）' },
  'notifications.deadlineNearBefore': { type: 'duration', default: 'P3D', title: '办理时限到期前提醒时间' },
  'reasons.minLength': { type: 'count', default: DEFAULT_MIN_LENGTH.reason, title: '理由最少字数（退回、驳回、撤回等负面结果）' },
  'reasons.opinionMinLength': { type: 'count', default: DEFAULT_MIN_LENGTH.opinion, title: '审核意见最少字数' },
  'reasons.justificationMinLength': {
    type: 'count',
    default: DEFAULT_MIN_LENGTH.justification,
    title: '书面说明最少字数（集中消除说明、超设理由、设岗理由、联农带农机制）',
  },
  'reasons.placeholders': { type: 'idList', default: [...DEFAULT_PLACEHOLDERS], title: '套话清单（理由、意见、说明不能只写这些）' },
  'elimination.noticePeriod': { type: 'duration', default: 'P5D', title: '消除公示期' },
  'elimination.minMonitoringPeriod': { type: 'duration', default: 'P6M', title: '消除前最短监测期' },
  'elimination.incomeStablePeriod': { type: 'duration', default: 'P6M', title: '收入稳定超线时长' },
  'elimination.concentrationThreshold': { type: 'ratio', default: 0.3, title: '集中消除预警比例' },
  'elimination.concentrationWindow': { type: 'duration', default: 'P30D', title: '集中消除统计窗口' },
  'elimination.followUpVisits': { type: 'durationList', default: ['P3M', 'P6M'], title: '消除后回头看时间' },
  'elimination.keepNoLabourInMonitoring': { type: 'flag', default: true, title: '无劳动能力且仅靠兜底保障的户不消除风险' },
  'colour.measureRecency': { type: 'duration', default: 'P3M', title: '三色管理：近期帮扶措施时限（超过且缺劳动力为橙色）' },
  'inspection.staleMonitoringAfter': { type: 'duration', default: 'P1Y', title: '长期监测预警：监测时长' },
  'inspection.staleNoMeasureWithin': { type: 'duration', default: 'P6M', title: '长期监测预警：无新增帮扶措施时长' },
  'records.maxBackdate': { type: 'duration', default: 'P30D', title: '补录期限：帮扶措施、走访、回头看日期最早可早于录入时间的时长' },
  'inspection.copiedTextMinCases': { type: 'count', default: 3, title: '雷同文字预警：同一段文字出现的最少案件数' },
  'inspection.copiedTextMinLength': { type: 'count', default: 10, title: '雷同文字预警：参与比对的最短文字（字数，不计空格标点）' },
  'inspection.copiedTextWindow': { type: 'duration', default: 'P1Y', title: '雷同文字预警：统计时间范围' },
  'posts.noticePeriod': { type: 'duration', default: 'P5D', title: '公益岗位公示期' },
  'posts.minAge': { type: 'years', default: 16, title: '最低年龄' },
  'posts.maxAge': { type: 'years', default: 65, title: '聘用最高年龄' },
  'posts.neverAge': { type: 'years', default: 80, title: '禁止聘用年龄' },
  'posts.maxPerPerson': { type: 'count', default: 1, title: '每人最多岗位数' },
  'posts.maxPerHousehold': { type: 'count', default: 1, title: '每户最多岗位数' },
  'posts.maxMembersAway': { type: 'count', default: 2, title: '外出务工人数上限（达到即不符合）' },
  'posts.maxTermMonths': { type: 'months', default: 12, title: '协议最长期限（月）' },
  'posts.minAttendanceDays': { type: 'days', default: 8, title: '全额补贴最少出勤天数' },
  'posts.partialSubsidyRatio': { type: 'ratio', default: 0.5, title: '出勤不足最少天数时的补贴比例（0天为0）' },
  'posts.genderMinAge': { type: 'genderMinAge', default: { enabled: false, male: 50, female: 40 }, title: '分性别最低年龄（默认不启用）' },
  'posts.severeDisabilityLevel': { type: 'count', default: 2, title: '重度残疾等级（此等级及以上不聘用，1级最重）' },
  'posts.candidateGroups': { type: 'idList', default: ['formerly_poor', 'monitoring_object'], title: '公益岗位安置对象范围' },
  'posts.capPerVillage': {
    type: 'postCapMap',
    default: { cleaner: { perHouseholds: 50 }, forest_ranger: { perHouseholds: 50 }, road_maintainer: { absolute: 5 } },
    title: '每村每类岗位设岗上限（perHouseholds：每多少户1个；absolute：绝对数）；未列出的岗位类型用 posts.capDefault',
  },
  'posts.capDefault': {
    type: 'postCap',
    default: { perHouseholds: 50 },
    title: '未单独规定上限的岗位类型的每村设岗上限（SF-12）',
  },
  'posts.approver': { type: 'postApprover', default: 'county', title: '设岗与聘任审定单位（county 县级 / human_resources 人社部门）' },
  'posts.idleMonths': { type: 'count', default: 2, title: '连续无考勤月数（达到即列入空岗预警）' },
  'projects.noticePeriod': { type: 'duration', default: 'P10D', title: '项目公告公示期' },
  'projects.negativeList': { type: 'idList', default: NEGATIVE_LIST, title: '负面清单' },
  'projects.departmentsByCategory': {
    type: 'sectorMap',
    default: {
      industry: ['agriculture'],
      employment: ['human_resources'],
      roads: ['transport'],
      drinking_water: ['water'],
      housing: ['housing'],
      education: ['education'],
      health: ['health'],
    },
    title: '各类项目论证部门',
  },
  'projects.industryShareMin': { type: 'ratio', default: 0.6, title: '产业项目资金占比下限' },
  'projects.advanceRatio': { type: 'ratio', default: 0.3, title: '竣工验收前预拨（超进度拨付）资金占合同金额的上限（SF-23）' },
  'projects.stalledAfter': { type: 'duration', default: 'P2M', title: '停滞项目预警：无进度报告时长' },
} as const satisfies Record<string, PolicyKeyDef>;

export type PolicyKey = keyof typeof POLICY_KEYS;
type ValueOf<D> = D extends number ? number : D extends string ? string : D extends boolean ? boolean : D extends readonly string[] ? string[] : Record<string, string[]>;
export type PolicyValues = { -readonly [K in PolicyKey]: ValueOf<(typeof POLICY_KEYS)[K]['default']> };

export function isPolicyKey(key: string): key is PolicyKey {
  return Object.prototype.hasOwnProperty.call(POLICY_KEYS, key);
}

export function defaultPolicyValues(): PolicyValues {
  return Object.fromEntries(
    Object.entries(POLICY_KEYS).map(([k, def]) => [k, structuredClone(def.default)]),
  ) as unknown as PolicyValues;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);

/** Returns a Chinese explanation of what is wrong with the value, or null if it fits the key. */
export function policyValueProblem(key: PolicyKey, value: unknown): string | null {
  const type: PolicyValueType = POLICY_KEYS[key].type;
  // one person, one post (SF-14) is also a unique index on active tenures: a policy cannot lift it
  if (key === 'posts.maxPerPerson' && Number.isInteger(value) && (value as number) > 1) {
    return '一人只能聘用一个公益性岗位（SF-14），每人最多岗位数只能是 0 或 1';
  }
  switch (type) {
    case 'money':
      // compare in cents with a tolerance: 19.99 * 100 is 1998.9999999999998 in binary floating point
      return typeof value === 'number' && value >= 0 && Number.isFinite(value) && Math.abs(value * 100 - Math.round(value * 100)) < 1e-6
        ? null : '应为非负金额（最多两位小数）';
    case 'duration':
      return isIsoDuration(value) ? null : '应为 ISO-8601 时长，例如 P5D、P6M、PT2S';
    case 'durationList':
      return Array.isArray(value) && value.length <= 12 && value.every(isIsoDuration) ? null : '应为 ISO-8601 时长数组，例如 ["P3M","P6M"]';
    case 'flag':
      return typeof value === 'boolean' ? null : '应为 true 或 false';
    case 'ratio':
      return typeof value === 'number' && value >= 0 && value <= 1 ? null : '应为 0 到 1 之间的比例';
    case 'count':
    case 'years':
    case 'months':
    case 'days':
      return Number.isInteger(value) && (value as number) >= 0 ? null : '应为非负整数';
    case 'idList':
      return isStringArray(value) ? null : '应为字符串数组';
    case 'postCapMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) &&
        Object.entries(value as object).every(([k, v]) => /^[a-z_]+$/.test(k) && postCapProblem(v) === null)
        ? null : '应为 岗位类型 → { perHouseholds?: 正整数, absolute?: 非负整数 } 的映射';
    case 'postCap':
      return postCapProblem(value) === null ? null : '应为 { perHouseholds?: 正整数, absolute?: 非负整数 }，至少一项';
    case 'genderMinAge': {
      const g = value as { enabled?: unknown; male?: unknown; female?: unknown } | null;
      return g !== null && typeof g === 'object' && !Array.isArray(g) && typeof g.enabled === 'boolean' &&
        Object.keys(g).every((k) => ['enabled', 'male', 'female'].includes(k)) &&
        [g.male, g.female].every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 120)
        ? null : '应为 { enabled: true/false, male: 年龄, female: 年龄 }';
    }
    case 'postApprover':
      return value === 'county' || value === 'human_resources' ? null : '应为 county 或 human_resources';
    case 'sectorMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) &&
        Object.values(value as object).every((v) => isStringArray(v) && v.every((s) => ids(SECTORS).includes(s as never)))
        ? null : `应为 类别 → 部门列表 的映射，部门取值：${ids(SECTORS).join(', ')}`;
  }
}

function postCapProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const c = v as Record<string, unknown>;
  if (!Object.keys(c).length || !Object.keys(c).every((k) => k === 'perHouseholds' || k === 'absolute')) return 'bad keys';
  if (c.perHouseholds !== undefined && !(Number.isInteger(c.perHouseholds) && (c.perHouseholds as number) > 0)) return 'perHouseholds';
  if (c.absolute !== undefined && !(Number.isInteger(c.absolute) && (c.absolute as number) >= 0)) return 'absolute';
  return null;
}
