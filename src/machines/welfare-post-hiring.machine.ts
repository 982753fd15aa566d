/**
 * 公益性岗位聘任与在岗管理 — public-welfare post hiring and tenure (domain/procedures.md §3:
 * 以岗聘任、在岗领补、有序退岗). One case per candidate.
 *
 * applied ─► public_notice ─► township_review ─► county_approval ─► contracted ─► on_duty ─► exited
 *  (村推荐评议)    (公示)         (乡镇审核)        (县级审定/人社)     (签订协议)    │ monthly attendance
 *                                                                               └ terminate / resign / expire
 * Eligibility (SF-13, SF-14, SF-15) is judged at application by the adapter with these same
 * rules and again here at county approval, from facts the adapter loads (the candidate's
 * registry record, the posts the person and the household hold, members working away).
 */
import { daysInMonth } from '../common/domain/calendar';
import { assign, setup } from 'xstate';
import { noticeMetas, noticeRules, publishNotice } from './notice';
import { allowed, noTimers, optionalOpinionFields, rejectMeta, returnBranches, returnMeta, state, TOWNSHIP_APPROVE } from './steps';
import {
  allowedGuard,
  type BaseContext,
  choice,
  type CreationRuleDef,
  opinion,
  type ProcedureDefinition,
  type ProcedureEvent,
  type RuleSet,
  type TransitionMeta,
} from './procedure';
import {
  addMonths,
  addMonthsToDate,
  ageAt,
  beijingMidnight,
  monthOf,
  type PostType,
  postsPolicy,
  subsidyFor,
} from './welfare-posts.shared';

export const WELFARE_POST_HIRING = 'welfare-post-hiring';

/** Declared at application by the village and recorded; the registry holds no such data (see docs/welfare-posts.md). */
export interface ExclusionDeclaration {
  /** 村干部及其近亲属 */
  villageCadreOrFamily: boolean;
  /** 机关事业单位在编人员 */
  publicEmployee: boolean;
  /** 领取城镇职工养老金 */
  urbanEmployeePension: boolean;
}

export interface HiringInput {
  postId: string;
  memberId: string;
  householdId: string;
  /** the post's village */
  areaCode: string;
  post: { postType: PostType; monthlySubsidy: number; termMonths: number };
  exclusions: ExclusionDeclaration;
  note?: string | null;
}

/** What the adapter loads before each event (and at application). */
export interface HiringFacts {
  candidate: {
    birthDate: string;
    gender: 'male' | 'female';
    laborAbility: 'full' | 'weak' | 'semi' | 'none';
    disability: { category: string; level: number } | null;
    employment: 'local' | 'outside' | 'none' | 'student' | 'retired';
  } | null;
  /** candidate groups the person belongs to, computed from the registry */
  groups: string[];
  /** other members of the household in outside employment (外出务工) */
  otherMembersAway: number;
  /** posts the person holds (contracted or on duty) on other cases */
  personPosts: number;
  /** posts held by the household's members (contracted or on duty) on other cases */
  householdPosts: number;
  post: { status: string; places: number; filled: number } | null;
  /** the candidate's household is in the post's village */
  sameVillage: boolean;
  /** issue 19 (SF-15): once on a post, the holder left the household (death, moved_away, marriage_out) on this day */
  holderLeft?: { date: string; kind: string } | null;
}

export interface AttendanceEntry {
  month: string;
  daysWorked: number;
  subsidy: number;
  minDays: number;
  partialRatio: number;
  monthlySubsidy: number;
  /** 1 for the first record of the month; each correction adds an entry with the next revision */
  revision: number;
  correction: boolean;
  reason: string | null;
  note: string | null;
  evidenceIds: string[];
  recordedBy: string;
  recordedAt: string;
}

export type ExitKind = 'terminated' | 'resigned' | 'expired';
export const EXIT_REASONS = ['working_away', 'not_performing', 'found_ineligible', 'health', 'left_household', 'other'] as const;
export const EXIT_REASON_LABELS: Record<(typeof EXIT_REASONS)[number], string> = {
  working_away: '外出务工（人岗分离）',
  not_performing: '不履职',
  found_ineligible: '不符合条件',
  health: '身体原因',
  left_household: '本人死亡、迁出或婚出',
  other: '其他',
};

