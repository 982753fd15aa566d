/**
 * 项目库入库 — project intake (domain/procedures.md §4).
 *
 * draft ─► township_review ─► department_review ─► county_approval ─► county_notice ─► in_library
 * (村申报)    (乡审核)         (部门论证, 会签)        (县审定)          (公告公示)
 *
 * The only way into the library is that sequence (SF-18): every forward edge moves one step,
 * and the last one is the system closing a notice that ran its full period. Department
 * argumentation is a countersign (会签, SF-21): each sector the category requires (from the
 * case's policy) approves with a feasibility opinion; the last approval moves the case on, a
 * return from any one sends it back. A change to a project in the library is a second case of
 * this procedure (`change` in its input) that runs the same steps again, so a changed budget,
 * category or content is argued and approved again before it replaces the library version.
 */
import stringify from 'json-stable-stringify';
import { assign, setup } from 'xstate';
import type { Labelled } from '../common/domain/enums';
import { textProblemOf } from '../common/domain/reason';
import type { PolicyValues } from '../common/policy/policy-keys';
import {
  allowedGuard,
  type BaseContext,
  choice,
  type CreationRuleDef,
  failingRules,
  money,
  opinion,
  type ProcedureDefinition,
  type ProcedureEvent,
  type RuleSet,
  type TransitionMeta,
} from './procedure';
import { type Notice, noticeMetas, noticeRules, publishNotice } from './notice';
import { allowed, noTimers, opinionFields, optionalOpinionFields, rejectMeta, returnBranches, returnMeta, state, TOWNSHIP_APPROVE } from './steps';

export const PROJECT_INTAKE = 'project-intake';

/** Titles of the category ids used by the default policy (the ids themselves are policy data). */
export const PROJECT_CATEGORIES: Labelled[] = [
  { id: 'industry', title: '产业发展', titleEn: 'Industry development' },
  { id: 'employment', title: '就业', titleEn: 'Employment' },
  { id: 'roads', title: '乡村建设（道路）', titleEn: 'Rural roads' },
  { id: 'drinking_water', title: '饮水', titleEn: 'Drinking water' },
  { id: 'housing', title: '住房', titleEn: 'Housing' },
  { id: 'education', title: '教育', titleEn: 'Education' },
  { id: 'health', title: '健康', titleEn: 'Health' },
  { id: 'unit_basic_expenditure', title: '单位基本支出', titleEn: 'Basic expenditure of units' },
  { id: 'vehicles_and_communication', title: '交通工具及通讯设备', titleEn: 'Vehicles and communication equipment' },
  { id: 'office_buildings', title: '修建楼堂馆所', titleEn: 'Office buildings' },
  { id: 'bonuses_and_allowances', title: '发放奖金津贴和福利补助', titleEn: 'Bonuses and allowances' },
  { id: 'debt_repayment', title: '偿还债务和垫资', titleEn: 'Debt repayment' },
  { id: 'enterprise_losses', title: '弥补企业亏损', titleEn: 'Covering enterprise losses' },
  { id: 'large_infrastructure', title: '大中型基本建设', titleEn: 'Large infrastructure' },
  { id: 'urban_infrastructure', title: '城市基础设施', titleEn: 'Urban infrastructure' },
  { id: 'enterprise_guarantee', title: '企业担保金', titleEn: 'Enterprise guarantees' },
  { id: 'non_agricultural', title: '非农领域', titleEn: 'Non-agricultural' },
];

export const INDUSTRY_CATEGORY = 'industry';
export const TARGET_KINDS = ['output', 'benefit', 'satisfaction'] as const;
export const TARGET_KIND_LABELS: Record<(typeof TARGET_KINDS)[number], string> = { output: '产出指标', benefit: '效益指标', satisfaction: '满意度指标' };

export interface PerformanceTarget {
  kind: (typeof TARGET_KINDS)[number];
  indicator: string;
  value: string;
  unit: string;
}

