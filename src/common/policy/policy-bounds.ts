import { Duration } from 'luxon';
import { isIsoDuration } from '../domain/duration';
import { ids, SECTORS } from '../domain/enums';
import { POLICY_KEYS, type PolicyKey, type PolicyValueType, policyValueProblem } from './policy-keys';

/**
 * Issue 12: the national bounds of every policy key. A province, a county (or any area below)
 * and the national level itself set values only inside them; only a global admin changes them,
 * with a reason, and every change is written to the policy ledger. The defaults below follow
 * domain/parameters.md ("seen elsewhere" gives the range; a rule the documents call national,
 * such as the first five entries of the negative list, is a floor).
 *
 * One shape per value type:
 * - numbers (money, ratio, count, years, months, days): `{ min, max }`, inclusive;
 * - durations: `{ min, max }` as ISO-8601 durations, inclusive, compared by length (a month
 *   counted as 30 days, a year as 365, as luxon does);
 * - duration lists: every item inside `{ min, max }`, at least `minItems` items;
 * - flags and choices: `{ allowed: [...] }`;
 * - id lists: `{ mustInclude: [...] }`, ids that cannot be removed (the list cannot be emptied
 *   below them), and `minItems`;
 * - category → sectors maps: `{ requiredSectors: { category: [sector] } }`, categories that must
 *   stay, each argued by at least these sectors;
 * - post caps: `{ requiredPostTypes, minPerHouseholds, maxAbsolute }`: these post types keep a
 *   cap, and no cap is looser than one post per `minPerHouseholds` households or `maxAbsolute`;
 * - per-gender minimum ages: `{ min, max }` for each age.
 */
export interface NumberBound { min: number; max: number }
export interface DurationBound { min: string; max: string }
export interface DurationListBound { min: string; max: string; minItems: number }
export interface ChoiceBound { allowed: unknown[] }
export interface IdListBound { mustInclude: string[]; minItems: number }
export interface SectorMapBound { requiredSectors: Record<string, string[]> }
export interface PostCapBound { requiredPostTypes: string[]; minPerHouseholds: number; maxAbsolute: number }
/** one cap (posts.capDefault): no looser than one post per `minPerHouseholds` households or `maxAbsolute` */
export interface SingleCapBound { minPerHouseholds: number; maxAbsolute: number }

export type PolicyBound = NumberBound | DurationBound | DurationListBound | ChoiceBound | IdListBound | SectorMapBound | PostCapBound | SingleCapBound;
export type PolicyBounds = Record<PolicyKey, PolicyBound>;

type BoundKind = 'number' | 'duration' | 'durationList' | 'choice' | 'idList' | 'sectorMap' | 'postCapMap' | 'postCap';

const KIND_OF: Record<PolicyValueType, BoundKind> = {
  money: 'number',
  ratio: 'number',
  count: 'number',
  years: 'number',
  months: 'number',
  days: 'number',
  genderMinAge: 'number',
  duration: 'duration',
  durationList: 'durationList',
  flag: 'choice',
  postApprover: 'choice',
  idList: 'idList',
  sectorMap: 'sectorMap',
  postCapMap: 'postCapMap',
  postCap: 'postCap',
};

/** The fields a bound of each kind has; no other field is accepted. */
const FIELDS: Record<BoundKind, string[]> = {
  number: ['min', 'max'],
  duration: ['min', 'max'],
  durationList: ['min', 'max', 'minItems'],
  choice: ['allowed'],
  idList: ['mustInclude', 'minItems'],
  sectorMap: ['requiredSectors'],
  postCapMap: ['requiredPostTypes', 'minPerHouseholds', 'maxAbsolute'],
  postCap: ['minPerHouseholds', 'maxAbsolute'],
};

export const boundKindOf = (key: PolicyKey): BoundKind => KIND_OF[POLICY_KEYS[key].type];