export interface HiringContext extends BaseContext, HiringInput {
  recommendation: { result: 'recommended' | 'not_recommended'; opinion: string | null; recordedAt: string } | null;
  notice: { text: string; startsAt: string; endsAt: string } | null;
  townshipOpinion: string | null;
  approval: { opinion: string | null; approverRole: string; approvedAt: string; ageAtApproval: number | null } | null;
  agreement: { startDate: string; termMonths: number; endDate: string; endsAt: string; signedAt: string } | null;
  attendance: AttendanceEntry[];
  exit: { kind: ExitKind; exitReason: string; reason: string | null; at: string } | null;
  outcomeReason: string | null;
  returns: number;
}

// ---------------------------------------------------------------- business rules

const LEFT_TITLES: Record<string, string> = { death: '死亡', moved_away: '迁出', marriage_out: '婚出', left: '离户' };

const factsOf = (event: ProcedureEvent): HiringFacts => ({
  candidate: null,
  groups: [],
  otherMembersAway: 0,
  personPosts: 0,
  householdPosts: 0,
  post: null,
  sameVillage: false,
  ...(event.env.facts as Partial<HiringFacts>),
});

const candidateAge = (event: ProcedureEvent): number | null => {
  const c = factsOf(event).candidate;
  return c ? ageAt(c.birthDate, event.env.now) : null;
};

/** Context-free: also judged at application, where the adapter has only the input and the facts. */
type EligibilityArgs = { context: Pick<HiringContext, 'exclusions'>; event: ProcedureEvent };
const eligibility = (check: (args: EligibilityArgs) => boolean) => check;

