/**
 * 监测对象识别纳入 — monitoring inclusion (domain/procedures.md §1).
 *
 * lead ─► (verification) ─► village_appraisal ─► public_notice ─► township_review ─► county_approval ─► included
 * An "exclude" conclusion or a failed appraisal goes straight to township_review as an
 * exclusion proposal that the township must confirm (SF-02) or send back.
 */
import { assign, setup } from 'xstate';
import { MONITORING_TYPES, RISK_TYPES } from '../common/domain/enums';
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
import { computeIncome, type IncomeFacts, type IncomeFigures, type IncomeInput, incomeRules, INCOME_RULE_NAMES, incomeSchema } from './income';
import { type Notice, noticeMetas, noticeRules, publishNotice } from './notice';
import { allowed, APPRAISAL, noTimers, opinionFields, optionalOpinionFields, rejectMeta, returnBranches, returnMeta, state, TOWNSHIP_APPROVE } from './steps';

export const MONITORING_INCLUSION = 'monitoring-inclusion';

/** `follow_up`: a follow-up visit after elimination found a returned risk (SF-10); opened only by that visit */
export type InclusionChannel = 'self_report' | 'department_alert' | 'cadre_visit' | 'follow_up' | 'registry_change';

export interface InclusionInput {
  householdId: string;
  channel: InclusionChannel;
  riskDescription: string;
  urgent: boolean;
  /** a previous monitoring record this case re-identifies (SF-10) */
  previousMonitoringObjectId?: string | null;
  /** the elimination case whose follow-up visit found the returned risk (channel `follow_up`, SF-10) */
  eliminationCaseId?: string | null;
  /** the registry change that opened the lead (channel `registry_change`, issue 13) */
  registryChange?: { householdId: string; event: string } | null;
}

export interface VerificationRecord extends Omit<IncomeFigures, 'signals'> {
  conclusion: 'include' | 'exclude';
  income: IncomeInput['income'];
  rigidExpenditure: IncomeInput['rigidExpenditure'];
  guarantees: IncomeInput['guarantees'];
  riskTypes: string[];
  monitoringType?: string;
  note?: string;
  /** the registry household version the member count and the SF-05 rules were judged on */
  registryVersion: number | null;
  signals: {
    incomeBelowLine: boolean;
    rigidExpenditureHigh: boolean;
    guaranteeInsecure: boolean;
    suddenHardship: boolean;
  };
  recordedBy: string;
  recordedAt: string;
}

export interface InclusionContext extends BaseContext, InclusionInput {
  verification: VerificationRecord | null;
  exclusionProposed: boolean;
  appraisal: { result: 'passed' | 'failed'; opinion?: string; recordedAt: string } | null;
  notice: Notice | null;
  townshipOpinion: string | null;
  approval: {
    monitoringType: string;
    riskTypes: string[];
    startDate: string;
    assistanceContact: { name: string; unit: string; phone: string };
    opinion?: string;
  } | null;
  outcomeReason: string | null;
  returns: number;
}

// ---------------------------------------------------------------- business rules

export const inclusionRules: RuleSet<InclusionContext> = {
  ...incomeRules<InclusionContext>(),
  ...noticeRules<InclusionContext>('inclusion.noticePeriod'),
  lead_verified_before_closing: {
    message: '部门预警和干部排查的线索须经入户核实后方可关闭（SF-01）',
    messageEn: 'A department alert or cadre-visit lead cannot be closed without a household verification (SF-01)',
    check: ({ context }) => context.channel === 'self_report' || context.verification !== null,
  },
  no_verification_recorded: {
    message: '已记录入户核实的案件不能由村级撤回，须由乡镇审核确认（SF-02）',
    messageEn: 'A case with a recorded household verification ends only through the township (SF-02)',
    check: ({ context }) => context.verification === null,
  },
  income_period_valid: {
    message: '收入核算期间的结束日期不能早于开始日期',
    messageEn: 'The income period must end after it starts',
    usesEventData: true,
    check: ({ event }) => {
      const i = event.data.income as VerificationRecord['income'] | undefined;
      return !i || i.periodStart <= i.periodEnd;
    },
  },
  not_exclusion_proposal: {
    message: '该案件为不纳入建议，请确认不纳入或退回重新核实',
    messageEn: 'This case is an exclusion proposal: confirm the exclusion or return it',
    check: ({ context }) => !context.exclusionProposed,
  },
  exclusion_proposed: {
    message: '该案件不是不纳入建议，不能确认不纳入',
    messageEn: 'This case is not an exclusion proposal',
    check: ({ context }) => context.exclusionProposed,
  },
  assistance_contact_assigned: {
    message: '县级确认纳入前必须明确帮扶责任人（姓名、单位、电话）（SF-03）',
    messageEn: 'An assistance contact (name, unit, phone) must be assigned before approval (SF-03)',
    usesEventData: true,
    check: ({ event }) => {
      const c = event.data.assistanceContact as { name?: string; unit?: string; phone?: string } | undefined;
      return !!c && !!c.name?.trim() && !!c.unit?.trim() && !!c.phone?.trim();
    },
  },
};

