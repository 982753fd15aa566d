/**
 * 问题整改 — rectification of a finding (SF-24, SF-26, issue 14): 交办制、台账制、销号制.
 *
 *   (交办: opening the case) ─► rectifying ─► acceptance ─► closed
 *                                (整改中)  ▲   (验收)  │     (已销号)
 *                                          └── RETURN ┘
 *
 * A case is one rectification item: one finding (问题) handed over (交办) by a township or
 * county user to one responsible area, unit and person, with the measures required and a
 * deadline (完成时限). The responsible area records what it did, with evidence, any number of
 * times (RECORD_PROGRESS), then applies for closure (申请销号) naming the other areas or
 * subjects it checked for the same problem (举一反三). The assigning level accepts (验收, 销号) or
 * returns it with a reason; the acceptor is never a user who rectified it (segregation of
 * duties, judged by the engine: `review` with `separateFrom`). A finding a detector produced is
 * re-checked at acceptance: while its detector still lists the subject it cannot be closed
 * (no 数字整改, SF-24). After a return, closure is applied for again only once new progress has
 * been recorded (no 表面整改, SF-26/SF-24). The assigning level may cancel (撤销) an item it opened,
 * with a reason, while it is open.
 */
import { assign, setup } from 'xstate';
import type { Labelled } from '../common/domain/enums';
import { isWithin, levelOf } from '../common/domain/area';
import { calendarDate } from '../common/domain/calendar';
import { textProblemOf } from '../common/domain/reason';
import {
  allowedGuard,
  type BaseContext,
  type CreationRuleDef,
  opinion,
  type ProcedureDefinition,
  type RuleSet,
  type TransitionMeta,
} from './procedure';
import { allowed, optionalOpinionFields, state } from './steps';

export const RECTIFICATION = 'rectification';

/** Where a finding came from (the seed documents' 国家考核评估、省考核、市督查、县自查、审计、信访, and the detectors). */
export const FINDING_SOURCES: Labelled[] = [
  { id: 'national_assessment', title: '国家考核评估', titleEn: 'National assessment' },
  { id: 'provincial_assessment', title: '省考核', titleEn: 'Provincial assessment' },
  { id: 'city_inspection', title: '市督查', titleEn: 'City inspection' },
  { id: 'county_self_check', title: '县自查', titleEn: 'County self-check' },
  { id: 'audit', title: '审计', titleEn: 'Audit' },
  { id: 'petition', title: '信访', titleEn: 'Petition' },
  { id: 'system_detection', title: '系统检测', titleEn: 'System detection' },
];

/** The headings the seed documents sort their findings under. */
export const FINDING_CATEGORIES: Labelled[] = [
  { id: 'responsibility', title: '责任落实', titleEn: 'Responsibility' },
  { id: 'policy', title: '政策落实', titleEn: 'Policy implementation' },
  { id: 'work', title: '工作落实', titleEn: 'Work implementation' },
  { id: 'monitoring', title: '监测帮扶', titleEn: 'Monitoring and assistance' },
  { id: 'project_funds', title: '项目资金', titleEn: 'Projects and funds' },
  { id: 'welfare_posts', title: '公益岗位', titleEn: 'Public welfare posts' },
  { id: 'three_guarantees', title: '三保障和饮水安全', titleEn: 'Three guarantees and drinking water' },
  { id: 'industry_employment', title: '产业就业', titleEn: 'Industry and employment' },
  { id: 'data_quality', title: '信息数据', titleEn: 'Data quality' },
  { id: 'other', title: '其他', titleEn: 'Other' },
];

export const SEVERITIES: Labelled[] = [
  { id: 'general', title: '一般', titleEn: 'General' },
  { id: 'serious', title: '较重', titleEn: 'Serious' },
  { id: 'critical', title: '严重', titleEn: 'Critical' },
];

/** A label given by id (`audit`) or by its Chinese title (`审计`); null if unknown. */
export function labelId(list: Labelled[], raw: string | null | undefined): string | null {
  const v = (raw ?? '').trim();
  return list.find((l) => l.id === v.toLowerCase() || l.title === v)?.id ?? null;
}

