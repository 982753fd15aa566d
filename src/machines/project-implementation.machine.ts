/**
 * 项目实施 — a library project in the year's plan, from contract to its assets (SF-22, SF-23).
 *
 * contracting ─► in_progress ─► acceptance ─► asset_registration ─► completion_notice ─► closed
 * (合同、开工)     (实施, 进度)     (竣工验收, 会签)   (资产确权移交)          (公告公示)
 *      ▲ a failed acceptance returns to in_progress with its defects listed ┘
 *
 * A case is opened only for a project the county put in the annual plan (creation rules). The
 * township reports progress after a site check (percentage, date, photos): it never goes back.
 * 竣工 needs progress at 100%. Acceptance is signed by the township, each department that argues
 * the category (from the case's policy) and the county, each with its own signed record; any one
 * of them may fail it, naming the defects, and the next completion must say how they were put
 * right. The assets are then registered to the village collective or unit that receives them,
 * with the handover record, and the completion notice (amount spent, fund sources, results) runs
 * on the common notice machinery before the case closes. Payments are cases of their own
 * (project-payment.machine.ts) judged on this case's figures.
 */
import { assign, setup } from 'xstate';
import { textProblemOf } from '../common/domain/reason';
import type { PolicyValues } from '../common/policy/policy-keys';
import { type Notice, noticeMetas, noticeRules, publishNotice } from './notice';
import { allowedGuard, type BaseContext, choice, type CreationRuleDef, opinion, type ProcedureDefinition, type ProcedureEvent, type RuleSet, type TransitionMeta } from './procedure';
import { toFen, yuanText } from './project-funds';
import { beijingDate } from './record-date';
import { allowed, noTimers, optionalOpinionFields, state } from './steps';

export const PROJECT_IMPLEMENTATION = 'project-implementation';

export interface PlannedFund {
  source: string;
  amountFen: number;
}

export interface ImplementationInput {
  /** the village of the project */
  areaCode: string;
  projectId: string;
  name: string;
  category: string;
  year: number;
  /** the annual plan's funds for the project, by source */
  funds: PlannedFund[];
  plannedFen: number;
  /** the library period of the project */
  period: { start: string; end: string };
  /** who opened the case, and at what level: only that level may cancel it (issue 19); absent on cases opened before */
  openedBy?: { id: string; role: string };
}

export interface Contract {
  contractNo: string;
  contractor: string;
  amountFen: number;
  signedOn: string;
  startedOn: string;
  plannedEnd: string;
  by: string;
  at: string;
}

export interface ProgressReport {
  percent: number;
  date: string;
  note: string | null;
  by: string;
  at: string;
  evidenceIds: string[];
}

export interface AcceptanceSignature {
  party: string;
  by: string;
  at: string;
  opinion: string;
  evidenceIds: string[];
}

export interface FailedAcceptance {
  party: string;
  by: string;
  at: string;
  reason: string | null;
  defects: string[];
}

export const OWNER_TYPES = ['village_collective', 'unit'] as const;
export const OWNER_TYPE_LABELS: Record<(typeof OWNER_TYPES)[number], string> = { village_collective: '村集体', unit: '单位' };

export interface Asset {
  name: string;
  kind: string | null;
  quantity: number;
  unit: string;
  valueFen: number;
  owner: { type: (typeof OWNER_TYPES)[number]; name: string; areaCode: string | null };
}

export interface ImplementationContext extends BaseContext, ImplementationInput {
  contract: Contract | null;
  progress: ProgressReport[];
  completion: { completedOn: string; by: string; at: string; rectification: string | null } | null;
  acceptance: { required: string[]; signatures: AcceptanceSignature[] } | null;
  failedAcceptances: FailedAcceptance[];
  /** defects of the last failed acceptance, until the next completion says how they were put right */
  openDefects: string[];
  acceptedAt: string | null;
  assets: { items: Asset[]; handoverDate: string; by: string; at: string; totalFen: number } | null;
  notice: Notice | null;
  closedAt: string | null;
  /** 撤销 (issue 19): by the level that opened the case, with its reason and the money paid until then */
  cancellation?: { by: string; role: string; at: string; reason: string; paidFen: number } | null;
}