// ---------------------------------------------------------------- event data schemas

const riskTypes = { type: 'array', items: choice(RISK_TYPES), uniqueItems: true, maxItems: 11, title: '风险类型' } as const;
const monitoringType = { ...choice(MONITORING_TYPES), title: '监测对象类型' } as const;
const date = { type: 'string', format: 'date' } as const;

const verificationFields = {
  type: 'object',
  additionalProperties: false,
  required: ['conclusion', 'income', 'rigidExpenditure', 'guarantees'],
  // SF-05: exactly one income shape — the contract's aggregated one (with members) or lines (see incomeShapeProblems)
  incomeShape: true,
  properties: {
    conclusion: { ...choice({ include: '建议纳入', exclude: '建议不纳入' }), title: '核实结论', description: '核实结论：include 建议纳入 / exclude 建议不纳入' },
    ...incomeSchema,
    riskTypes,
    monitoringType,
    note: { type: 'string', maxLength: 2000, title: '备注' },
  },
  if: { properties: { conclusion: { const: 'include' } } },
  then: { required: ['riskTypes'], properties: { riskTypes: { minItems: 1 } } },
} as const;




const approvalFields = {
  type: 'object',
  additionalProperties: false,
  required: ['monitoringType', 'riskTypes', 'startDate'],
  properties: {
    monitoringType,
    riskTypes: { ...riskTypes, minItems: 1 },
    startDate: { ...date, title: '纳入监测日期' },
    assistanceContact: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 50, title: '姓名' },
        unit: { type: 'string', maxLength: 100, title: '工作单位' },
        phone: { type: 'string', pattern: '^(1\\d{10}|0\\d{2,3}-?\\d{7,8})$', title: '联系电话' },
      },
      title: '帮扶责任人',
      description: '帮扶责任人（SF-03）',
    },
    opinion,
  },
} as const;


// ---------------------------------------------------------------- transition meta

const VERIFY: TransitionMeta = {
  title: '录入入户核实',
  titleEn: 'Record household verification',
  roles: ['village', 'township'],
  evidence: { allOf: ['household_survey'], anyOf: [['income_calculation', 'commitment_letter']] },
  fields: verificationFields,
};
const VERIFY_EXCLUDE: TransitionMeta = { ...VERIFY, reasonRequired: true };
const WITHDRAW: TransitionMeta = {
  title: '撤回',
  titleEn: 'Withdraw',
  roles: ['village'],
  reasonRequired: true,
  fields: optionalOpinionFields,
};
const { publish: PUBLISH, object: OBJECT, close: CLOSE } = noticeMetas(['village'], ['village', 'township', 'county']);
const CONFIRM_EXCLUSION: TransitionMeta = {
  title: '确认不纳入',
  titleEn: 'Confirm exclusion',
  roles: ['township'],
  reasonRequired: true,
  fields: optionalOpinionFields,
  review: true,
};
const reject = (roles: TransitionMeta['roles']) => rejectMeta(roles, '不予纳入', 'Reject');
const COUNTY_APPROVE: TransitionMeta = {
  title: '县级确认纳入',
  titleEn: 'County approves inclusion',
  roles: ['county'],
  fields: approvalFields,
  review: true,
};


const TOWNSHIP_RETURN_TARGETS = ['household_verification', 'village_appraisal'];
const COUNTY_RETURN_TARGETS = ['township_review', 'household_verification'];
const TOWNSHIP_RETURN = returnMeta(['township'], TOWNSHIP_RETURN_TARGETS);
const COUNTY_RETURN = returnMeta(['county'], COUNTY_RETURN_TARGETS);

