/**
 * 公益性岗位设岗 — public-welfare post setting (domain/procedures.md §3, 按需设岗).
 *
 * applied ─► township_review ─► county_approval ─► open ─► closed
 *   (村申请)      (乡镇审核)     (县级审定 / 人社部门)  (岗位开放)  (岗位撤销)
 * The cap per village and post type (posts.capPerVillage) is judged at approval against the
 * posts already open: above it only the county may approve, with a written justification (SF-12).
 */
import { assign, setup } from 'xstate';
import { allowed, optionalOpinionFields, rejectMeta, returnBranches, returnMeta, state, TOWNSHIP_APPROVE } from './steps';
import {
  allowedGuard,
  type BaseContext,
  money,
  opinion,
  type ProcedureDefinition,
  type ProcedureEvent,
  type RuleArgs,
  type RuleSet,
  type TransitionMeta,
} from './procedure';
import { textProblemOf } from '../common/domain/reason';
import { capFor, capOf, POST_TYPE_IDS, type PostType, postsPolicy } from './welfare-posts.shared';

export const WELFARE_POST_SETTING = 'welfare-post-setting';

export interface PostSettingInput {
  /** the id the post will have once open (the case's subject) */
  postId: string;
  /** the village (12 digits) */
  areaCode: string;
  postType: PostType;
  places: number;
  duties: string;
  monthlySubsidy: number;
  termMonths: number;
  justification: string;
}

/** What the adapter loads before each event. */
export interface PostSettingFacts {
  /** households registered in the village */
  households: number;
  /** places of the open posts of the same type in the village, this one excluded */
  openPlaces: number;
  /** holders currently on this post (contracted or on duty) */
  filled: number;
}

export interface PostSettingContext extends BaseContext, PostSettingInput {
  submittedAt: string | null;
  townshipOpinion: string | null;
  approval: {
    opinion: string | null;
    approverRole: string;
    cap: number | null;
    openPlacesBefore: number;
    households: number;
    overCap: boolean;
    capJustification: string | null;
    approvedAt: string;
  } | null;
  outcomeReason: string | null;
  returns: number;
}

// ---------------------------------------------------------------- business rules

const factsOf = (event: ProcedureEvent): PostSettingFacts => ({
  households: 0,
  openPlaces: 0,
  filled: 0,
  ...(event.env.facts as Partial<PostSettingFacts>),
});

/** The cap and whether this application goes above it, judged now. */
export function capCheck({ context, event }: RuleArgs<PostSettingContext>) {
  const p = postsPolicy(event.env.policy);
  const facts = factsOf(event);
  const cap = capFor(capOf(p, context.postType), facts.households);
  const overCap = cap !== null && facts.openPlaces + context.places > cap;
  return { cap, overCap, openPlaces: facts.openPlaces, households: facts.households };
}

export const postSettingRules: RuleSet<PostSettingContext> = {
  term_within_max: {
    message: '岗位聘期不得超过政策规定的最长协议期限',
    messageEn: 'The term of the post is above the maximum contract term',
    check: ({ context, event }) => context.termMonths <= postsPolicy(event.env.policy).maxTermMonths,
  },
  approver_in_charge: {
    message: '岗位设置由县级审定，政策规定由人社部门审批的由人社部门审批；超出设岗上限的只能由县级审定（SF-12）',
    messageEn: 'Post setting is approved by the county, or by the human-resources department where the policy says so; above the cap only the county may approve (SF-12)',
    check: (args) => {
      const { actor } = args.event;
      if (capCheck(args).overCap) return actor.role === 'county';
      return postsPolicy(args.event.env.policy).approver === 'human_resources'
        ? actor.role === 'department' && actor.sector === 'human_resources'
        : actor.role === 'county';
    },
  },
  cap_respected_or_justified: {
    message: '申请岗位数超出本村该类岗位设岗上限，县级审定须写明超设理由（capJustification），不能是套话或过短的文字（SF-12）',
    messageEn: 'The places requested go above the cap for this village and post type: county approval needs a written capJustification (SF-12)',
    usesEventData: true,
    check: (args) => !capCheck(args).overCap || textProblemOf(args.event.data.capJustification, args.event.env.policy, 'justification') === null,
  },
  need_justified: {
    message: '设岗理由须写明本村为何需要该岗位，不能是套话或过短的文字（按需设岗，SF-12）',
    messageEn: 'The justification of the post must say why the village needs it: no placeholder, not too short (SF-12)',
    check: ({ context, event }) => textProblemOf(context.justification, event.env.policy, 'justification') === null,
  },
  no_holders_to_close: {
    message: '岗位仍有在岗人员，须先办理退岗后才能撤销岗位',
    messageEn: 'The post still has holders: they must exit before the post is closed',
    check: ({ event }) => factsOf(event).filled === 0,
  },
};

// ---------------------------------------------------------------- event data schemas

const approvalFields = {
  type: 'object',
  additionalProperties: false,
  properties: {
    opinion,
    capJustification: {
      type: 'string',
      maxLength: 2000,
      title: '超设理由',
      description: '超出设岗上限时的超设理由（SF-12），审定超上限的申请时必填',
    },
  },
} as const;