/** The project as applied for (everything of the creation payload but the village). */
export interface ProjectContent {
  name: string;
  category: string;
  subCategory?: string | null;
  year: number;
  budget: { total: number; linkageFunds: number; otherFunds: number };
  fundSource: string;
  period: { start: string; end: string };
  content: string;
  performanceTargets: PerformanceTarget[];
  beneficiaries: { households: number; formerlyPoorHouseholds: number; monitoredHouseholds: number } | null;
  /** 联农带农 mechanism: required for industry projects (SF-20) */
  linkageMechanism?: string | null;
}

export interface ProjectChange {
  projectId: string;
  /** the library version this case changes */
  fromVersion: number;
  previous: ProjectContent;
}

export interface ProjectInput {
  /** the village of the project (12-digit code) */
  areaCode: string;
  project: ProjectContent;
  change: ProjectChange | null;
}

export interface SectorApproval {
  sector: string;
  by: string;
  at: string;
  opinion: string;
  evidenceIds: string[];
}

export interface ProjectContext extends BaseContext, ProjectInput {
  submittedAt: string | null;
  townshipOpinion: string | null;
  /** the sectors that must argue this round (from the case's policy) and those that approved */
  countersign: { required: string[]; approvals: SectorApproval[] } | null;
  approval: { opinion: string; performanceTargets: PerformanceTarget[]; approvedBy: string; approvedAt: string } | null;
  notice: Notice | null;
  library: { year: number; enteredAt: string } | null;
  outcomeReason: string | null;
  returns: number;
}

// ---------------------------------------------------------------- business rules

const cents = (n: number): number => Math.round(n * 100);

export function sectorsFor(policy: PolicyValues, category: string): string[] {
  return policy['projects.departmentsByCategory'][category] ?? [];
}

/** the content a SUBMIT would put forward: the amended one if the event carries it */
const submitted = (context: ProjectContext, event: ProcedureEvent): ProjectContent =>
  (event.data?.project as ProjectContent | undefined) ?? context.project;

type Ctx = ProjectContext;

/** Rules a project's content must pass to be submitted; also checked when a case is opened. */
export const CONTENT_RULES = [
  'not_negative_list',
  'category_has_departments',
  'budget_adds_up',
  'performance_targets_required',
  'beneficiaries_required',
  'beneficiaries_consistent',
  'industry_linkage_mechanism',
  'period_valid',
  'change_differs',
] as const;