/**
 * What the implementation's rules read from outside the case, loaded by the adapter before each
 * event (only what the state's events need).
 */
export interface ImplementationFacts {
  /** in asset_registration: the areas of the project's county, code → level (the owners of assets must be among them) */
  countyAreas?: Record<string, string>;
  /** in contracting / in_progress: payments awaiting the county's approval, and the money paid */
  pendingPayments?: number;
  paidFen?: number;
}

type Ctx = ImplementationContext;

// ---------------------------------------------------------------- helpers

export function sectorsOf(policy: PolicyValues, category: string): string[] {
  return policy['projects.departmentsByCategory']?.[category] ?? [];
}

/** who signs an acceptance: the township, every department arguing the category, the county */
export function acceptanceParties(policy: PolicyValues, category: string): string[] {
  return ['township', ...sectorsOf(policy, category).map((s) => `department:${s}`), 'county'];
}

/** the party an actor signs for */
export function partyOf(actor: { role: string; sector?: string | null }): string {
  return actor.role === 'department' ? `department:${actor.sector ?? ''}` : actor.role;
}

export const latestProgress = (c: Pick<Ctx, 'progress'>): ProgressReport | null => c.progress[c.progress.length - 1] ?? null;
const today = (event: ProcedureEvent) => beijingDate(event.env.now);
const implFacts = (event: ProcedureEvent) => (event.env.facts ?? {}) as ImplementationFacts;
const LEVEL_TITLES: Record<string, string> = { village: '村级', township: '乡镇', county: '县级' };

/** the owners of the event's assets that are not an existing village collective (or unit) of the project's county */
function unknownOwners(event: ProcedureEvent): Array<{ type: string; name: string; areaCode: string | null }> {
  const areas = implFacts(event).countyAreas ?? {};
  return ((event.data.assets ?? []) as Array<{ owner: { type: string; name: string; areaCode?: string } }>)
    .map((a) => ({ type: a.owner.type, name: a.owner.name, areaCode: a.owner.areaCode ?? null }))
    .filter((o) => (o.type === 'village_collective' ? areas[o.areaCode ?? ''] !== 'village' : o.areaCode !== null && !areas[o.areaCode]));
}

// ---------------------------------------------------------------- rules