export const hiringRules: RuleSet<HiringContext> = {
  ...noticeRules<HiringContext>('posts.noticePeriod'),
  post_open_with_free_place: {
    message: '该岗位未开放或已无空余名额',
    messageEn: 'The post is not open or has no free place',
    check: eligibility(({ event }) => {
      const p = factsOf(event).post;
      return !!p && p.status === 'open' && p.filled < p.places;
    }),
  },
  candidate_registered: {
    message: '候选人须为已登记农户的家庭成员，且与岗位在同一村',
    messageEn: 'The candidate must be a member of a registered household of the post’s village',
    check: eligibility(({ event }) => factsOf(event).candidate !== null && factsOf(event).sameVillage),
  },
  candidate_group: {
    message: '候选人不属于政策规定的公益性岗位安置对象（如脱贫劳动力、监测对象）',
    messageEn: 'The candidate belongs to none of the candidate groups of the policy',
    check: eligibility(({ event }) => {
      const allowed = postsPolicy(event.env.policy).candidateGroups;
      return factsOf(event).groups.some((g) => allowed.includes(g));
    }),
  },
  never_age: {
    message: '80周岁及以上人员不得安排公益性岗位（SF-13）',
    messageEn: 'People aged 80 or over are never given a post (SF-13)',
    check: eligibility(({ event }) => {
      const age = candidateAge(event);
      return age !== null && age < postsPolicy(event.env.policy).neverAge;
    }),
  },
  age_min: {
    message: '候选人未达到公益性岗位最低年龄（SF-13）',
    messageEn: 'The candidate is below the minimum age (SF-13)',
    check: eligibility(({ event }) => {
      const age = candidateAge(event);
      return age !== null && age >= postsPolicy(event.env.policy).minAge;
    }),
  },
  age_max: {
    message: '候选人超过公益性岗位聘用最高年龄（SF-13）',
    messageEn: 'The candidate is above the maximum age at hiring (SF-13)',
    check: eligibility(({ event }) => {
      const age = candidateAge(event);
      return age !== null && age <= postsPolicy(event.env.policy).maxAge;
    }),
  },
  gender_min_age: {
    message: '候选人未达到政策规定的分性别最低年龄（如男50岁、女40岁以上）（SF-13）',
    messageEn: 'The candidate is below the per-gender minimum age of the policy (SF-13)',
    check: eligibility(({ event }) => {
      const g = postsPolicy(event.env.policy).genderMinAge;
      const c = factsOf(event).candidate;
      const age = candidateAge(event);
      if (!g?.enabled || !c || age === null) return true;
      return age >= (c.gender === 'female' ? g.female : g.male);
    }),
  },
  labour_ability: {
    message: '无劳动能力人员不得安排公益性岗位（SF-13）',
    messageEn: 'People with no ability to work are not given a post (SF-13)',
    check: eligibility(({ event }) => factsOf(event).candidate?.laborAbility !== 'none'),
  },
  severe_disability: {
    message: '重度残疾人员（残疾等级一、二级）不得安排公益性岗位（SF-13）',
    messageEn: 'People with a severe disability (level 1-2) are not given a post (SF-13)',
    check: eligibility(({ event }) => {
      const d = factsOf(event).candidate?.disability;
      return !d || d.level > postsPolicy(event.env.policy).severeDisabilityLevel;
    }),
  },
  one_post_per_person: {
    message: '一人只能聘用一个公益性岗位，该人员已在岗（SF-14）',
    messageEn: 'One person, one post: this person already holds a post (SF-14)',
    check: eligibility(({ event }) => factsOf(event).personPosts < postsPolicy(event.env.policy).maxPerPerson),
  },
  posts_per_household: {
    message: '该户已有成员在公益性岗位上，超过每户岗位数上限（SF-14）',
    messageEn: 'The household already holds the maximum number of posts (SF-14)',
    check: eligibility(({ event }) => factsOf(event).householdPosts < postsPolicy(event.env.policy).maxPerHousehold),
  },
  not_working_away: {
    message: '候选人本人外出务工，不得安排公益性岗位（人岗分离）（SF-15）',
    messageEn: 'The candidate works away from home (SF-15)',
    check: eligibility(({ event }) => factsOf(event).candidate?.employment !== 'outside'),
  },
  household_members_away: {
    message: '家中外出务工人数达到政策规定人数，不得安排公益性岗位（SF-15）',
    messageEn: 'Too many members of the household work away (SF-15)',
    check: eligibility(({ event }) => factsOf(event).otherMembersAway < postsPolicy(event.env.policy).maxMembersAway),
  },
  not_excluded_group: {
    message: '村干部及其近亲属、机关事业单位在编人员、领取城镇职工养老金人员不得安排公益性岗位',
    messageEn: 'Village cadres and their families, public employees and urban-pension drawers are excluded',
    check: eligibility(({ context }) => {
      const e = context.exclusions;
      return !!e && !e.villageCadreOrFamily && !e.publicEmployee && !e.urbanEmployeePension;
    }),
  },
  approver_in_charge: {
    message: '聘任由县级审定；政策规定由人社部门审批的，由人社部门审批',
    messageEn: 'Hiring is approved by the county, or by the human-resources department where the policy says so',
    check: ({ event }) =>
      postsPolicy(event.env.policy).approver === 'human_resources'
        ? event.actor.role === 'department' && event.actor.sector === 'human_resources'
        : event.actor.role === 'county',
  },
  term_within_max: {
    message: '协议期限不得超过政策规定的最长期限，也不得超过岗位核定聘期',
    messageEn: 'The agreement term is above the maximum term or the post’s term',
    usesEventData: true,
    check: ({ context, event }) => {
      const t = Number(event.data.termMonths);
      return t <= postsPolicy(event.env.policy).maxTermMonths && t <= context.post.termMonths;
    },
  },
  agreement_not_backdated: {
    message: '协议起始日期不得早于上月1日（防止补签倒签）（SF-24）',
    messageEn: 'The agreement cannot start before the first day of the previous month (SF-24)',
    usesEventData: true,
    check: ({ event }) => String(event.data.startDate) >= `${addMonths(monthOf(event.env.now), -1)}-01`,
  },
  term_over: {
    message: '协议期限未满，不能按期满退岗',
    messageEn: 'The agreement term is not over yet',
    check: ({ context, event }) => !!context.agreement && new Date(event.env.now) >= new Date(context.agreement.endsAt),
  },
  holder_in_household: {
    message: '在岗人员已不在本户（死亡、迁出或婚出）：不能签订协议，也不能登记其离户之后月份的考勤，请办理解聘（SF-15、SF-16）',
    messageEn: 'The holder has left the household (death, moved away, married out): no agreement, and no attendance for months after leaving; terminate the post (SF-15, SF-16)',
    usesEventData: true,
    check: ({ event }) => {
      const left = factsOf(event).holderLeft;
      if (!left) return true;
      const month = event.data?.month;
      return typeof month === 'string' && month <= left.date.slice(0, 7);
    },
    explain: ({ event }) => {
      const left = factsOf(event).holderLeft;
      return left ? { message: `在岗人员已于 ${left.date} 离户（${LEFT_TITLES[left.kind] ?? left.kind}），不能登记此后月份的考勤或签订协议，请办理解聘（退岗原因：本人死亡、迁出或婚出）（SF-15、SF-16）`, details: { leftOn: left.date, leftKind: left.kind } } : null;
    },
  },
  attendance_month_in_tenure: {
    message: '考勤月份须在协议期内，且不能是未来月份',
    messageEn: 'The month must fall within the agreement term and not be in the future',
    usesEventData: true,
    check: ({ context, event }) => {
      const m = String(event.data.month);
      const a = context.agreement;
      return !!a && m >= a.startDate.slice(0, 7) && m <= monthOf(event.env.now) && m <= a.endDate.slice(0, 7);
    },
  },
  days_within_month: {
    message: '出勤天数不能超过该月天数',
    messageEn: 'Days worked cannot exceed the days of the month',
    usesEventData: true,
    check: ({ event }) => {
      const [y, m] = String(event.data.month).split('-').map(Number);
      return Number(event.data.daysWorked) <= daysInMonth(y, m);
    },
  },
  attendance_not_yet_recorded: {
    message: '该月考勤已登记；如需更正，请使用“更正考勤”并写明理由（每人每月一条记录）（SF-16）',
    messageEn: 'This month is already recorded: send a correction with a reason (one record per person and month) (SF-16)',
    usesEventData: true,
    check: ({ context, event }) => !context.attendance.some((a) => a.month === event.data.month),
  },
  attendance_recorded: {
    message: '该月尚无考勤记录，不能更正',
    messageEn: 'There is no record of this month to correct',
    usesEventData: true,
    check: ({ context, event }) => context.attendance.some((a) => a.month === event.data.month),
  },
};

