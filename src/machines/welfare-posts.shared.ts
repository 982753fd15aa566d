/**
 * Vocabulary shared by the two public-welfare post machines (乡村公益性岗位): post types and
 * the typed view of the `posts.*` policy values. Pure: no Nest, no TypeORM, no I/O.
 */
import { ageOn, calendarMonth, daysInMonth, startOfCalendarDay } from '../common/domain/calendar';
import type { PolicyValues } from '../common/policy/policy-keys';

export const POST_TYPES = [
  { id: 'cleaner', title: '保洁员', titleEn: 'Cleaner' },
  { id: 'forest_ranger', title: '护林员', titleEn: 'Forest ranger' },
  { id: 'road_maintainer', title: '道路养护员', titleEn: 'Road maintainer' },
  { id: 'water_keeper', title: '水管员', titleEn: 'Water facility keeper' },
  { id: 'facility_keeper', title: '公共设施管护员', titleEn: 'Public facility keeper' },
  { id: 'grassland_keeper', title: '草管员', titleEn: 'Grassland keeper' },
  { id: 'other', title: '其他公益性岗位', titleEn: 'Other public-welfare post' },
] as const;
export type PostType = (typeof POST_TYPES)[number]['id'];
export const POST_TYPE_IDS = POST_TYPES.map((t) => t.id) as PostType[];
export const postTypeTitle = (id: string): string => POST_TYPES.find((t) => t.id === id)?.title ?? id;

/** Candidate groups a province may admit (posts.candidateGroups); each is computed from registry data. */
export const CANDIDATE_GROUPS = [
  { id: 'formerly_poor', title: '脱贫劳动力', titleEn: 'Formerly poor labour' },
  { id: 'monitoring_object', title: '监测对象', titleEn: 'Monitoring object' },
  { id: 'disabled', title: '残疾人', titleEn: 'Person with a disability' },
  { id: 'zero_employment', title: '零就业家庭', titleEn: 'Household with no one employed' },
] as const;
export const CANDIDATE_GROUP_IDS: string[] = CANDIDATE_GROUPS.map((g) => g.id);

/** Cap per village and post type: relative to the registered households, absolute, or both (the smaller wins). */
export interface PostCap {
  perHouseholds?: number;
  absolute?: number;
}

export interface GenderMinAge {
  enabled: boolean;
  male: number;
  female: number;
}

/** The `posts.*` policy values, typed (PolicyValues types object-valued keys loosely). */
export interface PostsPolicy {
  noticePeriod: string;
  minAge: number;
  maxAge: number;
  neverAge: number;
  genderMinAge: GenderMinAge;
  severeDisabilityLevel: number;
  maxPerPerson: number;
  maxPerHousehold: number;
  maxMembersAway: number;
  maxTermMonths: number;
  minAttendanceDays: number;
  partialSubsidyRatio: number;
  candidateGroups: string[];
  capPerVillage: Record<string, PostCap>;
  /** the cap of every post type the map does not name (SF-12: every type has one) */
  capDefault: PostCap;
  approver: 'county' | 'human_resources';
  idleMonths: number;
}

export function postsPolicy(policy: PolicyValues): PostsPolicy {
  const p = policy as unknown as Record<string, any>;
  return {
    noticePeriod: p['posts.noticePeriod'],
    minAge: p['posts.minAge'],
    maxAge: p['posts.maxAge'],
    neverAge: p['posts.neverAge'],
    genderMinAge: p['posts.genderMinAge'] ?? { enabled: false, male: 0, female: 0 },
    severeDisabilityLevel: p['posts.severeDisabilityLevel'] ?? 2,
    maxPerPerson: p['posts.maxPerPerson'],
    maxPerHousehold: p['posts.maxPerHousehold'],
    maxMembersAway: p['posts.maxMembersAway'],
    maxTermMonths: p['posts.maxTermMonths'],
    minAttendanceDays: p['posts.minAttendanceDays'],
    partialSubsidyRatio: p['posts.partialSubsidyRatio'] ?? 0,
    candidateGroups: p['posts.candidateGroups'] ?? ['formerly_poor', 'monitoring_object'],
    capPerVillage: p['posts.capPerVillage'] ?? {},
    capDefault: p['posts.capDefault'] ?? DEFAULT_CAP,
    approver: p['posts.approver'] ?? 'county',
    idleMonths: p['posts.idleMonths'] ?? 2,
  };
}

/** `posts.capDefault` of the national policy, for policy versions stored before the key existed. */
export const DEFAULT_CAP: PostCap = { perHouseholds: 50 };

/** The cap that applies to a post type: its own in `posts.capPerVillage`, else `posts.capDefault` (SF-12). */
export function capOf(p: PostsPolicy, postType: string): PostCap {
  const own = Object.prototype.hasOwnProperty.call(p.capPerVillage, postType) ? p.capPerVillage[postType] : undefined;
  return own && (own.perHouseholds !== undefined || own.absolute !== undefined) ? own : p.capDefault;
}

/** The cap of one post type in a village with `households` registered households; null: no cap configured. */
export function capFor(cap: PostCap | undefined, households: number): number | null {
  if (!cap || (cap.perHouseholds === undefined && cap.absolute === undefined)) return null;
  const limits: number[] = [];
  // at least one post even in a small village: the rule is against 52 cleaners, not against one
  if (cap.perHouseholds !== undefined && cap.perHouseholds > 0) limits.push(Math.max(1, Math.ceil(households / cap.perHouseholds)));
  if (cap.absolute !== undefined) limits.push(cap.absolute);
  return limits.length ? Math.min(...limits) : null;
}

/** Whole years between a birth date (YYYY-MM-DD) and an instant, on the Beijing calendar. */
export function ageAt(birthDate: string, nowIso: string): number {
  return ageOn(birthDate, nowIso);
}

/** `YYYY-MM` of an instant, on the Beijing calendar. */
export function monthOf(iso: string): string {
  return calendarMonth(iso);
}

/** `YYYY-MM` plus n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** A date (YYYY-MM-DD) plus n calendar months, clamped to the month's last day. */
export function addMonthsToDate(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const target = addMonths(`${y}-${String(m).padStart(2, '0')}`, n);
  const [ty, tm] = target.split('-').map(Number);
  const last = daysInMonth(ty, tm);
  return `${target}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Midnight at the start of a calendar day in China (the service's zone), as an ISO instant. */
export function beijingMidnight(date: string): string {
  return startOfCalendarDay(date).toISOString();
}

/**
 * The month's subsidy (SF-16): full at or above the minimum days, the configured share of it
 * below, nothing for a month without a single day worked (and nothing without a record).
 */
export function subsidyFor(args: { monthlySubsidy: number; daysWorked: number; minDays: number; partialRatio: number }): number {
  const { monthlySubsidy, daysWorked, minDays, partialRatio } = args;
  if (daysWorked <= 0) return 0;
  const amount = daysWorked >= minDays ? monthlySubsidy : monthlySubsidy * partialRatio;
  return Math.round(amount * 100) / 100;
}