export const implementationRules: RuleSet<Ctx> = {
  contract_dates_valid: {
    message: '合同签订日期、开工日期、计划完工日期应依次不早于前者，且开工日期不能晚于今天',
    messageEn: 'Signed ≤ started ≤ planned end, and the start is not in the future',
    usesEventData: true,
    check: ({ event }) => {
      const d = event.data;
      return d.signedOn <= d.startedOn && d.startedOn <= d.plannedEnd && d.startedOn <= today(event);
    },
  },
  contract_within_planned_funds: {
    message: '合同金额不得超过年度计划安排的资金（超出须先调整计划或经项目变更论证，SF-21）',
    messageEn: 'The contract amount cannot exceed the planned funds of the annual plan (SF-21)',
    usesEventData: true,
    check: ({ context, event }) => toFen(event.data.contractAmount) <= context.plannedFen,
    explain: ({ context, event }) => ({
      message: `合同金额${yuanText(toFen(event.data.contractAmount))}元超过年度计划安排资金${yuanText(context.plannedFen)}元（SF-21）`,
      details: { contractAmount: yuanText(toFen(event.data.contractAmount)), planned: yuanText(context.plannedFen) },
    }),
  },
  progress_monotonic: {
    message: '进度只能增加：完成比例和报告日期都不能早于（小于）上一次进度报告',
    messageEn: 'Progress never goes back: percentage and date at least those of the previous report',
    usesEventData: true,
    check: ({ context, event }) => {
      const last = latestProgress(context);
      return !last || (event.data.percent >= last.percent && event.data.date >= last.date);
    },
    explain: ({ context }) => {
      const last = latestProgress(context)!;
      return {
        message: `进度只能增加：上一次进度报告为${last.date}的${last.percent}%`,
        details: { lastPercent: last.percent, lastDate: last.date },
      };
    },
  },
  progress_date_valid: {
    message: '进度报告日期不能早于开工日期，也不能晚于今天',
    messageEn: 'A progress date lies between the start of works and today',
    usesEventData: true,
    check: ({ context, event }) => !!context.contract && event.data.date >= context.contract.startedOn && event.data.date <= today(event),
  },
  progress_complete: {
    message: '工程进度未达到100%，不能报竣工',
    messageEn: 'Completion needs progress at 100%',
    check: ({ context }) => latestProgress(context)?.percent === 100,
  },
  completion_date_valid: {
    message: '竣工日期不能早于最近一次进度报告日期，也不能晚于今天',
    messageEn: 'The completion date lies between the last progress report and today',
    usesEventData: true,
    check: ({ context, event }) => {
      const last = latestProgress(context);
      return !!last && event.data.completedOn >= last.date && event.data.completedOn <= today(event);
    },
  },
  defects_rectified: {
    message: '上次验收未通过，重新报竣工须写明各项问题的整改情况',
    messageEn: 'After a failed acceptance the completion says how the defects were put right',
    usesEventData: true,
    check: ({ context, event }) =>
      context.openDefects.length === 0 || textProblemOf(event.data.rectification, event.env.policy, 'justification', '整改情况') === null,
    explain: ({ context }) => ({
      message: `上次验收未通过（${context.openDefects.join('；')}），重新报竣工须写明整改情况`,
      details: { openDefects: context.openDefects },
    }),
  },
  acceptance_party_required: {
    message: '您所在单位不是本项目的验收单位（乡镇、论证部门、县级）',
    messageEn: 'Your unit is not one of the acceptance parties of this project',
    check: ({ context, event }) => (context.acceptance?.required ?? []).includes(partyOf(event.actor)),
  },
  acceptance_record_own: {
    message: '验收记录须由签字单位本单位人员上传，不能引用其他单位的记录',
    messageEn: "The acceptance record is uploaded by the signing party's own users",
    usesEventData: true,
    check: ({ event }) =>
      event.evidence
        .filter((e) => e.type === 'acceptance_record')
        .every((e) => !!e.uploader && partyOf({ role: e.uploader.role ?? '', sector: e.uploader.sector }) === partyOf(event.actor)),
  },
  acceptance_not_yet_signed: {
    message: '本单位已在本轮验收中签字',
    messageEn: 'Your unit has already signed this acceptance',
    check: ({ context, event }) => !(context.acceptance?.signatures ?? []).some((s) => s.party === partyOf(event.actor)),
  },
  acceptance_complete: {
    message: '尚有验收单位未签字',
    messageEn: 'Other acceptance parties have not signed yet',
    check: ({ context, event }) => {
      const a = context.acceptance;
      if (!a) return false;
      const signed = new Set([...a.signatures.map((s) => s.party), partyOf(event.actor)]);
      return a.required.every((p) => signed.has(p));
    },
  },
  handover_date_valid: {
    message: '资产移交日期不能早于竣工日期，也不能晚于今天',
    messageEn: 'The handover date lies between completion and today',
    usesEventData: true,
    check: ({ context, event }) =>
      !!context.completion && event.data.handoverDate >= context.completion.completedOn && event.data.handoverDate <= today(event),
  },
  asset_owner_in_county: {
    message: '资产确权移交对象须为本县（区）现有的村集体经济组织（填写所在村的区划代码），单位如填写区划代码也须在本县（区）内',
    messageEn: 'An asset goes to an existing village collective of the project\'s county (a unit\'s area code, if given, is of the county too)',
    usesEventData: true,
    check: ({ event }) => unknownOwners(event).length === 0,
    explain: ({ event }) => ({
      message: `以下确权移交对象不是本县（区）现有的村集体经济组织或单位：${unknownOwners(event).map((o) => `${o.name}（${o.areaCode ?? '未填写区划代码'}）`).join('、')}`,
      details: { owners: unknownOwners(event) },
    }),
  },
  cancel_by_opening_level: {
    message: '项目实施只能由发起实施的层级撤销',
    messageEn: 'Only the level that opened the implementation can cancel it',
    check: ({ context, event }) => event.actor.role === (context.openedBy?.role ?? 'county'),
    explain: ({ context }) => ({
      message: `项目实施由${LEVEL_TITLES[context.openedBy?.role ?? 'county'] ?? context.openedBy?.role}发起，只能由该层级撤销`,
      details: { openedByRole: context.openedBy?.role ?? 'county' },
    }),
  },
  cancel_no_pending_payment: {
    message: '尚有待县级审核的拨付申请，须先审核或撤回后才能撤销实施',
    messageEn: 'A payment awaits the county\'s approval: decide or withdraw it first',
    check: ({ event }) => !(implFacts(event).pendingPayments ?? 0),
    explain: ({ event }) => ({
      message: `尚有${implFacts(event).pendingPayments ?? 0}笔拨付申请待县级审核，须先审核或撤回后才能撤销实施`,
      details: { pendingPayments: implFacts(event).pendingPayments ?? 0 },
    }),
  },
  ...noticeRules<Ctx>('projects.noticePeriod'),
};

