/**
 * 风险消除 (五步法) and 风险回退 — risk elimination and rollback (domain/procedures.md §2).
 *
 * proposed ─► household_verification ─► village_appraisal ─► public_notice ─► township_review ─► county_approval ─► eliminated
 * (村提出名单)   (镇村入户核实)            (村民主评议)          (公示)           (乡镇审核)          (县级审定)          │ 回头看
 * review steps: return to an earlier step / reject ─► continue_monitoring     eliminated ⇄ follow_up_due ─► rolled_back (county)
 *
 * One case per household; the village proposes a whole list (a batch) whose meeting evidence
 * (minutes, photos, sign-in sheet: SF-07) is shared by every case of the batch.
 */
import { assign, setup } from 'xstate';
import { startOfCalendarDay } from '../common/domain/calendar';
import { addDuration, subtractDuration } from '../common/domain/duration';
import { RISK_TYPES } from '../common/domain/enums';
import { textProblemOf } from '../common/domain/reason';
import { computeIncome, type IncomeFacts, type IncomeFigures, type IncomeInput, incomeRules, INCOME_RULE_NAMES, incomeSchema } from './income';
import { type Notice, noticeMetas, noticeRules, publishNotice } from './notice';
import { beijingDate, maxBackdateOf, RECORD_DATE_RULE_IDS, recordDateRules } from './record-date';
import { allowed, APPRAISAL, noTimers, opinionFields, optionalOpinionFields, rejectMeta, returnBranches, returnMeta, state, TOWNSHIP_APPROVE } from './steps';
import {
  allowedGuard,
  failingRules,
  type BaseContext,
  choice,
  type CreationRuleDef,
  opinion,
  type ProcedureDefinition,
  type ProcedureEvent,
  type RuleSet,
  type TransitionMeta,
} from './procedure';

export const RISK_ELIMINATION = 'risk-elimination';

export type EliminationType = 'assisted' | 'natural';

export interface EliminationInput {
  monitoringObjectId: string;
  householdId: string;
  eliminationType: EliminationType;
  /** the risks recorded for the monitoring object when the list was proposed */
  riskTypes: string[];
}

export interface RiskResolution {
  riskType: string;
  resolved: boolean;
  /** the assistance measure that resolved it */
  measureId?: string;
  note?: string;
}

export interface EliminationVerification extends IncomeFigures {
  /** the registry household version the member count and the SF-05 rules were judged on */
  registryVersion: number | null;
  income: IncomeInput['income'];
  rigidExpenditure: IncomeInput['rigidExpenditure'];
  guarantees: IncomeInput['guarantees'];
  risks: RiskResolution[];
  recordedBy: string;
  recordedAt: string;
}

export interface EliminationContext extends BaseContext, EliminationInput {
  proposedAt: string | null;
  verification: EliminationVerification | null;
  appraisal: { result: 'passed' | 'failed'; opinion?: string; recordedAt: string } | null;
  notice: Notice | null;
  townshipOpinion: string | null;
  approval: { eliminatedAt: string; opinion?: string; concentrationJustification?: string } | null;
  outcomeReason: string | null;
  /** `visitDate`: the stated day of the visit (issue 12), `recordedAt`: when it was entered */
  followUps: Array<{ dueAt: string; recordedAt: string | null; visitDate?: string; findings?: string; riskReturned?: boolean }>;
  rollback: { reason: string; at: string } | null;
  returns: number;
}

/** What the adapter loads for the rules (I/O the machine cannot do). */
export interface EliminationFacts extends IncomeFacts {
  measureIds: string[];
  /** every recorded measure is 兜底 (social security) */
  onlySocialSecurity: boolean;
  /** no member of the household can work */
  noLabourCapacity: boolean;
  /** computed per-capita income over time, oldest first */
  incomeHistory: Array<{ recordedAt: string; perCapitaNetIncome: number; incomeLine: number }>;
  concentration: {
    threshold: number;
    window: string;
    village: { code: string; eliminated: number; total: number };
    township: { code: string; eliminated: number; total: number };
    /** the cases of this case's list awaiting county approval, this one included (issue 12: the list is approved as one) */
    batchPending?: number;
  } | null;
}

const factsOf = (event: ProcedureEvent) => event.env.facts as unknown as Partial<EliminationFacts>;

/**
 * SF-08, the one definition the guard and the detector (`GET /inspection/concentration`) share:
 * an area's share is its monitoring objects eliminated in the window over those still in
 * monitoring or eliminated in the window; above the threshold it is concentrated.
 */