export const projectRules: RuleSet<Ctx> = {
  not_negative_list: {
    message: '该类别属于负面清单，不得申报入库（SF-19）',
    messageEn: 'The category is on the negative list (SF-19)',
    usesEventData: true,
    check: ({ context, event }) => !event.env.policy['projects.negativeList'].includes(submitted(context, event).category),
  },
  category_has_departments: {
    message: '该类别未配置论证部门，不能进行部门论证（SF-21）',
    messageEn: 'No department is configured to argue this category (SF-21)',
    usesEventData: true,
    check: ({ context, event }) => sectorsFor(event.env.policy, submitted(context, event).category).length > 0,
  },
  budget_adds_up: {
    message: '项目总投资应等于衔接资金与其他资金之和（SF-20）',
    messageEn: 'The total budget must equal linkage funds plus other funds (SF-20)',
    usesEventData: true,
    check: ({ context, event }) => {
      const b = submitted(context, event).budget;
      return !!b && cents(b.total) === cents(b.linkageFunds) + cents(b.otherFunds) && b.total > 0;
    },
  },
  performance_targets_required: {
    message: '未设定绩效目标的项目不得纳入项目库，请至少填写一项产出或效益指标（SF-20）',
    messageEn: 'At least one output or benefit performance target is required (SF-20)',
    usesEventData: true,
    check: ({ context, event }) =>
      (submitted(context, event).performanceTargets ?? []).some((t) => t.kind === 'output' || t.kind === 'benefit'),
  },
  beneficiaries_required: {
    message: '请填写受益对象（受益户数，其中脱贫户、监测户）（SF-20）',
    messageEn: 'Beneficiaries are required (SF-20)',
    usesEventData: true,
    check: ({ context, event }) => {
      const b = submitted(context, event).beneficiaries;
      return !!b && b.households > 0;
    },
  },
  beneficiaries_consistent: {
    message: '其中脱贫户与监测户之和不能超过受益户数',
    messageEn: 'Formerly poor plus monitored households cannot exceed the beneficiary households',
    usesEventData: true,
    check: ({ context, event }) => {
      const b = submitted(context, event).beneficiaries;
      return !b || b.formerlyPoorHouseholds + b.monitoredHouseholds <= b.households;
    },
  },
  industry_linkage_mechanism: {
    message: '产业发展类项目须写明联农带农机制，不能是套话或过短的文字（SF-20）',
    messageEn: 'An industry project needs its farmer-linkage mechanism (联农带农) (SF-20)',
    usesEventData: true,
    check: ({ context, event }) => {
      const p = submitted(context, event);
      return p.category !== INDUSTRY_CATEGORY || textProblemOf(p.linkageMechanism, event.env.policy, 'justification') === null;
    },
  },
  period_valid: {
    message: '项目实施期限的结束日期不能早于开始日期',
    messageEn: 'The project period must end after it starts',
    usesEventData: true,
    check: ({ context, event }) => {
      const p = submitted(context, event).period;
      return !!p && p.start <= p.end;
    },
  },
  change_differs: {
    message: '变更申请与入库版本没有差异',
    messageEn: 'The change does not differ from the library version',
    usesEventData: true,
    check: ({ context, event }) =>
      context.change === null || stringify(context.change.previous) !== stringify(submitted(context, event)),
  },
  department_sector: {
    message: '行业部门只能论证本行业类别的项目（SF-21）',
    messageEn: 'A department argues only projects of the categories of its sector (SF-21)',
    check: ({ context, event }) => !!event.actor.sector && (context.countersign?.required ?? []).includes(event.actor.sector),
  },
  opinion_from_own_sector: {
    message: '论证意见须由本部门人员上传，不能引用其他部门的论证意见（SF-21）',
    messageEn: "A feasibility opinion is uploaded by a user of the arguing department, not borrowed from another (SF-21)",
    usesEventData: true,
    check: ({ event }) =>
      event.evidence
        .filter((e) => e.type === 'feasibility_opinion')
        .every((e) => e.uploader?.role === 'department' && !!e.uploader.sector && e.uploader.sector === event.actor.sector),
  },
  sector_not_yet_approved: {
    message: '本部门已出具论证意见，不能重复会签',
    messageEn: 'Your sector has already approved in this round',
    check: ({ context, event }) => !(context.countersign?.approvals ?? []).some((a) => a.sector === event.actor.sector),
  },
  countersign_complete: {
    message: '尚有部门未出具同意的论证意见（会签）',
    messageEn: 'Other departments have not approved yet (countersign)',
    check: ({ context, event }) => {
      const cs = context.countersign;
      if (!cs) return false;
      const agreed = new Set([...cs.approvals.map((a) => a.sector), event.actor.sector]);
      return cs.required.every((s) => agreed.has(s));
    },
  },
  performance_targets_approved: {
    message: '县级审定须确认绩效目标（SF-20）',
    messageEn: 'County approval must approve the performance targets (SF-20)',
    usesEventData: true,
    check: ({ event }) => event.data.performanceTargetsApproved === true,
  },
  ...noticeRules<Ctx>('projects.noticePeriod'),
};

/**
 * The content rules a new case fails, judged as SUBMIT would judge them: the adapter refuses
 * a creation payload with these before a draft exists, naming the first.
 */
export function contentProblems(input: ProjectInput, policy: PolicyValues): string[] {
  const context = { ...input } as ProjectContext;
  const event = { type: 'SUBMIT', data: {}, evidence: [], actor: { id: '', role: 'village' }, env: { now: '', policy, facts: {} } } as ProcedureEvent;
  return failingRules(projectRules, CONTENT_RULES, { context, event });
}

// ---------------------------------------------------------------- event data schemas

const date = { type: 'string', format: 'date' } as const;
const text = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;