// ---------------------------------------------------------------- schemas and meta

const date = { type: 'string', format: 'date' } as const;
const text = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;
const yuan = { type: 'number', exclusiveMinimum: 0, maximum: 1e9, multipleOf: 0.01 } as const;

const contractFields = {
  type: 'object',
  additionalProperties: false,
  required: ['contractNo', 'contractor', 'contractAmount', 'signedOn', 'startedOn', 'plannedEnd'],
  properties: {
    contractNo: { ...text(60, 2), title: '合同编号', description: '合同编号' },
    contractor: { ...text(100, 2), title: '施工（供货）单位', description: '施工（供货）单位' },
    contractAmount: { ...yuan, title: '合同金额（元）', description: '合同金额（元）' },
    signedOn: { ...date, title: '合同签订日期', description: '合同签订日期' },
    startedOn: { ...date, title: '开工日期', description: '开工日期' },
    plannedEnd: { ...date, title: '计划完工日期', description: '计划完工日期' },
  },
} as const;

const progressFields = {
  type: 'object',
  additionalProperties: false,
  required: ['percent', 'date'],
  properties: {
    percent: { type: 'integer', minimum: 0, maximum: 100, title: '完成比例（%）', description: '工程完成比例（%）' },
    date: { ...date, title: '现场核实日期', description: '现场核实日期' },
    note: { ...text(2000), title: '进度说明', description: '进度说明' },
  },
} as const;

const completionFields = {
  type: 'object',
  additionalProperties: false,
  required: ['completedOn'],
  properties: {
    completedOn: { ...date, title: '竣工日期', description: '竣工日期' },
    rectification: { ...text(5000), title: '整改情况', description: '验收未通过后的整改情况' },
  },
} as const;

const signFields = { type: 'object', additionalProperties: false, required: ['opinion'], properties: { opinion } } as const;
const failFields = {
  type: 'object',
  additionalProperties: false,
  required: ['defects'],
  properties: {
    defects: { type: 'array', minItems: 1, maxItems: 50, items: text(500, 4), title: '验收发现的问题', description: '验收发现的问题（逐项）' },
    opinion,
  },
} as const;