/** The national default bounds (domain/parameters.md); written as bounds version 1 on a fresh database. */
export const DEFAULT_POLICY_BOUNDS = {
  // a province may raise its line (Yunnan 8,700; 2 × 低保 = 19,560 in Fujian); the floor is the lowest
  // line in force in the documents (Henan 2022: 6,900, seed 001), so a year's history can be entered
  'monitoring.incomeLine': { min: 6900, max: 25000 },
  'monitoring.rigidExpenditureRatio': { min: 0.1, max: 0.8 },
  // "一般不超过15天"; some localities 20 working days
  'inclusion.deadline': { min: 'P5D', max: 'P30D' },
  'inclusion.firstVisitWithin': { min: 'P1D', max: 'P3D' },
  // village notice 5 days, 3–7 seen (SF-22: a notice cannot be shorter than its minimum)
  'inclusion.noticePeriod': { min: 'P3D', max: 'P7D' },
  'notifications.deadlineNearBefore': { min: 'P1D', max: 'P7D' },
  'reasons.minLength': { min: 6, max: 100 },
  // the one text rule (issue 12): an opinion says at least what it agrees to, a justification a sentence
  'reasons.opinionMinLength': { min: 4, max: 100 },
  'reasons.justificationMinLength': { min: 15, max: 200 },
  // the national placeholder list stays; a province adds its own
  'reasons.placeholders': { mustInclude: ['同意', '无', '见附件'], minItems: 3 },
  // SF-24: a record is stated within a month of the fact at most; a county may be stricter
  'records.maxBackdate': { min: 'P1D', max: 'P30D' },
  'inspection.copiedTextMinCases': { min: 2, max: 20 },
  'inspection.copiedTextMinLength': { min: 6, max: 100 },
  'inspection.copiedTextWindow': { min: 'P1M', max: 'P3Y' },
  // SF-26: 整改 within days to a year
  'rectification.deadline': { min: 'P7D', max: 'P1Y' },
  'elimination.noticePeriod': { min: 'P3D', max: 'P7D' },
  // "with at least one measure", "原则上不低于半年": six months are a floor
  'elimination.minMonitoringPeriod': { min: 'P6M', max: 'P5Y' },
  'elimination.incomeStablePeriod': { min: 'P6M', max: 'P2Y' },
  // SF-08: an alert set to 100 % or to a one-day window would never fire
  'elimination.concentrationThreshold': { min: 0.1, max: 0.5 },
  'elimination.concentrationWindow': { min: 'P14D', max: 'P180D' },
  'elimination.followUpVisits': { min: 'P1M', max: 'P2Y', minItems: 1 },
  // no labour capacity and only 兜底: kept in monitoring (national guidance), not a local switch
  'elimination.keepNoLabourInMonitoring': { allowed: [true] },
  'colour.measureRecency': { min: 'P1M', max: 'P6M' },
  'inspection.staleMonitoringAfter': { min: 'P6M', max: 'P2Y' },
  'inspection.staleNoMeasureWithin': { min: 'P3M', max: 'P1Y' },
  // 5 days, 3 seen
  'posts.noticePeriod': { min: 'P3D', max: 'P7D' },
  'posts.minAge': { min: 16, max: 45 },
  // 65; 60 (relaxable to 65) and 70 seen
  'posts.maxAge': { min: 50, max: 70 },
  // SF-13: posts were given to people aged 80–90; a county may be stricter, never looser
  'posts.neverAge': { min: 65, max: 80 },
  // SF-14: one person, one post
  'posts.maxPerPerson': { min: 1, max: 1 },
  'posts.maxPerHousehold': { min: 1, max: 2 },
  // SF-15: ineligible at 2 members away
  'posts.maxMembersAway': { min: 1, max: 3 },
  'posts.maxTermMonths': { min: 1, max: 12 },
  // SF-16: 8 working days (local)
  'posts.minAttendanceDays': { min: 5, max: 22 },
  'posts.partialSubsidyRatio': { min: 0, max: 0.8 },
  'posts.genderMinAge': { min: 16, max: 65 },
  // level 1 is the most severe; "this level and above not hired": a county may refuse more levels, not fewer
  'posts.severeDisabilityLevel': { min: 2, max: 4 },
  // the national groups (脱贫劳动力, 监测对象); provinces add their own
  'posts.candidateGroups': { mustInclude: ['formerly_poor', 'monitoring_object'], minItems: 2 },
  // SF-12: 52 cleaners in one village; the caps stay, and none looser than 1 per 20 households or 20 in all
  'posts.capPerVillage': { requiredPostTypes: ['cleaner', 'forest_ranger', 'road_maintainer'], minPerHouseholds: 20, maxAbsolute: 20 },
  // SF-12: every other post type keeps a cap, none looser than 1 per 20 households or 20 in all
  'posts.capDefault': { minPerHouseholds: 20, maxAbsolute: 20 },
  'posts.approver': { allowed: ['county', 'human_resources'] },
  'posts.idleMonths': { min: 1, max: 6 },
  // "at least 10 days"
  'projects.noticePeriod': { min: 'P10D', max: 'P30D' },
  // SF-19: the first five are national (财农〔2021〕19号); the rest are local
  'projects.negativeList': {
    mustInclude: ['unit_basic_expenditure', 'vehicles_and_communication', 'office_buildings', 'bonuses_and_allowances', 'debt_repayment'],
    minItems: 5,
  },
  // SF-21: 产业发展 is argued by 农业农村 at least; the other categories are local
  'projects.departmentsByCategory': { requiredSectors: { industry: ['agriculture'] } },
  // "at least 60%" (55 % in 2022)
  'projects.industryShareMin': { min: 0.6, max: 1 },
  // SF-23: "at most 30% before acceptance" — a county may allow less, never more
  'projects.advanceRatio': { min: 0, max: 0.3 },
  'projects.stalledAfter': { min: 'P1M', max: 'P6M' },
} as const satisfies Record<PolicyKey, PolicyBound>;