/** Every eligibility rule, in the order a refusal names them (the first failing is `details.rule`). */
export const ELIGIBILITY_RULES = [
  'post_open_with_free_place',
  'candidate_registered',
  'candidate_group',
  'never_age',
  'age_min',
  'age_max',
  'gender_min_age',
  'labour_ability',
  'severe_disability',
  'one_post_per_person',
  'posts_per_household',
  'not_working_away',
  'household_members_away',
  'not_excluded_group',
] as const;

// ---------------------------------------------------------------- event data schemas

const date = { type: 'string', format: 'date' } as const;
const month = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', title: '考勤月份', description: '月份 YYYY-MM' } as const;
const recommendationFields = {
  type: 'object',
  additionalProperties: false,
  required: ['result'],
  properties: {
    result: { ...choice({ recommended: '推荐', not_recommended: '不推荐' }), title: '评议结果', description: '村级评议结果' },
    opinion,
  },
} as const;
const agreementFields = {
  type: 'object',
  additionalProperties: false,
  required: ['startDate', 'termMonths'],
  properties: {
    startDate: { ...date, title: '协议起始日期', description: '协议起始日期' },
    termMonths: { type: 'integer', minimum: 1, maximum: 60, title: '协议期限（月）', description: '协议期限（月），不超过政策上限' },
  },
} as const;
const attendanceFields = {
  type: 'object',
  additionalProperties: false,
  required: ['month', 'daysWorked'],
  properties: {
    month,
    daysWorked: { type: 'integer', minimum: 0, maximum: 31, title: '出勤天数', description: '出勤天数' },
    note: { type: 'string', maxLength: 500, title: '备注' },
  },
} as const;
const exitFields = {
  type: 'object',
  additionalProperties: false,
  required: ['exitReason'],
  properties: {
    exitReason: {
      ...choice(EXIT_REASON_LABELS),
      title: '退岗原因',
      description: 'working_away 外出务工（人岗分离）/ not_performing 不履职 / found_ineligible 不符合条件 / health 身体原因 / left_household 本人死亡、迁出或婚出 / other',
    },
    opinion,
  },
} as const;