const assetFields = {
  type: 'object',
  additionalProperties: false,
  required: ['handoverDate', 'assets'],
  properties: {
    handoverDate: { ...date, title: '移交日期', description: '移交日期' },
    assets: {
      type: 'array',
      title: '移交资产',
      minItems: 1,
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'quantity', 'unit', 'value', 'owner'],
        properties: {
          name: { ...text(100, 2), title: '资产名称', description: '资产名称' },
          kind: { ...text(50), title: '资产类别', description: '资产类别（经营性、公益性等）' },
          quantity: { type: 'number', exclusiveMinimum: 0, maximum: 1e9, title: '数量', description: '数量' },
          unit: { ...text(20), title: '计量单位' },
          value: { ...yuan, title: '资产价值（元）', description: '资产价值（元）' },
          owner: {
            type: 'object',
            title: '确权移交对象',
            additionalProperties: false,
            required: ['type', 'name'],
            properties: {
              type: { ...choice(OWNER_TYPE_LABELS), title: '移交对象类型', description: 'village_collective 村集体 / unit 单位' },
              name: { ...text(100, 2), title: '移交对象名称', description: '确权移交对象（村集体经济组织或单位名称）' },
              areaCode: { type: 'string', pattern: '^\\d{12}$', title: '所在村', description: '村集体所在村（12位区划代码）' },
            },
          },
        },
      },
    },
  },
} as const;

const CONTRACT: TransitionMeta = {
  title: '签订合同并开工',
  titleEn: 'Record contract and start of works',
  roles: ['village', 'township'],
  evidence: { allOf: ['contract', 'start_report'] },
  fields: contractFields,
};
const PROGRESS: TransitionMeta = {
  title: '报告进度（乡镇现场核实）',
  titleEn: 'Report verified progress',
  roles: ['township'],
  evidence: { allOf: ['progress_photo'] },
  fields: progressFields,
};
const COMPLETE: TransitionMeta = {
  title: '竣工',
  titleEn: 'Report completion',
  roles: ['village', 'township'],
  evidence: { allOf: ['completion_report'] },
  fields: completionFields,
};
const SIGN: TransitionMeta = {
  title: '验收签字（通过）',
  titleEn: 'Sign acceptance',
  roles: ['township', 'department', 'county'],
  evidence: { allOf: ['acceptance_record'] },
  fields: signFields,
  review: true,
};
const FAIL: TransitionMeta = {
  title: '验收不通过',
  titleEn: 'Fail acceptance',
  roles: ['township', 'department', 'county'],
  evidence: { allOf: ['acceptance_record'] },
  reasonRequired: true,
  fields: failFields,
  review: true,
};
const ASSETS: TransitionMeta = {
  title: '资产确权移交',
  titleEn: 'Register and hand over the assets',
  roles: ['township', 'county'],
  evidence: { allOf: ['handover_record'] },
  fields: assetFields,
};
const CANCEL: TransitionMeta = {
  title: '撤销项目实施',
  titleEn: 'Cancel the implementation',
  roles: ['village', 'township', 'county'],
  reasonRequired: true,
  fields: optionalOpinionFields,
};
const NOTICE = noticeMetas(['township', 'county'], ['village', 'township', 'county', 'department']);

const CANCEL_RULES = ['cancel_by_opening_level', 'cancel_no_pending_payment'];
const SIGN_RULES = ['acceptance_party_required', 'acceptance_record_own', 'acceptance_not_yet_signed'];