/** The project content a resubmission may amend (the village stays the case's village). */
export const projectContentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'category', 'year', 'budget', 'fundSource', 'period', 'content', 'performanceTargets', 'beneficiaries'],
  properties: {
    name: { ...text(100, 2), title: '项目名称', description: '项目名称' },
    category: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,39}$', title: '项目类别', description: '项目类别（政策中的类别编号，如 industry）' },
    subCategory: { ...text(50), title: '项目子类', description: '项目子类' },
    year: { type: 'integer', minimum: 2020, maximum: 2100, title: '入库年度', description: '入库年度' },
    budget: {
      type: 'object',
      additionalProperties: false,
      required: ['total', 'linkageFunds', 'otherFunds'],
      title: '项目投资',
      properties: {
        total: { ...money, title: '总投资（元）', description: '总投资（元）' },
        linkageFunds: { ...money, title: '衔接资金（元）', description: '衔接资金（元）' },
        otherFunds: { ...money, title: '其他资金（元）', description: '其他资金（元）' },
      },
    },
    fundSource: { ...text(200, 2), title: '资金来源', description: '资金来源' },
    period: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      title: '建设期限',
      properties: { start: { ...date, title: '计划开工日期' }, end: { ...date, title: '计划完工日期' } },
    },
    content: { ...text(5000, 10), title: '建设内容', description: '建设内容' },
    performanceTargets: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'indicator', 'value', 'unit'],
        properties: {
          kind: { ...choice(TARGET_KIND_LABELS), title: '指标类型', description: 'output 产出 / benefit 效益 / satisfaction 满意度' },
          indicator: { ...text(200), title: '指标名称' },
          value: { ...text(50), title: '指标值' },
          unit: { ...text(20), title: '计量单位' },
        },
      },
      title: '绩效目标',
      description: '绩效目标',
    },
    beneficiaries: {
      type: 'object',
      additionalProperties: false,
      required: ['households', 'formerlyPoorHouseholds', 'monitoredHouseholds'],
      title: '受益对象',
      properties: {
        households: { type: 'integer', minimum: 0, maximum: 1_000_000, title: '受益户数', description: '受益户数' },
        formerlyPoorHouseholds: { type: 'integer', minimum: 0, maximum: 1_000_000, title: '其中脱贫户', description: '其中脱贫户' },
        monitoredHouseholds: { type: 'integer', minimum: 0, maximum: 1_000_000, title: '其中监测户', description: '其中监测户' },
      },
    },
    linkageMechanism: { ...text(2000), title: '联农带农机制', description: '联农带农机制（产业项目必填）' },
  },
} as const;

const submitFields = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { ...projectContentSchema, title: '修改后的项目内容', description: '修改后的项目内容（退回后重新申报时可填，整体替换）' },
    opinion,
  },
} as const;


const countyApprovalFields = {
  type: 'object',
  additionalProperties: false,
  required: ['opinion', 'performanceTargetsApproved'],
  properties: {
    opinion,
    performanceTargetsApproved: { type: 'boolean', title: '审定绩效目标', description: '审定绩效目标（须为 true，SF-20）' },
  },
} as const;


// ---------------------------------------------------------------- transition meta

const SUBMIT: TransitionMeta = {
  title: '村级申报',
  titleEn: 'Submit application',
  roles: ['village'],
  // 四议两公开: the representatives' resolution, the posted notice of the application, the proposal
  evidence: { allOf: ['villager_resolution', 'notice_photo', 'project_proposal'] },
  fields: submitFields,
};
const WITHDRAW: TransitionMeta = { title: '撤回申报', titleEn: 'Withdraw', roles: ['village'], reasonRequired: true, fields: optionalOpinionFields };
const DEPARTMENT_APPROVE: TransitionMeta = {
  title: '部门论证同意',
  titleEn: 'Department approves',
  roles: ['department'],
  evidence: { allOf: ['feasibility_opinion'] },
  fields: opinionFields,
  review: true,
};
const COUNTY_APPROVE: TransitionMeta = {
  title: '县级审定（含绩效目标）',
  titleEn: 'County approves (with performance targets)',
  roles: ['county'],
  fields: countyApprovalFields,
  review: true,
};
const NOTICE = noticeMetas(['county'], ['village', 'township', 'county', 'department']);

const reject = (roles: TransitionMeta['roles'], evidence?: TransitionMeta['evidence']) => rejectMeta(roles, '不予入库', 'Reject', evidence);