export function concentrationShare(area: { eliminated: number; total: number }, adding = 0): number {
  return area.total ? (area.eliminated + adding) / area.total : 0;
}
export const concentrated = (share: number, threshold: number): boolean => share > threshold;

/**
 * The areas a county approval would take above the threshold (SF-08). A list is approved as one
 * (issue 12): every case of it still awaiting county approval counts, so the first cases of a
 * list that crosses the line need the justification as much as the last.
 */
export function concentrationAfterApproval(facts: Partial<EliminationFacts>): Array<{ code: string; share: number }> {
  const c = facts.concentration;
  if (!c) return [];
  const adding = Math.max(1, c.batchPending ?? 1);
  return [c.village, c.township]
    .map((a) => ({ code: a.code, share: concentrationShare(a, adding) }))
    .filter((a) => concentrated(a.share, c.threshold));
}

/** Income above the line since at least `stablePeriod` ago, and the latest record above it (SF-09). */
export function incomeStableSince(history: EliminationFacts['incomeHistory'], line: number, now: Date, stablePeriod: string): boolean {
  if (!history.length || history[history.length - 1].perCapitaNetIncome <= line) return false;
  let since = history.length - 1;
  while (since > 0 && history[since - 1].perCapitaNetIncome > line) since--;
  return new Date(history[since].recordedAt) <= subtractDuration(now, stablePeriod);
}

// ---------------------------------------------------------------- business rules

export const eliminationRules: RuleSet<EliminationContext> = {
  ...incomeRules<EliminationContext>(),
  ...noticeRules<EliminationContext>('elimination.noticePeriod'),
  every_risk_listed: {
    message: '入户核实须逐项列明该户已登记的每一项风险及其消除情况',
    messageEn: 'The verification must list every recorded risk of the household',
    usesEventData: true,
    check: ({ context, event }) => {
      const listed = new Set(((event.data.risks ?? []) as RiskResolution[]).map((r) => r.riskType));
      return context.riskTypes.every((r) => listed.has(r));
    },
  },
  measures_exist: {
    message: '标记为已消除的风险须注明消除该风险的帮扶措施（须为该户已登记的措施）',
    messageEn: 'Each resolved risk must name an assistance measure recorded for the household',
    usesEventData: true,
    check: ({ event }) => {
      const known = new Set(factsOf(event).measureIds ?? []);
      return ((event.data.risks ?? []) as RiskResolution[]).every((r) => !r.resolved || (!!r.measureId && known.has(r.measureId)));
    },
  },
  risks_resolved: {
    message: '该户仍有未消除的风险，不能认定风险消除（SF-09）',
    messageEn: 'A recorded risk is not resolved (SF-09)',
    check: ({ context }) =>
      !!context.verification &&
      context.riskTypes.every((t) => context.verification!.risks.some((r) => r.riskType === t && r.resolved && !!r.measureId)),
  },
  income_above_line: {
    message: '最近一次核算的家庭人均纯收入未高于监测标准（SF-09）',
    messageEn: 'The latest computed per-capita income is not above the monitoring line (SF-09)',
    check: ({ event }) => {
      const h = factsOf(event).incomeHistory ?? [];
      return h.length > 0 && h[h.length - 1].perCapitaNetIncome > event.env.policy['monitoring.incomeLine'];
    },
  },
  income_stable: {
    message: '家庭人均纯收入持续稳定高于监测标准的时间不足规定期限（SF-09）',
    messageEn: 'Income has not been above the line for the required period (SF-09)',
    check: ({ event }) =>
      incomeStableSince(
        factsOf(event).incomeHistory ?? [],
        event.env.policy['monitoring.incomeLine'],
        new Date(event.env.now),
        event.env.policy['elimination.incomeStablePeriod'],
      ),
  },
  guarantees_secure: {
    message: '“三保障”和饮水安全尚未全部保障，不能认定风险消除（SF-09）',
    messageEn: 'Education, medical, housing and water are not all secure (SF-09)',
    check: ({ context }) => {
      const g = context.verification?.guarantees;
      return !!g && g.education && g.medical && g.housing && g.water;
    },
  },
  not_only_social_security: {
    message: '该户无劳动能力且仅靠兜底保障，按政策继续监测，不认定风险消除',
    messageEn: 'A household with no labour capacity supported only by social security stays in monitoring',
    check: ({ event }) => {
      const f = factsOf(event);
      return !(event.env.policy['elimination.keepNoLabourInMonitoring'] && f.noLabourCapacity && f.onlySocialSecurity);
    },
  },
  concentration_justified: {
    message: '审定后该村或乡镇近期风险消除比例将超过预警线，须填写书面说明（SF-08）',
    messageEn: 'Approval takes the village or township above the concentration threshold: a written justification is required (SF-08)',
    usesEventData: true,
    check: ({ event }) =>
      concentrationAfterApproval(factsOf(event)).length === 0 ||
      textProblemOf(event.data.concentrationJustification, event.env.policy, 'justification') === null,
  },
  follow_up_is_due: {
    message: '当前没有到期的回头看任务',
    messageEn: 'No follow-up visit is due',
    check: ({ context, event }) => context.followUps.some((f) => f.recordedAt === null && f.dueAt <= event.env.now),
  },
  // issue 12: the visit's stated day, between the elimination and today, within records.maxBackdate
  ...recordDateRules<EliminationContext>(({ context, event }) =>
    typeof event.data.visitDate !== 'string'
      ? null
      : {
          field: 'visitDate',
          label: '回头看走访日期',
          date: event.data.visitDate,
          now: event.env.now,
          maxBackdate: maxBackdateOf(event.env.policy),
          start: context.approval ? { date: beijingDate(context.approval.eliminatedAt), label: '风险消除日期' } : null,
        },
  ),
};