export const projectImplementationMachine = setup({
  types: { context: {} as Ctx, events: {} as ProcedureEvent, input: {} as ImplementationInput },
  guards: { allowed: allowedGuard(implementationRules) },
  actions: {
    recordContract: assign(({ event }) => ({
      contract: {
        contractNo: event.data.contractNo,
        contractor: event.data.contractor,
        amountFen: toFen(event.data.contractAmount),
        signedOn: event.data.signedOn,
        startedOn: event.data.startedOn,
        plannedEnd: event.data.plannedEnd,
        by: event.actor.id,
        at: event.env.now,
      },
    })),
    recordProgress: assign(({ context, event }) => ({
      progress: [
        ...context.progress,
        { percent: event.data.percent, date: event.data.date, note: event.data.note ?? null, by: event.actor.id, at: event.env.now, evidenceIds: event.evidence.map((e) => e.id) },
      ],
    })),
    recordCompletion: assign(({ event }) => ({
      completion: { completedOn: event.data.completedOn, by: event.actor.id, at: event.env.now, rectification: event.data.rectification ?? null },
      openDefects: [],
    })),
    /** every round starts with no signature; the parties come from the case's policy */
    openAcceptance: assign(({ context, event }) => ({
      acceptance: { required: acceptanceParties(event.env.policy, context.category), signatures: [] },
    })),
    recordSignature: assign(({ context, event }) => ({
      acceptance: {
        required: context.acceptance?.required ?? [],
        signatures: [
          ...(context.acceptance?.signatures ?? []),
          { party: partyOf(event.actor), by: event.actor.id, at: event.env.now, opinion: event.data.opinion, evidenceIds: event.evidence.map((e) => e.id) },
        ],
      },
    })),
    markAccepted: assign(({ event }) => ({ acceptedAt: event.env.now })),
    recordFailure: assign(({ context, event }) => ({
      failedAcceptances: [
        ...context.failedAcceptances,
        { party: partyOf(event.actor), by: event.actor.id, at: event.env.now, reason: event.reason ?? null, defects: event.data.defects },
      ],
      openDefects: event.data.defects as string[],
      completion: null,
    })),
    recordAssets: assign(({ event }) => {
      const items: Asset[] = (event.data.assets as Array<Record<string, any>>).map((a) => ({
        name: a.name,
        kind: a.kind ?? null,
        quantity: a.quantity,
        unit: a.unit,
        valueFen: toFen(a.value),
        owner: { type: a.owner.type, name: a.owner.name, areaCode: a.owner.areaCode ?? null },
      }));
      return { assets: { items, handoverDate: event.data.handoverDate, by: event.actor.id, at: event.env.now, totalFen: items.reduce((s, a) => s + a.valueFen, 0) } };
    }),
    publishNotice: assign(({ event }) => publishNotice(event, 'projects.noticePeriod')),
    clearNotice: assign({ notice: null, timers: noTimers }),
    close: assign(({ event }) => ({ closedAt: event.env.now })),
    recordCancellation: assign(({ event }) => ({
      cancellation: { by: event.actor.id, role: event.actor.role, at: event.env.now, reason: event.reason ?? '', paidFen: implFacts(event).paidFen ?? 0 },
    })),
  },
}).createMachine({
  id: PROJECT_IMPLEMENTATION,
  initial: 'contracting',
  context: ({ input }) => ({
    ...input,
    timers: [],
    contract: null,
    progress: [],
    completion: null,
    acceptance: null,
    failedAcceptances: [],
    openDefects: [],
    acceptedAt: null,
    assets: null,
    notice: null,
    closedAt: null,
    cancellation: null,
  }),
  states: {
    contracting: {
      ...state('合同签订与开工', 'Contract and start of works'),
      on: {
        RECORD_CONTRACT: { guard: allowed({ rules: ['contract_dates_valid', 'contract_within_planned_funds'] }), target: 'in_progress', actions: 'recordContract', meta: CONTRACT },
        CANCEL: { guard: allowed({ rules: CANCEL_RULES }), target: 'cancelled', actions: 'recordCancellation', meta: CANCEL },
      },
    },
    in_progress: {
      ...state('实施中', 'In progress'),
      on: {
        REPORT_PROGRESS: { guard: allowed({ rules: ['progress_monotonic', 'progress_date_valid'] }), actions: 'recordProgress', meta: PROGRESS },
        COMPLETE: {
          guard: allowed({ rules: ['progress_complete', 'completion_date_valid', 'defects_rectified'] }),
          target: 'acceptance',
          actions: 'recordCompletion',
          meta: COMPLETE,
        },
        CANCEL: { guard: allowed({ rules: CANCEL_RULES }), target: 'cancelled', actions: 'recordCancellation', meta: CANCEL },
      },
    },
    acceptance: {
      ...state('竣工验收', 'Acceptance'),
      entry: 'openAcceptance',
      on: {
        // the last outstanding party's signature accepts the project; the others are recorded
        SIGN_ACCEPTANCE: [
          { guard: allowed({ rules: [...SIGN_RULES, 'acceptance_complete'] }), target: 'asset_registration', actions: ['recordSignature', 'markAccepted'], meta: SIGN },
          { guard: allowed({ rules: SIGN_RULES }), actions: 'recordSignature', meta: SIGN },
        ],
        FAIL_ACCEPTANCE: {
          guard: allowed({ rules: ['acceptance_party_required', 'acceptance_record_own'] }),
          target: 'in_progress',
          actions: 'recordFailure',
          meta: FAIL,
        },
      },
    },
    asset_registration: {
      ...state('资产确权移交', 'Asset registration'),
      on: {
        REGISTER_ASSETS: { guard: allowed({ rules: ['handover_date_valid', 'asset_owner_in_county'] }), target: 'completion_notice', actions: 'recordAssets', meta: ASSETS },
      },
    },
    completion_notice: {
      ...state('竣工公告公示', 'Completion notice'),
      entry: 'clearNotice',
      exit: assign({ timers: noTimers }),
      on: {
        PUBLISH_NOTICE: { guard: allowed({ rules: ['notice_not_yet_published', 'notice_min_period'] }), actions: 'publishNotice', meta: NOTICE.publish },
        // the notice leaves the board; the assets are registered (and the notice published) again
        RAISE_OBJECTION: { guard: allowed({ rules: ['notice_open'] }), target: 'asset_registration', actions: 'clearNotice', meta: NOTICE.object },
        CLOSE_NOTICE: { guard: allowed({ rules: ['notice_period_over'] }), target: 'closed', actions: 'close', meta: NOTICE.close },
      },
    },
    closed: { ...state('已完结', 'Closed'), type: 'final' },
    cancelled: { ...state('已撤销', 'Cancelled'), type: 'final' },
  },
});