export function defaultPolicyBounds(): PolicyBounds {
  return structuredClone(DEFAULT_POLICY_BOUNDS) as unknown as PolicyBounds;
}

/** Length of an ISO-8601 duration in milliseconds (months 30 days, years 365). */
export function durationMillis(iso: string): number {
  return Duration.fromISO(iso).toMillis();
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** What is outside a bound: a Chinese sentence, and the part of the bound it broke. */
export interface BoundViolation {
  key: PolicyKey;
  value: unknown;
  bound: PolicyBound;
  message: string;
}

/**
 * Null when the value (already of the key's type, see policyValueProblem) is inside the bound;
 * otherwise what is wrong, naming the key, the value and the bound.
 */
export function boundViolation(key: PolicyKey, value: unknown, bound: PolicyBound): BoundViolation | null {
  const problem = boundProblem(key, value, bound);
  return problem ? { key, value, bound, message: `${key} = ${show(value)}：${problem}` } : null;
}

function numberProblem(n: number, b: NumberBound, what = ''): string | null {
  if (n < b.min) return `${what}低于全国下限 ${b.min}`;
  if (n > b.max) return `${what}高于全国上限 ${b.max}`;
  return null;
}

function durationProblem(iso: string, b: { min: string; max: string }, what = ''): string | null {
  const ms = durationMillis(iso);
  if (ms < durationMillis(b.min)) return `${what}${iso} 短于全国下限 ${b.min}`;
  if (ms > durationMillis(b.max)) return `${what}${iso} 长于全国上限 ${b.max}`;
  return null;
}

function boundProblem(key: PolicyKey, value: unknown, bound: PolicyBound): string | null {
  switch (boundKindOf(key)) {
    case 'number': {
      const b = bound as NumberBound;
      if (POLICY_KEYS[key].type === 'genderMinAge') {
        const g = value as { male: number; female: number };
        return numberProblem(g.male, b, '男性最低年龄') ?? numberProblem(g.female, b, '女性最低年龄');
      }
      return numberProblem(value as number, b);
    }
    case 'duration':
      return durationProblem(value as string, bound as DurationBound);
    case 'durationList': {
      const b = bound as DurationListBound;
      const list = value as string[];
      if (list.length < b.minItems) return `至少应有 ${b.minItems} 项（全国下限）`;
      for (const item of list) {
        const p = durationProblem(item, b, '其中 ');
        if (p) return p;
      }
      return null;
    }
    case 'choice': {
      const b = bound as ChoiceBound;
      return b.allowed.some((a) => a === value) ? null : `全国边界只允许 ${b.allowed.map(show).join('、')}`;
    }
    case 'idList': {
      const b = bound as IdListBound;
      const list = value as string[];
      const missing = b.mustInclude.filter((id) => !list.includes(id));
      if (missing.length) return `不能删去全国规定的 ${missing.join('、')}`;
      if (new Set(list).size < b.minItems) return `至少应有 ${b.minItems} 项（全国下限）`;
      return null;
    }
    case 'sectorMap': {
      const b = bound as SectorMapBound;
      const map = value as Record<string, string[]>;
      for (const [category, sectors] of Object.entries(b.requiredSectors)) {
        const missing = sectors.filter((s) => !(map[category] ?? []).includes(s));
        if (missing.length) return `类别 ${category} 必须由 ${missing.join('、')} 论证（全国规定）`;
      }
      return null;
    }
    case 'postCapMap': {
      const b = bound as PostCapBound;
      const caps = value as Record<string, { perHouseholds?: number; absolute?: number }>;
      const missing = b.requiredPostTypes.filter((t) => !caps[t]);
      if (missing.length) return `不能取消 ${missing.join('、')} 的设岗上限（全国规定）`;
      for (const [type, cap] of Object.entries(caps)) {
        if (cap.perHouseholds !== undefined && cap.perHouseholds < b.minPerHouseholds) {
          return `${type} 每 ${cap.perHouseholds} 户 1 个岗位，宽于全国下限每 ${b.minPerHouseholds} 户 1 个`;
        }
        if (cap.absolute !== undefined && cap.absolute > b.maxAbsolute) {
          return `${type} 上限 ${cap.absolute} 个，高于全国上限 ${b.maxAbsolute} 个`;
        }
      }
      return null;
    }
    case 'postCap': {
      const b = bound as SingleCapBound;
      const cap = value as { perHouseholds?: number; absolute?: number };
      if (cap.perHouseholds !== undefined && cap.perHouseholds < b.minPerHouseholds) {
        return `每 ${cap.perHouseholds} 户 1 个岗位，宽于全国下限每 ${b.minPerHouseholds} 户 1 个`;
      }
      if (cap.absolute !== undefined && cap.absolute > b.maxAbsolute) return `上限 ${cap.absolute} 个，高于全国上限 ${b.maxAbsolute} 个`;
      return null;
    }
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIdArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && /^[a-z][a-z0-9_]{0,39}$/.test(x));
const isCount = (v: unknown, min = 0): v is number => Number.isInteger(v) && (v as number) >= min;

/** Null when `bound` is a well-formed bound of the key (every field, of its kind, min ≤ max). */
export function boundShapeProblem(key: PolicyKey, bound: unknown): string | null {
  const kind = boundKindOf(key);
  if (!isPlainObject(bound)) return '边界应为对象';
  const unknown = Object.keys(bound).filter((f) => !FIELDS[kind].includes(f));
  if (unknown.length) return `未知的边界字段 ${unknown.join('、')}，此类参数的边界字段为 ${FIELDS[kind].join('、')}`;
  const absent = FIELDS[kind].filter((f) => bound[f] === undefined);
  if (absent.length) return `缺少边界字段 ${absent.join('、')}`;
  const type = POLICY_KEYS[key].type;
  switch (kind) {
    case 'number': {
      const { min, max } = bound;
      const valid = (n: unknown) =>
        type === 'genderMinAge' ? isCount(n) && (n as number) <= 120 : policyValueProblem(key, n) === null;
      if (!valid(min) || !valid(max)) return '上下限应为此参数可取的值';
      return (min as number) <= (max as number) ? null : '下限不能大于上限';
    }
    case 'duration':
    case 'durationList': {
      const { min, max } = bound;
      if (!isIsoDuration(min) || !isIsoDuration(max)) return '上下限应为 ISO-8601 时长，例如 PT1S、P3D';
      if (durationMillis(min) > durationMillis(max)) return '下限不能长于上限';
      if (kind === 'durationList' && !(isCount(bound.minItems) && (bound.minItems as number) <= 12)) return 'minItems 应为 0 到 12 的整数';
      return null;
    }
    case 'choice': {
      const { allowed } = bound;
      if (!Array.isArray(allowed) || !allowed.length || !allowed.every((a) => policyValueProblem(key, a) === null)) {
        return 'allowed 应为此参数可取的值的非空数组';
      }
      return null;
    }
    case 'idList':
      // ids (the negative list) or words (the placeholder list)
      if (!(Array.isArray(bound.mustInclude) && bound.mustInclude.every((x) => typeof x === 'string' && x.trim().length > 0 && x.length <= 40))) {
        return 'mustInclude 应为字符串数组（每项 1 到 40 个字符）';
      }
      return isCount(bound.minItems) ? null : 'minItems 应为非负整数';
    case 'sectorMap': {
      const r = bound.requiredSectors;
      const sectors = ids(SECTORS) as readonly string[];
      return isPlainObject(r) && Object.entries(r).every(([c, s]) => /^[a-z][a-z0-9_]{0,39}$/.test(c) && isIdArray(s) && s.every((x) => sectors.includes(x)))
        ? null : `requiredSectors 应为 类别 → 部门列表 的映射，部门取值：${sectors.join(', ')}`;
    }
    case 'postCapMap':
      if (!isIdArray(bound.requiredPostTypes)) return 'requiredPostTypes 应为岗位类型数组';
      if (!isCount(bound.minPerHouseholds, 1)) return 'minPerHouseholds 应为正整数';
      return isCount(bound.maxAbsolute) ? null : 'maxAbsolute 应为非负整数';
    case 'postCap':
      if (!isCount(bound.minPerHouseholds, 1)) return 'minPerHouseholds 应为正整数';
      return isCount(bound.maxAbsolute) ? null : 'maxAbsolute 应为非负整数';
  }
}

/** Every violation of `values` (of one policy version) against the bounds, in key order. */
export function boundViolations(values: Record<string, unknown>, bounds: Partial<PolicyBounds>): BoundViolation[] {
  const out: BoundViolation[] = [];
  for (const [key, value] of Object.entries(values)) {
    const bound = bounds[key as PolicyKey];
    if (value === null || value === undefined || !bound || !(key in POLICY_KEYS)) continue;
    if (policyValueProblem(key as PolicyKey, value) !== null) continue; // a type error is reported as such
    const v = boundViolation(key as PolicyKey, value, bound);
    if (v) out.push(v);
  }
  return out;
}