// ---------------------------------------------------------------- event data schemas


const verificationFields = {
  type: 'object',
  additionalProperties: false,
  required: ['income', 'rigidExpenditure', 'guarantees', 'risks'],
  // SF-05: exactly one income shape — the contract's aggregated one (with members) or lines (see incomeShapeProblems)
  incomeShape: true,
  properties: {
    ...incomeSchema,
    risks: {
      type: 'array',
      minItems: 1,
      maxItems: 11,
      title: '风险消除情况',
      description: '逐项风险消除情况',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['riskType', 'resolved'],
        properties: {
          riskType: { ...choice(RISK_TYPES), title: '风险类型' },
          resolved: { type: 'boolean', title: '风险已消除' },
          measureId: { type: 'string', format: 'uuid', title: '帮扶措施', description: '消除该风险的帮扶措施' },
          note: { type: 'string', maxLength: 1000, title: '备注' },
        },
      },
    },
    note: { type: 'string', maxLength: 2000, title: '备注' },
  },
} as const;


const approvalFields = {
  type: 'object',
  additionalProperties: false,
  properties: {
    opinion,
    concentrationJustification: { type: 'string', maxLength: 4000, title: '集中消除说明', description: '集中消除情况说明（SF-08）' },
  },
} as const;

const followUpFields = {
  type: 'object',
  additionalProperties: false,
  required: ['findings', 'riskReturned'],
  properties: {
    findings: { type: 'string', minLength: 4, maxLength: 1900, title: '回头看情况', description: '回头看情况（至多 1900 字：发现风险时全文成为识别纳入线索的风险描述，其上限 2000 字，issue 19 不截断）' },
    riskReturned: { type: 'boolean', title: '发现返贫风险', description: '是否发现返贫致贫风险（是：自动生成识别纳入线索，SF-10）' },
    visitDate: { type: 'string', format: 'date', title: '走访日期', description: '走访日期（不填为当天）' },
  },
} as const;


// ---------------------------------------------------------------- transition meta