// ---------------------------------------------------------------- actions (pure)

function verify(context: InclusionContext, event: ProcedureEvent): VerificationRecord {
  const d = event.data;
  const registry = (event.env.facts as IncomeFacts).registry;
  const figures = computeIncome(d as IncomeInput, registry?.members ?? [], {
    incomeLine: event.env.policy['monitoring.incomeLine'],
    rigidExpenditureRatio: event.env.policy['monitoring.rigidExpenditureRatio'],
  });
  return {
    conclusion: d.conclusion,
    registryVersion: registry?.version ?? null,
    income: d.income,
    rigidExpenditure: d.rigidExpenditure,
    guarantees: d.guarantees,
    riskTypes: d.riskTypes ?? [],
    monitoringType: d.monitoringType,
    note: d.note,
    ...figures,
    signals: { ...figures.signals, suddenHardship: context.urgent || d.monitoringType === 'sudden_hardship' },
    recordedBy: event.actor.id,
    recordedAt: event.env.now,
  };
}


/** lead and household_verification take the same events: the first visit, or a re-visit after a return or objection */
const verificationStep = {
  RECORD_VERIFICATION: [
    {
      guard: allowed({ when: { conclusion: 'exclude' }, rules: ['income_period_valid', ...INCOME_RULE_NAMES] }),
      target: 'township_review',
      actions: 'recordVerification',
      meta: VERIFY_EXCLUDE,
    },
    {
      guard: allowed({ when: { conclusion: 'include' }, rules: ['income_period_valid', ...INCOME_RULE_NAMES] }),
      target: 'village_appraisal',
      actions: 'recordVerification',
      meta: VERIFY,
    },
  ],
  WITHDRAW: {
    // SF-01: a department or cadre lead is not dismissed unvisited; SF-02: once verified, only
    // the township ends it — whichever way the case came back to verification
    guard: allowed({ rules: ['lead_verified_before_closing', 'no_verification_recorded'] }),
    target: 'withdrawn',
    actions: 'recordOutcomeReason',
    meta: WITHDRAW,
  },
} as const;