const FEASIBILITY = { allOf: ['feasibility_opinion'] };
const TOWNSHIP_RETURN_TARGETS = ['draft'];
const DEPARTMENT_RETURN_TARGETS = ['draft', 'township_review'];
const COUNTY_RETURN_TARGETS = ['draft', 'township_review', 'department_review'];
const TOWNSHIP_RETURN = returnMeta(['township'], TOWNSHIP_RETURN_TARGETS);
const DEPARTMENT_RETURN = returnMeta(['department'], DEPARTMENT_RETURN_TARGETS, FEASIBILITY);
const COUNTY_RETURN = returnMeta(['county'], COUNTY_RETURN_TARGETS);
const TOWNSHIP_REJECT = reject(['township']);
const DEPARTMENT_REJECT = reject(['department'], FEASIBILITY);
const COUNTY_REJECT = reject(['county']);


const DEPARTMENT_RULES = ['department_sector', 'opinion_from_own_sector'];


export const projectIntakeMachine = setup({
  types: {
    context: {} as ProjectContext,
    events: {} as ProcedureEvent,
    input: {} as ProjectInput,
  },
  guards: {
    allowed: allowedGuard(projectRules),
  },
  actions: {
    recordSubmission: assign(({ context, event }) => ({
      project: (event.data.project as ProjectContent | undefined) ?? context.project,
      submittedAt: event.env.now,
    })),
    recordTownshipOpinion: assign(({ event }) => ({ townshipOpinion: event.data.opinion ?? null })),
    /** the sectors of this round come from the case's policy and the category as it now stands */
    openCountersign: assign(({ context, event }) => ({
      countersign: { required: sectorsFor(event.env.policy, context.project.category), approvals: [] },
    })),
    recordSectorApproval: assign(({ context, event }) => ({
      countersign: {
        required: context.countersign?.required ?? [],
        approvals: [
          ...(context.countersign?.approvals ?? []),
          {
            sector: event.actor.sector ?? '',
            by: event.actor.id,
            at: event.env.now,
            opinion: event.data.opinion,
            evidenceIds: event.evidence.filter((e) => e.type === 'feasibility_opinion').map((e) => e.id),
          },
        ],
      },
    })),
    recordApproval: assign(({ context, event }) => ({
      approval: {
        opinion: event.data.opinion,
        performanceTargets: context.project.performanceTargets,
        approvedBy: event.actor.id,
        approvedAt: event.env.now,
      },
    })),
    publishNotice: assign(({ event }) => publishNotice(event, 'projects.noticePeriod')),
    clearNotice: assign({ notice: null, timers: noTimers }),
    enterLibrary: assign(({ context, event }) => ({ library: { year: context.project.year, enteredAt: event.env.now } })),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
    countReturn: assign(({ context }) => ({ returns: context.returns + 1, approval: null })),
  },
}).createMachine({
  id: PROJECT_INTAKE,
  initial: 'draft',
  context: ({ input }) => ({
    ...input,
    timers: [],
    submittedAt: null,
    townshipOpinion: null,
    countersign: null,
    approval: null,
    notice: null,
    library: null,
    outcomeReason: null,
    returns: 0,
  }),
  states: {
    draft: {
      ...state('村级申报', 'Village application'),
      on: {
        SUBMIT: { guard: allowed({ rules: [...CONTENT_RULES] }), target: 'township_review', actions: 'recordSubmission', meta: SUBMIT },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
      },
    },
    township_review: {
      ...state('乡镇审核', 'Township review'),
      on: {
        APPROVE: {
          guard: allowed({ rules: ['category_has_departments'] }),
          target: 'department_review',
          actions: 'recordTownshipOpinion',
          meta: TOWNSHIP_APPROVE,
        },
        RETURN: returnBranches(TOWNSHIP_RETURN_TARGETS, TOWNSHIP_RETURN),
        REJECT: { guard: allowed({}), target: 'rejected', actions: 'recordOutcomeReason', meta: TOWNSHIP_REJECT },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
      },
    },
    department_review: {
      ...state('部门论证（会签）', 'Department argumentation (countersign)'),
      // every round starts with no approval, whoever sent the case here
      entry: 'openCountersign',
      on: {
        // the last outstanding sector moves the case on; the others are recorded and it stays
        APPROVE: [
          {
            guard: allowed({ rules: [...DEPARTMENT_RULES, 'sector_not_yet_approved', 'countersign_complete'] }),
            target: 'county_approval',
            actions: 'recordSectorApproval',
            meta: DEPARTMENT_APPROVE,
          },
          {
            guard: allowed({ rules: [...DEPARTMENT_RULES, 'sector_not_yet_approved'] }),
            actions: 'recordSectorApproval',
            meta: DEPARTMENT_APPROVE,
          },
        ],
        RETURN: returnBranches(DEPARTMENT_RETURN_TARGETS, DEPARTMENT_RETURN, DEPARTMENT_RULES),
        REJECT: { guard: allowed({ rules: DEPARTMENT_RULES }), target: 'rejected', actions: 'recordOutcomeReason', meta: DEPARTMENT_REJECT },
      },
    },
    county_approval: {
      ...state('县级审定', 'County approval'),
      on: {
        APPROVE: {
          guard: allowed({ rules: ['performance_targets_approved'] }),
          target: 'county_notice',
          actions: 'recordApproval',
          meta: COUNTY_APPROVE,
        },
        RETURN: returnBranches(COUNTY_RETURN_TARGETS, COUNTY_RETURN),
        REJECT: { guard: allowed({}), target: 'rejected', actions: 'recordOutcomeReason', meta: COUNTY_REJECT },
      },
    },
    county_notice: {
      ...state('县级公告公示', 'County public notice'),
      entry: 'clearNotice',
      exit: assign({ timers: noTimers }),
      on: {
        PUBLISH_NOTICE: {
          guard: allowed({ rules: ['notice_not_yet_published', 'notice_min_period'] }),
          actions: 'publishNotice',
          meta: NOTICE.publish,
        },
        RAISE_OBJECTION: {
          guard: allowed({ rules: ['notice_open'] }),
          target: 'county_approval',
          // the notice leaves the public board; the county approves (or returns) again
          actions: ['clearNotice', 'countReturn'],
          meta: NOTICE.object,
        },
        CLOSE_NOTICE: {
          guard: allowed({ rules: ['notice_period_over'] }),
          target: 'in_library',
          actions: 'enterLibrary',
          meta: NOTICE.close,
        },
      },
    },
    in_library: { ...state('已入库', 'In the library'), type: 'final' },
    rejected: { ...state('不予入库', 'Rejected'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

/** What the creation rules read: the library project a change case changes (null for a new application). */
export interface ProjectCreationFacts {
  changeOf: { projectId: string; status: string; changeCaseId: string | null } | null;
}
const changeOf = (facts: Record<string, any>) => (facts as ProjectCreationFacts).changeOf;

/** The rules for opening a project case: a change is of a project in the library, one at a time (SF-21). */
export const projectCreationRules = {
  project_not_in_library: {
    message: '只有已入库的项目才能申请变更，入库前请退回后修改',
    messageEn: 'Only a project in the library can be changed',
    check: ({ facts }) => !changeOf(facts) || changeOf(facts)!.status === 'in_library',
    explain: ({ facts }) => ({ details: { projectId: changeOf(facts)?.projectId, status: changeOf(facts)?.status } }),
  },
  open_change_exists: {
    message: '该项目已有正在办理的变更申请',
    messageEn: 'The project already has a change in progress',
    check: ({ facts }) => !changeOf(facts)?.changeCaseId,
    explain: ({ facts }) => ({ details: { caseId: changeOf(facts)?.changeCaseId } }),
  },
} satisfies Record<string, CreationRuleDef<ProjectInput>>;

export const projectIntake: ProcedureDefinition<ProjectContext, ProjectInput> = {
  id: PROJECT_INTAKE,
  version: 1,
  title: '项目库入库',
  titleEn: 'Project intake',
  subjectType: 'project',
  machine: projectIntakeMachine,
  rules: projectRules,
  creationRules: projectCreationRules,
};