const SUBMIT: TransitionMeta = {
  title: '提交风险消除名单',
  titleEn: 'Submit the elimination list',
  roles: ['village'],
  // SF-07: the village meeting that proposed the list, all three
  evidence: { allOf: ['meeting_minutes', 'meeting_photos', 'sign_in_sheet'] },
  fields: optionalOpinionFields,
};
const WITHDRAW: TransitionMeta = { title: '撤回', titleEn: 'Withdraw', roles: ['village'], reasonRequired: true, fields: optionalOpinionFields };
const VERIFY: TransitionMeta = {
  title: '录入入户核实',
  titleEn: 'Record household verification',
  roles: ['township', 'village'],
  evidence: { allOf: ['household_survey'], anyOf: [['income_calculation', 'commitment_letter']] },
  fields: verificationFields,
};
const { publish: PUBLISH, object: OBJECT, close: CLOSE } = noticeMetas(['village'], ['village', 'township', 'county']);
const COUNTY_APPROVE: TransitionMeta = { title: '县级审定消除', titleEn: 'County approves elimination', roles: ['county'], fields: approvalFields, review: true };
const reject = (roles: TransitionMeta['roles']) => rejectMeta(roles, '不予消除，继续监测', 'Reject: continue monitoring');
const TOWNSHIP_TARGETS = ['household_verification', 'village_appraisal'];
const COUNTY_TARGETS = ['township_review', 'household_verification'];
const TOWNSHIP_RETURN = returnMeta(['township'], TOWNSHIP_TARGETS);
const COUNTY_RETURN = returnMeta(['county'], COUNTY_TARGETS);
const TOWNSHIP_REJECT = reject(['township']);
const COUNTY_REJECT = reject(['county']);
const FOLLOW_UP_DUE: TransitionMeta = { title: '回头看到期', titleEn: 'Follow-up visit due', roles: ['system'], fields: optionalOpinionFields };
const RECORD_FOLLOW_UP: TransitionMeta = {
  title: '录入回头看',
  titleEn: 'Record follow-up visit',
  roles: ['village'],
  evidence: { allOf: ['household_survey'] },
  fields: followUpFields,
};
const ROLLBACK: TransitionMeta = {
  title: '风险回退',
  titleEn: 'Roll back the elimination',
  roles: ['county'],
  evidence: { allOf: ['rollback_evidence'] },
  reasonRequired: true,
  fields: optionalOpinionFields,
};


/** The criteria of a county approval that the records alone can show (not SF-08's, which is about the area). */
export const ON_RECORD_RULES = ['risks_resolved', 'income_above_line', 'income_stable', 'guarantees_secure', 'not_only_social_security'] as const;

/**
 * SF-11 (`GET /inspection/overdue-elimination`): the county approval's own rules, judged on what
 * is on record for a household in monitoring — each risk covered by a recorded measure, the
 * latest income record's 三保障 — instead of a verification. Returns the rules that fail; none
 * means the household meets every criterion and nobody has proposed it.
 */
export function failingOnRecord(args: {
  riskTypes: string[];
  measures: Array<{ id: string; riskTypes: string[] }>;
  guaranteesSecure: boolean;
  facts: Omit<EliminationFacts, 'concentration'>;
  policy: ProcedureEvent['env']['policy'];
  now: Date;
}): string[] {
  const risks = args.riskTypes.map((riskType) => {
    const m = args.measures.find((x) => x.riskTypes.includes(riskType));
    return { riskType, resolved: !!m, measureId: m?.id };
  });
  const g = args.guaranteesSecure;
  const context = {
    riskTypes: args.riskTypes,
    verification: { risks, guarantees: { education: g, medical: g, housing: g, water: g } },
  } as unknown as EliminationContext;
  const event: ProcedureEvent = {
    type: 'APPROVE',
    data: {},
    evidence: [],
    actor: { id: 'inspection', role: 'supervisor' },
    env: { now: args.now.toISOString(), policy: args.policy, facts: { ...args.facts, concentration: null } },
  };
  return failingRules(eliminationRules, ON_RECORD_RULES, { context, event });
}

const COUNTY_RULES = [
  'risks_resolved',
  'income_above_line',
  'income_stable',
  'guarantees_secure',
  'not_only_social_security',
  'concentration_justified',
];

const afterElimination = {
  FOLLOW_UP_DUE: { guard: allowed({}), target: 'follow_up_due', actions: 'followUpDue', meta: FOLLOW_UP_DUE },
  ROLLBACK: { guard: allowed({}), target: 'rolled_back', actions: 'recordRollback', meta: ROLLBACK },
} as const;