// ---------------------------------------------------------------- transition meta

const RECOMMEND: TransitionMeta = {
  title: '村级推荐评议',
  titleEn: 'Village recommendation',
  roles: ['village'],
  evidence: { allOf: ['meeting_minutes', 'sign_in_sheet'] },
  fields: recommendationFields,
};
const NOT_RECOMMENDED: TransitionMeta = { ...RECOMMEND, reasonRequired: true };
const WITHDRAW: TransitionMeta = { title: '撤回', titleEn: 'Withdraw', roles: ['village'], reasonRequired: true, fields: optionalOpinionFields };
const DECLINE: TransitionMeta = {
  title: '放弃聘用',
  titleEn: 'Candidate declines',
  roles: ['village', 'township'],
  reasonRequired: true,
  fields: optionalOpinionFields,
};
const { publish: PUBLISH, object: OBJECT, close: CLOSE } = noticeMetas(['village'], ['village', 'township', 'county']);
const APPROVERS: TransitionMeta['roles'] = ['county', 'department'];
const COUNTY_APPROVE: TransitionMeta = {
  title: '审定聘任',
  titleEn: 'Approve hiring',
  roles: APPROVERS,
  fields: optionalOpinionFields,
  review: true,
};
const SIGN: TransitionMeta = {
  title: '签订协议上岗',
  titleEn: 'Sign the agreement',
  roles: ['township'],
  evidence: { allOf: ['agreement'] },
  fields: agreementFields,
};
const RECORD_ATTENDANCE: TransitionMeta = {
  title: '登记月度考勤',
  titleEn: 'Record monthly attendance',
  roles: ['township'],
  evidence: { allOf: ['attendance_sheet'] },
  fields: attendanceFields,
};
const CORRECT_ATTENDANCE: TransitionMeta = {
  title: '更正月度考勤',
  titleEn: 'Correct monthly attendance',
  roles: ['township'],
  evidence: { allOf: ['attendance_sheet'] },
  reasonRequired: true,
  fields: attendanceFields,
};
const TERMINATE: TransitionMeta = {
  title: '解除聘用（退岗）',
  titleEn: 'Terminate',
  roles: ['township'],
  evidence: { anyOf: [['household_survey', 'attendance_sheet', 'review_opinion', 'other']] },
  reasonRequired: true,
  fields: exitFields,
};
const RESIGN: TransitionMeta = {
  title: '本人辞岗',
  titleEn: 'Resign',
  roles: ['village'],
  evidence: { anyOf: [['application_form', 'commitment_letter', 'other']] },
  reasonRequired: true,
  fields: optionalOpinionFields,
};
const EXPIRE: TransitionMeta = { title: '协议期满退岗', titleEn: 'Term expires', roles: ['system'], fields: optionalOpinionFields };


const TOWNSHIP_RETURN_TARGETS = ['applied'];
const COUNTY_RETURN_TARGETS = ['township_review', 'applied'];
const TOWNSHIP_RETURN = returnMeta(['township'], TOWNSHIP_RETURN_TARGETS);
const COUNTY_RETURN = returnMeta(APPROVERS, COUNTY_RETURN_TARGETS);
const reject = (roles: TransitionMeta['roles']) => rejectMeta(roles, '不予聘任', 'Reject');