/** The detector a finding came from, with the parameters and scope it ran with (to run it again). */
export interface DetectorOrigin {
  id: string;
  params: Record<string, unknown>;
  /** the area and role of the user who ran it: the re-check runs with the same scope */
  scopeArea: string | null;
  scopeRole: string;
  /** what identifies the subject in the detector's result (a monitoring object, a household, an area …) */
  subjectKey: string;
}

export interface FindingSnapshot {
  id: string;
  source: string;
  category: string;
  description: string;
  severity: string;
  areas: string[];
  detector: DetectorOrigin | null;
}

export interface RectificationInput {
  finding: FindingSnapshot;
  /** the responsible area (责任区域): the case's area */
  areaCode: string;
  responsibleUnit: string;
  responsiblePerson: string;
  measures: string;
  /** 完成时限, a date */
  deadline: string;
  assignedBy: { id: string; role: string; areaCode: string | null };
}

export interface ProgressEntry {
  at: string;
  by: string;
  role: string;
  progress: string;
  evidenceIds: string[];
}

export interface SimilarCheck {
  /** an area code, a household, a post … the responsible unit checked for the same problem */
  target: string;
  result: string;
}

export interface RectificationContext extends BaseContext, RectificationInput {
  progress: ProgressEntry[];
  closureRequest: { at: string; by: string; summary: string; similarChecks: SimilarCheck[] } | null;
  acceptance: { at: string; by: string; opinion: string; detectorChecked: boolean } | null;
  /** `progressCount`: how many progress entries there were when it was returned */
  returnReasons: Array<{ at: string; by: string; reason: string; progressCount?: number }>;
  returns: number;
  /** 撤销 by the assigning level, with its reason */
  cancellation?: { at: string; by: string; role: string; reason: string } | null;
}

/** What the adapter loads before an event (acceptance only): the detector run again. */
export interface RectificationFacts {
  detector?: { id: string; subjectKey: string; stillListed: boolean; checkedAt: string } | null;
}

/** The roles that act for an area of this level: a village user for a village, … */
export function rolesAtLevel(areaCode: string): string[] {
  switch (levelOf(areaCode)) {
    case 'village':
      return ['village'];
    case 'township':
      return ['township'];
    case 'county':
      return ['county', 'department'];
    default:
      return [];
  }
}

type Ctx = RectificationContext;

const detectorFacts = (facts: Record<string, unknown>) => (facts as RectificationFacts).detector ?? null;

/** every free text the event carries: the progress, the summary, each 举一反三 result */
const textsOf = (data: Record<string, any>): string[] => [
  ...(['progress', 'summary'] as const).filter((k) => data[k] !== undefined).map((k) => data[k]),
  ...((data.similarChecks as SimilarCheck[] | undefined) ?? []).map((c) => c.result),
];

export const rectificationRules: RuleSet<Ctx> = {
  texts_substantive: {
    message: '整改进展、完成情况和排查结果须写明具体内容，不能只写套话',
    messageEn: 'Progress, summary and check results must say what was done',
    usesEventData: true,
    check: ({ event }) => textsOf(event.data).every((t) => textProblemOf(t, event.env.policy, 'opinion') === null),
  },
  at_responsible_level: {
    message: '整改由责任区域（同级）的经办人员办理',
    messageEn: 'The responsible area rectifies, at its own level',
    check: ({ context, event }) => rolesAtLevel(context.areaCode).includes(event.actor.role),
  },
  at_assigning_level: {
    message: '验收由交办层级办理（谁交办、谁验收）',
    messageEn: 'The level that assigned the item accepts it',
    check: ({ context, event }) => event.actor.role === context.assignedBy.role,
  },
  progress_recorded: {
    message: '尚未录入整改进展，不能申请销号',
    messageEn: 'No progress has been recorded yet',
    check: ({ context }) => context.progress.length > 0,
  },
  progress_after_return: {
    message: '退回整改后尚未录入新的整改进展，不能再次申请销号（严禁表面整改）',
    messageEn: 'No progress has been recorded since the item was returned',
    check: ({ context }) => {
      const last = context.returnReasons.at(-1);
      if (!last) return true;
      // entries from before the count was kept: the progress recorded after the return's moment
      const before = last.progressCount ?? context.progress.filter((p) => p.at <= last.at).length;
      return context.progress.length > before;
    },
    explain: ({ context }) => {
      const last = context.returnReasons.at(-1);
      return { message: '退回整改后尚未录入新的整改进展，不能再次申请销号（严禁表面整改）', details: { returnedAt: last?.at ?? null, returnReason: last?.reason ?? null } };
    },
  },
  detector_cleared: {
    message: '检测仍列出该问题对象，不能销号（严禁数字整改、纸面整改）',
    messageEn: 'The detector still lists the subject: the item cannot be closed (SF-24)',
    check: ({ context, event }) => !context.finding.detector || detectorFacts(event.env.facts)?.stillListed === false,
    explain: ({ context, event }) => ({
      message: '检测仍列出该问题对象，不能销号（严禁数字整改、纸面整改）',
      details: { detector: context.finding.detector?.id, subjectKey: context.finding.detector?.subjectKey, checkedAt: detectorFacts(event.env.facts)?.checkedAt ?? null },
    }),
  },
};