/** The creation payload, published for front-ends with the definition. */
export const postSettingCreateSchema = {
  type: 'object',
  required: ['areaCode', 'postType', 'places', 'duties', 'monthlySubsidy', 'termMonths', 'justification'],
  properties: {
    areaCode: { type: 'string', pattern: '^\\d{12}$', description: '村级12位区划代码' },
    postType: { enum: POST_TYPE_IDS },
    places: { type: 'integer', minimum: 1, maximum: 200 },
    duties: { type: 'string', minLength: 4 },
    monthlySubsidy: money,
    termMonths: { type: 'integer', minimum: 1, maximum: 60 },
    justification: { type: 'string', minLength: 1, maxLength: 2000, description: '设岗理由（按需设岗），须通过书面说明的文字要求' },
  },
} as const;

// ---------------------------------------------------------------- transition meta

const SUBMIT: TransitionMeta = {
  title: '提交设岗申请',
  titleEn: 'Submit post application',
  roles: ['village'],
  evidence: { allOf: ['application_form'] },
  fields: optionalOpinionFields,
};
const WITHDRAW: TransitionMeta = { title: '撤回', titleEn: 'Withdraw', roles: ['village'], reasonRequired: true, fields: optionalOpinionFields };
const APPROVERS: TransitionMeta['roles'] = ['county', 'department'];
const COUNTY_APPROVE: TransitionMeta = {
  title: '审定设岗',
  titleEn: 'Approve post setting',
  roles: APPROVERS,
  fields: approvalFields,
  review: true,
};
const CLOSE_POST: TransitionMeta = {
  title: '撤销岗位',
  titleEn: 'Close the post',
  roles: ['county'],
  reasonRequired: true,
  fields: optionalOpinionFields,
};


const TOWNSHIP_RETURN_TARGETS = ['applied'];
const COUNTY_RETURN_TARGETS = ['township_review', 'applied'];
const TOWNSHIP_RETURN = returnMeta(['township'], TOWNSHIP_RETURN_TARGETS);
const COUNTY_RETURN = returnMeta(APPROVERS, COUNTY_RETURN_TARGETS);
const reject = (roles: TransitionMeta['roles']) => rejectMeta(roles, '不予设岗', 'Reject');

export const postSettingMachine = setup({
  types: {
    context: {} as PostSettingContext,
    events: {} as ProcedureEvent,
    input: {} as PostSettingInput,
  },
  guards: { allowed: allowedGuard(postSettingRules) },
  actions: {
    recordSubmission: assign(({ event }) => ({ submittedAt: event.env.now })),
    recordTownshipOpinion: assign(({ event }) => ({ townshipOpinion: event.data.opinion ?? null })),
    recordApproval: assign(({ context, event }) => {
      const c = capCheck({ context, event });
      return {
        approval: {
          opinion: event.data.opinion ?? null,
          approverRole: event.actor.role,
          cap: c.cap,
          openPlacesBefore: c.openPlaces,
          households: c.households,
          overCap: c.overCap,
          capJustification: c.overCap ? String(event.data.capJustification).trim() : null,
          approvedAt: event.env.now,
        },
      };
    }),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
    countReturn: assign(({ context }) => ({ returns: context.returns + 1 })),
  },
}).createMachine({
  id: WELFARE_POST_SETTING,
  initial: 'applied',
  context: ({ input }) => ({
    ...input,
    timers: [],
    submittedAt: null,
    townshipOpinion: null,
    approval: null,
    outcomeReason: null,
    returns: 0,
  }),
  states: {
    applied: {
      ...state('村级申请', 'Village application'),
      on: {
        SUBMIT: { guard: allowed({ rules: ['term_within_max', 'need_justified'] }), target: 'township_review', actions: 'recordSubmission', meta: SUBMIT },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
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
          guard: allowed({ rules: ['approver_in_charge', 'term_within_max', 'cap_respected_or_justified'] }),
          target: 'open',
          actions: 'recordApproval',
          meta: COUNTY_APPROVE,
        },
        RETURN: returnBranches(COUNTY_RETURN_TARGETS, COUNTY_RETURN, ['approver_in_charge']),
        REJECT: {
          guard: allowed({ rules: ['approver_in_charge'] }),
          target: 'rejected',
          actions: 'recordOutcomeReason',
          meta: reject(APPROVERS),
        },
      },
    },
    open: {
      ...state('岗位开放', 'Open'),
      on: {
        CLOSE_POST: { guard: allowed({ rules: ['no_holders_to_close'] }), target: 'closed', actions: 'recordOutcomeReason', meta: CLOSE_POST },
      },
    },
    closed: { ...state('岗位已撤销', 'Closed'), type: 'final' },
    rejected: { ...state('不予设岗', 'Rejected'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

export const welfarePostSetting: ProcedureDefinition<PostSettingContext, PostSettingInput> = {
  id: WELFARE_POST_SETTING,
  version: 1,
  title: '公益性岗位设岗',
  titleEn: 'Public-welfare post setting',
  subjectType: 'post',
  machine: postSettingMachine,
  rules: postSettingRules,
};