function attendanceEntry(context: HiringContext, event: ProcedureEvent, correction: boolean): AttendanceEntry {
  const p = postsPolicy(event.env.policy);
  const m = String(event.data.month);
  const daysWorked = Number(event.data.daysWorked);
  const previous = context.attendance.filter((a) => a.month === m);
  return {
    month: m,
    daysWorked,
    subsidy: subsidyFor({ monthlySubsidy: context.post.monthlySubsidy, daysWorked, minDays: p.minAttendanceDays, partialRatio: p.partialSubsidyRatio }),
    minDays: p.minAttendanceDays,
    partialRatio: p.partialSubsidyRatio,
    monthlySubsidy: context.post.monthlySubsidy,
    revision: previous.length + 1,
    correction,
    reason: correction ? (event.reason ?? null) : null,
    note: (event.data.note as string | undefined) ?? null,
    evidenceIds: event.evidence.map((e) => e.id),
    recordedBy: event.actor.id,
    recordedAt: event.env.now,
  };
}

function exitOf(kind: ExitKind, event: ProcedureEvent): NonNullable<HiringContext['exit']> {
  return {
    kind,
    exitReason: kind === 'terminated' ? String(event.data.exitReason) : kind === 'resigned' ? 'resigned' : 'term_expired',
    reason: event.reason ?? null,
    at: event.env.now,
  };
}