export const monitoringInclusionMachine = setup({
  types: {
    context: {} as InclusionContext,
    events: {} as ProcedureEvent,
    input: {} as InclusionInput,
  },
  guards: {
    allowed: allowedGuard(inclusionRules),
  },
  actions: {
    recordVerification: assign(({ context, event }) => {
      const verification = verify(context, event);
      return { verification, exclusionProposed: verification.conclusion === 'exclude' };
    }),
    recordAppraisal: assign(({ event }) => ({
      appraisal: { result: event.data.result, opinion: event.data.opinion, recordedAt: event.env.now },
      exclusionProposed: event.data.result === 'failed',
    })),
    publishNotice: assign(({ event }) => publishNotice(event, 'inclusion.noticePeriod')),
    clearNotice: assign({ notice: null, timers: noTimers }),
    recordTownshipOpinion: assign(({ event }) => ({ townshipOpinion: event.data.opinion ?? null })),
    recordApproval: assign(({ event }) => ({
      approval: {
        monitoringType: event.data.monitoringType,
        riskTypes: event.data.riskTypes,
        startDate: event.data.startDate,
        assistanceContact: event.data.assistanceContact,
        opinion: event.data.opinion,
      },
    })),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
    countReturn: assign(({ context }) => ({ returns: context.returns + 1, exclusionProposed: false })),
  },
}).createMachine({
  id: MONITORING_INCLUSION,
  initial: 'lead',
  context: ({ input }) => ({
    ...input,
    timers: [],
    verification: null,
    exclusionProposed: false,
    appraisal: null,
    notice: null,
    townshipOpinion: null,
    approval: null,
    outcomeReason: null,
    returns: 0,
  }),
  states: {
    lead: { ...state('线索', 'Lead'), on: verificationStep },
    household_verification: { ...state('入户核实', 'Household verification'), on: verificationStep },
    village_appraisal: {
      ...state('村级民主评议', 'Village appraisal'),
      on: {
        RECORD_APPRAISAL: [
          { guard: allowed({ when: { result: 'passed' } }), target: 'public_notice', actions: 'recordAppraisal', meta: APPRAISAL.passed },
          { guard: allowed({ when: { result: 'failed' } }), target: 'township_review', actions: 'recordAppraisal', meta: APPRAISAL.failed },
        ],
      },
    },
    public_notice: {
      ...state('村内公示', 'Public notice'),
      entry: 'clearNotice',
      exit: assign({ timers: noTimers }),
      on: {
        PUBLISH_NOTICE: {
          guard: allowed({ rules: ['notice_not_yet_published', 'notice_min_period'] }),
          actions: 'publishNotice',
          meta: PUBLISH,
        },
        RAISE_OBJECTION: {
          guard: allowed({ rules: ['notice_open'] }),
          target: 'household_verification',
          // the notice is withdrawn from the board; the closed notice of a CLOSE_NOTICE stays as its record
          actions: 'clearNotice',
          meta: OBJECT,
        },
        CLOSE_NOTICE: {
          guard: allowed({ rules: ['notice_period_over'] }),
          target: 'township_review',
          meta: CLOSE,
        },
      },
    },
    township_review: {
      ...state('乡镇审核', 'Township review'),
      on: {
        APPROVE: {
          guard: allowed({ rules: ['not_exclusion_proposal'] }),
          target: 'county_approval',
          actions: 'recordTownshipOpinion',
          meta: TOWNSHIP_APPROVE,
        },
        CONFIRM_EXCLUSION: {
          guard: allowed({ rules: ['exclusion_proposed'] }),
          target: 'not_included',
          actions: ['recordTownshipOpinion', 'recordOutcomeReason'],
          meta: CONFIRM_EXCLUSION,
        },
        RETURN: returnBranches(TOWNSHIP_RETURN_TARGETS, TOWNSHIP_RETURN),
        REJECT: {
          guard: allowed({}),
          target: 'not_included',
          actions: 'recordOutcomeReason',
          meta: reject(['township']),
        },
      },
    },
    county_approval: {
      ...state('县级确认', 'County approval'),
      on: {
        APPROVE: {
          guard: allowed({ rules: ['assistance_contact_assigned'] }),
          target: 'included',
          actions: 'recordApproval',
          meta: COUNTY_APPROVE,
        },
        RETURN: returnBranches(COUNTY_RETURN_TARGETS, COUNTY_RETURN),
        REJECT: {
          guard: allowed({}),
          target: 'not_included',
          actions: 'recordOutcomeReason',
          meta: reject(['county']),
        },
      },
    },
    included: { ...state('已纳入监测', 'Included'), type: 'final' },
    not_included: { ...state('不予纳入', 'Not included'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

/** What the creation rules read about the household (loaded by the adapter while preparing). */
export interface InclusionCreationFacts {
  /** the household's latest monitoring object */
  current: { id: string; status: string } | null;
  /** an inclusion case of the household still open */
  openCaseId: string | null;
}

/** The rules for opening an inclusion case, on every door (API, alert import, follow-up visit). */
export const inclusionCreationRules = {
  already_monitored: {
    message: '该户已是监测对象，无需重复识别',
    messageEn: 'The household is already a monitoring object',
    check: ({ facts }) => (facts as InclusionCreationFacts).current?.status !== 'monitoring',
    explain: ({ facts }) => ({ details: { monitoringObjectId: (facts as InclusionCreationFacts).current?.id } }),
  },
  open_case_exists: {
    message: '该户已有正在办理的识别纳入案件',
    messageEn: 'The household already has an open inclusion case',
    check: ({ facts }) => !(facts as InclusionCreationFacts).openCaseId,
    explain: ({ facts }) => ({ details: { caseId: (facts as InclusionCreationFacts).openCaseId } }),
  },
} satisfies Record<string, CreationRuleDef<InclusionInput>>;
export type InclusionCreationRule = keyof typeof inclusionCreationRules;

export const monitoringInclusion: ProcedureDefinition<InclusionContext, InclusionInput> = {
  id: MONITORING_INCLUSION,
  version: 1,
  title: '监测对象识别纳入',
  titleEn: 'Monitoring inclusion',
  subjectType: 'household',
  machine: monitoringInclusionMachine,
  rules: inclusionRules,
  creationRules: inclusionCreationRules,
};