// ---------------------------------------------------------------- event data schemas

const text = (max: number, min: number, title: string, description?: string) => ({ type: 'string', minLength: min, maxLength: max, title, description }) as const;

const progressFields = {
  type: 'object',
  additionalProperties: false,
  required: ['progress'],
  properties: { progress: text(2000, 2, '整改进展', '整改进展（做了什么）') },
} as const;

const closureFields = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'similarChecks'],
  properties: {
    summary: text(2000, 2, '整改完成情况', '整改完成情况'),
    similarChecks: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      title: '举一反三排查',
      description: '举一反三：同类问题还排查了哪些区域或对象，结果如何',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['target', 'result'],
        properties: { target: text(200, 2, '排查对象', '排查的区域或对象'), result: text(500, 2, '排查结果', '排查结果') },
      },
    },
  },
} as const;

const acceptFields = { type: 'object', additionalProperties: false, required: ['opinion'], properties: { opinion } } as const;

// ---------------------------------------------------------------- transition meta

const CANCEL: TransitionMeta = {
  title: '撤销整改事项',
  titleEn: 'Cancel the item',
  roles: ['county', 'township'],
  reasonRequired: true,
  fields: optionalOpinionFields,
};
const RECTIFIERS: TransitionMeta['roles'] = ['village', 'township', 'county', 'department'];
const ASSIGNERS: TransitionMeta['roles'] = ['county', 'township'];

const RECORD_PROGRESS: TransitionMeta = {
  title: '录入整改进展',
  titleEn: 'Record progress',
  roles: RECTIFIERS,
  evidence: { allOf: ['rectification_evidence'] },
  fields: progressFields,
};
const APPLY_CLOSURE: TransitionMeta = {
  title: '申请销号（含举一反三）',
  titleEn: 'Apply for closure',
  roles: RECTIFIERS,
  fields: closureFields,
};
/** whoever took a step while the item was being rectified may not accept or return it */
const ACCEPT: TransitionMeta = {
  title: '验收销号',
  titleEn: 'Accept and close',
  roles: ASSIGNERS,
  fields: acceptFields,
  review: true,
  separateFrom: ['rectifying'],
};
const RETURN: TransitionMeta = {
  title: '验收不通过，退回整改',
  titleEn: 'Return for further rectification',
  roles: ASSIGNERS,
  reasonRequired: true,
  fields: optionalOpinionFields,
  review: true,
  separateFrom: ['rectifying'],
};