/** What opening an implementation reads: the project, its plan entry, an implementation already opened. */
export interface ImplementationCreationFacts {
  projectStatus: string;
  planned: boolean;
  implementationCaseId: string | null;
}
const f = (facts: Record<string, any>) => facts as ImplementationCreationFacts;

export const implementationCreationRules = {
  project_in_library: {
    message: '只有已入库的项目才能实施',
    messageEn: 'Only a project in the library can be implemented',
    check: ({ facts }) => f(facts).projectStatus === 'in_library',
    explain: ({ facts }) => ({ details: { projectStatus: f(facts).projectStatus } }),
  },
  project_in_plan: {
    message: '项目未列入年度实施计划，不能进入实施',
    messageEn: 'The project is not in an annual implementation plan',
    check: ({ facts }) => f(facts).planned,
  },
  implementation_not_started: {
    message: '该项目已有实施案件',
    messageEn: 'The project already has an implementation case',
    check: ({ facts }) => !f(facts).implementationCaseId,
    explain: ({ facts }) => ({ details: { caseId: f(facts).implementationCaseId } }),
  },
} satisfies Record<string, CreationRuleDef<ImplementationInput>>;

export const projectImplementation: ProcedureDefinition<Ctx, ImplementationInput> = {
  id: PROJECT_IMPLEMENTATION,
  version: 1,
  title: '项目实施',
  titleEn: 'Project implementation',
  subjectType: 'project',
  machine: projectImplementationMachine,
  rules: implementationRules,
  creationRules: implementationCreationRules,
};

/** figures of the case as the ledgers and payments read them */
export function implementationFigures(c: Ctx) {
  const last = latestProgress(c);
  return {
    contractFen: c.contract?.amountFen ?? null,
    progressPercent: c.acceptedAt ? 100 : (last?.percent ?? 0),
    lastProgressDate: last?.date ?? null,
    accepted: c.acceptedAt !== null,
  };
}

