import { isIsoDuration } from '../domain/duration';
import { ids, SECTORS } from '../domain/enums';

/**
 * The policy parameters of domain/parameters.md. These are the *national defaults* that
 * seeds write as the first policy version; the running service reads values only from the
 * policy versions stored in the database.
 */
export type PolicyValueType = 'money' | 'duration' | 'ratio' | 'count' | 'years' | 'months' | 'days' | 'idList' | 'sectorMap';

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
  'reasons.minLength': { type: 'count', default: 6, title: '理由最少字数' },
  'elimination.noticePeriod': { type: 'duration', default: 'P5D', title: '消除公示期' },
  'elimination.minMonitoringPeriod': { type: 'duration', default: 'P6M', title: '消除前最短监测期' },
  'elimination.incomeStablePeriod': { type: 'duration', default: 'P6M', title: '收入稳定超线时长' },
  'elimination.concentrationThreshold': { type: 'ratio', default: 0.3, title: '集中消除预警比例' },
  'elimination.concentrationWindow': { type: 'duration', default: 'P30D', title: '集中消除统计窗口' },
  'posts.noticePeriod': { type: 'duration', default: 'P5D', title: '公益岗位公示期' },
  'posts.minAge': { type: 'years', default: 16, title: '最低年龄' },
  'posts.maxAge': { type: 'years', default: 65, title: '聘用最高年龄' },
  'posts.neverAge': { type: 'years', default: 80, title: '禁止聘用年龄' },
  'posts.maxPerPerson': { type: 'count', default: 1, title: '每人最多岗位数' },
  'posts.maxPerHousehold': { type: 'count', default: 1, title: '每户最多岗位数' },
  'posts.maxMembersAway': { type: 'count', default: 2, title: '外出务工人数上限（达到即不符合）' },
  'posts.maxTermMonths': { type: 'months', default: 12, title: '协议最长期限（月）' },
  'posts.minAttendanceDays': { type: 'days', default: 8, title: '全额补贴最少出勤天数' },
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
} as const satisfies Record<string, PolicyKeyDef>;

export type PolicyKey = keyof typeof POLICY_KEYS;
export type PolicyValues = { -readonly [K in PolicyKey]: (typeof POLICY_KEYS)[K]['default'] extends number ? number : (typeof POLICY_KEYS)[K]['default'] extends string ? string : (typeof POLICY_KEYS)[K]['default'] extends readonly string[] ? string[] : Record<string, string[]> };

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
  switch (type) {
    case 'money':
      // compare in cents with a tolerance: 19.99 * 100 is 1998.9999999999998 in binary floating point
      return typeof value === 'number' && value >= 0 && Number.isFinite(value) && Math.abs(value * 100 - Math.round(value * 100)) < 1e-6
        ? null : '应为非负金额（最多两位小数）';
    case 'duration':
      return isIsoDuration(value) ? null : '应为 ISO-8601 时长，例如 P5D、P6M、PT2S';
    case 'ratio':
      return typeof value === 'number' && value >= 0 && value <= 1 ? null : '应为 0 到 1 之间的比例';
    case 'count':
    case 'years':
    case 'months':
    case 'days':
      return Number.isInteger(value) && (value as number) >= 0 ? null : '应为非负整数';
    case 'idList':
      return isStringArray(value) ? null : '应为字符串数组';
    case 'sectorMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) &&
        Object.values(value as object).every((v) => isStringArray(v) && v.every((s) => ids(SECTORS).includes(s as never)))
        ? null : `应为 类别 → 部门列表 的映射，部门取值：${ids(SECTORS).join(', ')}`;
  }
}