export const rectificationMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as import('./procedure').ProcedureEvent,
    input: {} as RectificationInput,
  },
  guards: { allowed: allowedGuard(rectificationRules) },
  actions: {
    recordProgress: assign(({ context, event }) => ({
      progress: [
        ...context.progress,
        { at: event.env.now, by: event.actor.id, role: event.actor.role, progress: String(event.data.progress), evidenceIds: event.evidence.map((e) => e.id) },
      ],
    })),
    requestClosure: assign(({ event }) => ({
      closureRequest: {
        at: event.env.now,
        by: event.actor.id,
        summary: String(event.data.summary),
        similarChecks: (event.data.similarChecks as SimilarCheck[]).map((c) => ({ target: c.target, result: c.result })),
      },
    })),
    recordAcceptance: assign(({ context, event }) => ({
      acceptance: { at: event.env.now, by: event.actor.id, opinion: String(event.data.opinion), detectorChecked: !!context.finding.detector },
    })),
    recordReturn: assign(({ context, event }) => ({
      returns: context.returns + 1,
      closureRequest: null,
      returnReasons: [...context.returnReasons, { at: event.env.now, by: event.actor.id, reason: event.reason ?? '', progressCount: context.progress.length }],
    })),
    recordCancellation: assign(({ event }) => ({
      cancellation: { at: event.env.now, by: event.actor.id, role: event.actor.role, reason: event.reason ?? '' },
    })),
  },
}).createMachine({
  id: RECTIFICATION,
  initial: 'rectifying',
  context: ({ input }) => ({ ...input, timers: [], progress: [], closureRequest: null, acceptance: null, returnReasons: [], returns: 0, cancellation: null }),
  states: {
    rectifying: {
      ...state('整改中', 'Rectifying'),
      on: {
        RECORD_PROGRESS: { guard: allowed({ rules: ['at_responsible_level', 'texts_substantive'] }), actions: 'recordProgress', meta: RECORD_PROGRESS },
        APPLY_CLOSURE: {
          guard: allowed({ rules: ['at_responsible_level', 'progress_recorded', 'progress_after_return', 'texts_substantive'] }),
          target: 'acceptance',
          actions: 'requestClosure',
          meta: APPLY_CLOSURE,
        },
        CANCEL: { guard: allowed({ rules: ['at_assigning_level'] }), target: 'cancelled', actions: 'recordCancellation', meta: CANCEL },
      },
    },
    acceptance: {
      ...state('待验收', 'Awaiting acceptance'),
      on: {
        ACCEPT: { guard: allowed({ rules: ['at_assigning_level', 'detector_cleared'] }), target: 'closed', actions: 'recordAcceptance', meta: ACCEPT },
        RETURN: { guard: allowed({ rules: ['at_assigning_level'] }), target: 'rectifying', actions: 'recordReturn', meta: RETURN },
        CANCEL: { guard: allowed({ rules: ['at_assigning_level'] }), target: 'cancelled', actions: 'recordCancellation', meta: CANCEL },
      },
    },
    closed: { ...state('已销号', 'Closed'), type: 'final' },
    cancelled: { ...state('已撤销', 'Cancelled'), type: 'final' },
  },
});

/** What the creation rules read: another item of the same finding still open for the same area. */
export interface RectificationCreationFacts {
  openItemId: string | null;
}

export const rectificationCreationRules = {
  area_of_finding: {
    message: '责任区域须是该问题涉及的区域（或其下辖区域）',
    messageEn: 'The responsible area must be an area the finding concerns, or inside one',
    check: ({ input }) => input.finding.areas.some((a) => isWithin(input.areaCode, a)),
    explain: ({ input }) => ({ details: { areaCode: input.areaCode, findingAreas: input.finding.areas } }),
  },
  open_item_exists: {
    message: '该问题已交办给该责任区域且尚未销号',
    messageEn: 'The finding is already assigned to this area and not closed',
    check: ({ facts }) => !(facts as RectificationCreationFacts).openItemId,
    explain: ({ facts }) => ({ details: { caseId: (facts as RectificationCreationFacts).openItemId } }),
  },
  deadline_not_past: {
    message: '完成时限不能早于今天',
    messageEn: 'The deadline cannot be in the past',
    check: ({ input, now }) => input.deadline >= calendarDate(now),
  },
} satisfies Record<string, CreationRuleDef<RectificationInput>>;

export const rectification: ProcedureDefinition<Ctx, RectificationInput> = {
  id: RECTIFICATION,
  version: 1,
  title: '问题整改',
  titleEn: 'Rectification',
  subjectType: 'finding',
  machine: rectificationMachine,
  rules: rectificationRules,
  creationRules: rectificationCreationRules,
};