export const riskEliminationMachine = setup({
  types: {
    context: {} as EliminationContext,
    events: {} as ProcedureEvent,
    input: {} as EliminationInput,
  },
  guards: { allowed: allowedGuard(eliminationRules) },
  actions: {
    submit: assign(({ event }) => ({ proposedAt: event.env.now })),
    recordVerification: assign(({ event }) => {
      const d = event.data;
      const registry = (event.env.facts as IncomeFacts).registry;
      const figures = computeIncome(d as IncomeInput, registry?.members ?? [], {
        incomeLine: event.env.policy['monitoring.incomeLine'],
        rigidExpenditureRatio: event.env.policy['monitoring.rigidExpenditureRatio'],
      });
      const verification: EliminationVerification = {
        ...figures,
        registryVersion: registry?.version ?? null,
        income: d.income,
        rigidExpenditure: d.rigidExpenditure,
        guarantees: d.guarantees,
        risks: d.risks,
        recordedBy: event.actor.id,
        recordedAt: event.env.now,
      };
      return { verification };
    }),
    recordAppraisal: assign(({ event }) => ({
      appraisal: { result: event.data.result, opinion: event.data.opinion, recordedAt: event.env.now },
    })),
    publishNotice: assign(({ event }) => publishNotice(event, 'elimination.noticePeriod')),
    clearNotice: assign({ notice: null, timers: noTimers }),
    recordTownshipOpinion: assign(({ event }) => ({ townshipOpinion: event.data.opinion ?? null })),
    recordApproval: assign(({ event }) => {
      const visits = event.env.policy['elimination.followUpVisits'];
      const followUps = visits.map((d) => ({ dueAt: addDuration(new Date(event.env.now), d).toISOString(), recordedAt: null }));
      return {
        approval: { eliminatedAt: event.env.now, opinion: event.data.opinion, concentrationJustification: event.data.concentrationJustification },
        followUps,
        timers: followUps.map((f, i) => ({ key: `follow_up_${i + 1}`, event: 'FOLLOW_UP_DUE', dueAt: f.dueAt })),
      };
    }),
    // the fired visit's timer is done; later visits stay scheduled
    followUpDue: assign(({ context, event }) => ({ timers: context.timers.filter((t) => t.dueAt > event.env.now) })),
    recordFollowUp: assign(({ context, event }) => {
      const i = context.followUps.findIndex((f) => f.recordedAt === null && f.dueAt <= event.env.now);
      return {
        followUps: context.followUps.map((f, j) =>
          j === i
            ? { ...f, recordedAt: event.env.now, visitDate: event.data.visitDate ?? beijingDate(event.env.now), findings: event.data.findings, riskReturned: event.data.riskReturned }
            : f,
        ),
      };
    }),
    recordRollback: assign(({ event }) => ({ rollback: { reason: event.reason ?? '', at: event.env.now }, timers: noTimers })),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
    countReturn: assign(({ context }) => ({ returns: context.returns + 1 })),
  },
}).createMachine({
  id: RISK_ELIMINATION,
  initial: 'proposed',
  context: ({ input }) => ({
    ...input,
    timers: [],
    proposedAt: null,
    verification: null,
    appraisal: null,
    notice: null,
    townshipOpinion: null,
    approval: null,
    outcomeReason: null,
    followUps: [],
    rollback: null,
    returns: 0,
  }),
  states: {
    proposed: {
      ...state('村提出名单', 'Proposed by the village'),
      on: {
        SUBMIT: { guard: allowed({}), target: 'household_verification', actions: 'submit', meta: SUBMIT },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
      },
    },
    household_verification: {
      ...state('镇村入户核实', 'Household verification'),
      on: {
        RECORD_VERIFICATION: {
          guard: allowed({ rules: ['every_risk_listed', 'measures_exist', ...INCOME_RULE_NAMES] }),
          target: 'village_appraisal',
          actions: 'recordVerification',
          meta: VERIFY,
        },
      },
    },
    village_appraisal: {
      ...state('村级民主评议', 'Village appraisal'),
      on: {
        RECORD_APPRAISAL: [
          { guard: allowed({ when: { result: 'passed' } }), target: 'public_notice', actions: 'recordAppraisal', meta: APPRAISAL.passed },
          {
            guard: allowed({ when: { result: 'failed' } }),
            target: 'continue_monitoring',
            actions: ['recordAppraisal', 'recordOutcomeReason'],
            meta: APPRAISAL.failed,
          },
        ],
      },
    },
    public_notice: {
      ...state('公示', 'Public notice'),
      entry: 'clearNotice',
      exit: assign({ timers: noTimers }),
      on: {
        PUBLISH_NOTICE: {
          guard: allowed({ rules: ['notice_not_yet_published', 'notice_min_period'] }),
          actions: 'publishNotice',
          meta: PUBLISH,
        },
        RAISE_OBJECTION: { guard: allowed({ rules: ['notice_open'] }), target: 'household_verification', actions: 'clearNotice', meta: OBJECT },
        CLOSE_NOTICE: { guard: allowed({ rules: ['notice_period_over'] }), target: 'township_review', meta: CLOSE },
      },
    },
    township_review: {
      ...state('乡镇审核', 'Township review'),
      on: {
        APPROVE: { guard: allowed({}), target: 'county_approval', actions: 'recordTownshipOpinion', meta: TOWNSHIP_APPROVE },
        RETURN: returnBranches(TOWNSHIP_TARGETS, TOWNSHIP_RETURN),
        REJECT: { guard: allowed({}), target: 'continue_monitoring', actions: 'recordOutcomeReason', meta: TOWNSHIP_REJECT },
      },
    },
    county_approval: {
      ...state('县级审定', 'County approval'),
      on: {
        APPROVE: { guard: allowed({ rules: COUNTY_RULES }), target: 'eliminated', actions: 'recordApproval', meta: COUNTY_APPROVE },
        RETURN: returnBranches(COUNTY_TARGETS, COUNTY_RETURN),
        REJECT: { guard: allowed({}), target: 'continue_monitoring', actions: 'recordOutcomeReason', meta: COUNTY_REJECT },
      },
    },
    eliminated: {
      ...state('风险已消除', 'Risk eliminated'),
      on: afterElimination,
    },
    follow_up_due: {
      ...state('回头看待办', 'Follow-up visit due'),
      on: {
        ...afterElimination,
        FOLLOW_UP_DUE: { guard: allowed({}), actions: 'followUpDue', meta: FOLLOW_UP_DUE },
        RECORD_FOLLOW_UP: {
          guard: allowed({ rules: ['follow_up_is_due', ...RECORD_DATE_RULE_IDS] }),
          target: 'eliminated',
          actions: 'recordFollowUp',
          meta: RECORD_FOLLOW_UP,
        },
      },
    },
    rolled_back: { ...state('已风险回退', 'Rolled back'), type: 'final' },
    continue_monitoring: { ...state('继续监测', 'Continue monitoring'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

/** What the creation rules read about the monitoring object (loaded by the adapter while preparing). */
export interface EliminationCreationFacts {
  status: string;
  /** the monitoring start, YYYY-MM-DD (China time) */
  startDate: string;
  hasMeasure: boolean;
  /** an elimination case of the object still running (not yet eliminated) */
  openCaseId: string | null;
}
const creationFacts = (facts: Record<string, any>) => facts as EliminationCreationFacts;
const monitoredSince = (f: EliminationCreationFacts, policy: ProcedureEvent['env']['policy']) =>
  addDuration(startOfCalendarDay(f.startDate), policy['elimination.minMonitoringPeriod']);

/** The rules for proposing a household for elimination, on every door (the village list, a single case). */
export const eliminationCreationRules = {
  not_in_monitoring: {
    message: '该户不在监测中',
    messageEn: 'The household is not in monitoring',
    check: ({ facts }) => creationFacts(facts).status === 'monitoring',
  },
  min_monitoring_period: {
    message: '纳入监测未满规定期限，不能提出消除',
    messageEn: 'The household has not been monitored for the minimum period',
    check: ({ facts, policy, now }) => monitoredSince(creationFacts(facts), policy) <= new Date(now),
    explain: ({ policy }) => ({
      message: `纳入监测未满规定期限（${policy['elimination.minMonitoringPeriod']}），不能提出消除`,
      details: { minMonitoringPeriod: policy['elimination.minMonitoringPeriod'] },
    }),
  },
  measure_recorded: {
    message: '该户尚无帮扶措施记录，不能提出消除',
    messageEn: 'No assistance measure is recorded for the household',
    check: ({ facts }) => creationFacts(facts).hasMeasure,
  },
  open_case_exists: {
    message: '该户已有正在办理的风险消除案件',
    messageEn: 'The household already has an elimination case running',
    check: ({ facts }) => !creationFacts(facts).openCaseId,
    explain: ({ facts }) => ({ details: { caseId: creationFacts(facts).openCaseId } }),
  },
} satisfies Record<string, CreationRuleDef<EliminationInput>>;

export const riskElimination: ProcedureDefinition<EliminationContext, EliminationInput> = {
  id: RISK_ELIMINATION,
  version: 1,
  title: '风险消除',
  titleEn: 'Risk elimination',
  subjectType: 'monitoring-object',
  machine: riskEliminationMachine,
  rules: eliminationRules,
  // SF-07: the village meeting's files, uploaded to the list, serve that step of every case on it
  batchEvidenceShared: true,
  creationRules: eliminationCreationRules,
};