export const postHiringMachine = setup({
  types: {
    context: {} as HiringContext,
    events: {} as ProcedureEvent,
    input: {} as HiringInput,
  },
  guards: { allowed: allowedGuard(hiringRules) },
  actions: {
    recordRecommendation: assign(({ event }) => ({
      recommendation: { result: event.data.result, opinion: event.data.opinion ?? null, recordedAt: event.env.now },
    })),
    publishNotice: assign(({ event }) => publishNotice(event, 'posts.noticePeriod')),
    clearNotice: assign({ notice: null, timers: noTimers }),
    recordTownshipOpinion: assign(({ event }) => ({ townshipOpinion: event.data.opinion ?? null })),
    recordApproval: assign(({ event }) => ({
      approval: { opinion: event.data.opinion ?? null, approverRole: event.actor.role, approvedAt: event.env.now, ageAtApproval: candidateAge(event) },
    })),
    signAgreement: assign(({ event }) => {
      const startDate = String(event.data.startDate);
      const termMonths = Number(event.data.termMonths);
      const endDate = addMonthsToDate(startDate, termMonths);
      const endsAt = beijingMidnight(endDate);
      return {
        agreement: { startDate, termMonths, endDate, endsAt, signedAt: event.env.now },
        // the contract ends by itself: the system sends EXPIRE when the term is over
        timers: [{ key: 'term', event: 'EXPIRE', dueAt: endsAt }],
      };
    }),
    recordAttendance: assign(({ context, event }) => ({ attendance: [...context.attendance, attendanceEntry(context, event, false)] })),
    correctAttendance: assign(({ context, event }) => ({ attendance: [...context.attendance, attendanceEntry(context, event, true)] })),
    recordTermination: assign(({ event }) => ({ exit: exitOf('terminated', event) })),
    recordResignation: assign(({ event }) => ({ exit: exitOf('resigned', event) })),
    recordExpiry: assign(({ event }) => ({ exit: exitOf('expired', event) })),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
    countReturn: assign(({ context }) => ({ returns: context.returns + 1 })),
  },
}).createMachine({
  id: WELFARE_POST_HIRING,
  initial: 'applied',
  context: ({ input }) => ({
    ...input,
    timers: [],
    recommendation: null,
    notice: null,
    townshipOpinion: null,
    approval: null,
    agreement: null,
    attendance: [],
    exit: null,
    outcomeReason: null,
    returns: 0,
  }),
  states: {
    applied: {
      ...state('已申请（待村推荐评议）', 'Applied (village recommendation)'),
      on: {
        RECOMMEND: [
          { guard: allowed({ when: { result: 'recommended' } }), target: 'public_notice', actions: 'recordRecommendation', meta: RECOMMEND },
          {
            guard: allowed({ when: { result: 'not_recommended' } }),
            target: 'rejected',
            actions: ['recordRecommendation', 'recordOutcomeReason'],
            meta: NOT_RECOMMENDED,
          },
        ],
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
      },
    },
    public_notice: {
      ...state('村内公示', 'Public notice'),
      entry: 'clearNotice',
      exit: assign({ timers: noTimers }),
      on: {
        PUBLISH_NOTICE: { guard: allowed({ rules: ['notice_not_yet_published', 'notice_min_period'] }), actions: 'publishNotice', meta: PUBLISH },
        RAISE_OBJECTION: { guard: allowed({ rules: ['notice_open'] }), target: 'applied', actions: 'clearNotice', meta: OBJECT },
        CLOSE_NOTICE: { guard: allowed({ rules: ['notice_period_over'] }), target: 'township_review', meta: CLOSE },
      },
    },
    township_review: {
      ...state('乡镇审核', 'Township review'),
      on: {
        APPROVE: { guard: allowed({}), target: 'county_approval', actions: 'recordTownshipOpinion', meta: TOWNSHIP_APPROVE },
        RETURN: returnBranches(TOWNSHIP_RETURN_TARGETS, TOWNSHIP_RETURN),
        REJECT: { guard: allowed({}), target: 'rejected', actions: 'recordOutcomeReason', meta: reject(['township']) },
      },
    },
    county_approval: {
      ...state('县级审定', 'County approval'),
      on: {
        APPROVE: {
          guard: allowed({ rules: ['approver_in_charge', ...ELIGIBILITY_RULES] }),
          target: 'contracted',
          actions: 'recordApproval',
          meta: COUNTY_APPROVE,
        },
        RETURN: returnBranches(COUNTY_RETURN_TARGETS, COUNTY_RETURN, ['approver_in_charge']),
        REJECT: { guard: allowed({ rules: ['approver_in_charge'] }), target: 'rejected', actions: 'recordOutcomeReason', meta: reject(APPROVERS) },
      },
    },
    contracted: {
      ...state('待签订协议', 'Contracted (agreement to sign)'),
      on: {
        SIGN_AGREEMENT: {
          guard: allowed({ rules: ['term_within_max', 'agreement_not_backdated', 'holder_in_household'] }),
          target: 'on_duty',
          actions: 'signAgreement',
          meta: SIGN,
        },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: DECLINE },
      },
    },
    on_duty: {
      ...state('在岗', 'On duty'),
      on: {
        RECORD_ATTENDANCE: {
          guard: allowed({ rules: ['attendance_month_in_tenure', 'days_within_month', 'attendance_not_yet_recorded', 'holder_in_household'] }),
          actions: 'recordAttendance',
          meta: RECORD_ATTENDANCE,
        },
        CORRECT_ATTENDANCE: {
          guard: allowed({ rules: ['attendance_month_in_tenure', 'days_within_month', 'attendance_recorded', 'holder_in_household'] }),
          actions: 'correctAttendance',
          meta: CORRECT_ATTENDANCE,
        },
        TERMINATE: { guard: allowed({}), target: 'exited', actions: 'recordTermination', meta: TERMINATE },
        RESIGN: { guard: allowed({}), target: 'exited', actions: 'recordResignation', meta: RESIGN },
        EXPIRE: { guard: allowed({ rules: ['term_over'] }), target: 'exited', actions: 'recordExpiry', meta: EXPIRE },
      },
    },
    exited: { ...state('已退岗', 'Exited'), type: 'final' },
    rejected: { ...state('不予聘任', 'Rejected'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

/** The rules for opening a hiring case (besides the eligibility rules, judged as at county approval). */
export const hiringCreationRules = {
  open_application_exists: {
    message: '该人员已有正在办理的公益性岗位聘任申请（SF-14）',
    messageEn: 'The person already has a hiring application in progress (SF-14)',
    check: ({ facts }) => !facts.openApplicationId,
    explain: ({ facts }) => ({ details: { caseId: facts.openApplicationId } }),
  },
} satisfies Record<string, CreationRuleDef<HiringInput>>;

export const welfarePostHiring: ProcedureDefinition<HiringContext, HiringInput> = {
  id: WELFARE_POST_HIRING,
  version: 1,
  title: '公益性岗位聘任',
  titleEn: 'Public-welfare post hiring',
  subjectType: 'person',
  machine: postHiringMachine,
  rules: hiringRules,
  creationRules: hiringCreationRules,
};
