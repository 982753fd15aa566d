/**
 * 项目资金拨付 — one payment of an implemented project (SF-23).
 *
 * draft ─► finance_review ─► paid
 * (申请)     (县级财政审核)
 *  the requester withdraws a draft; the county rejects (with reason)
 *
 * A payment request names its amount, its kind (预付款 / 进度款 / 尾款), the invoice and the
 * contract it pays. The payment rules of project-funds.ts (cumulative, waiting payments included,
 * against max(advance ratio, verified progress) × contract, the advance ratio, no final payment before acceptance, the contract
 * amount, the planned funds) are judged when the request is submitted and again when the county
 * approves it, on the figures of that moment (the engine loads them as facts). The county's
 * approval is a review step: whoever requested or submitted the payment cannot approve it (SF-25).
 */
import { assign, setup } from 'xstate';
import { allowedGuard, type BaseContext, type CreationRuleDef, type ProcedureDefinition, type ProcedureEvent, type RuleSet, type TransitionMeta } from './procedure';
import { PAYABLE_STATES, PAYMENT_RULE_IDS, PAYMENT_RULES, type PaymentFacts, type PaymentKind, type PaymentRuleId } from './project-funds';
import { allowed, opinionFields, optionalOpinionFields, rejectMeta, state } from './steps';

export const PROJECT_PAYMENT = 'project-payment';

export interface PaymentInput {
  /** the village of the project */
  areaCode: string;
  projectId: string;
  implementationCaseId: string;
  kind: PaymentKind;
  amountFen: number;
  invoiceNo: string;
  contractRef: string;
  purpose: string;
}

export interface PaymentContext extends BaseContext, PaymentInput {
  requestedBy: string | null;
  submittedAt: string | null;
  approval: { by: string; at: string; opinion: string } | null;
  outcomeReason: string | null;
}

const factsOf = (event: ProcedureEvent) => event.env.facts as unknown as PaymentFacts;

function paymentRule(id: PaymentRuleId): RuleSet<PaymentContext>[string] {
  const rule = PAYMENT_RULES[id];
  return {
    message: rule.message,
    messageEn: rule.messageEn,
    check: ({ context, event }) => rule.check(factsOf(event), context, event.env.policy),
    explain: ({ context, event }) => rule.explain(factsOf(event), context, event.env.policy),
  };
}

export const paymentRules: RuleSet<PaymentContext> = {
  ...(Object.fromEntries(PAYMENT_RULE_IDS.map((id) => [id, paymentRule(id)])) as RuleSet<PaymentContext>),
  contract_reference_matches: {
    message: '拨付申请引用的合同编号与项目登记的合同不一致',
    messageEn: 'The contract reference does not match the recorded contract',
    check: ({ context, event }) => factsOf(event).contractNo === context.contractRef,
    explain: ({ context, event }) => ({
      message: `拨付申请引用的合同编号“${context.contractRef}”与项目登记的合同“${factsOf(event).contractNo ?? '（未登记）'}”不一致`,
      details: { contractRef: context.contractRef, contractNo: factsOf(event).contractNo },
    }),
  },
};

const MONEY_RULES = ['contract_reference_matches', ...PAYMENT_RULE_IDS];

const SUBMIT: TransitionMeta = {
  title: '提交拨付申请',
  titleEn: 'Submit payment request',
  roles: ['village', 'township', 'county'],
  evidence: { allOf: ['invoice'] },
  fields: optionalOpinionFields,
};
const WITHDRAW: TransitionMeta = { title: '撤回拨付申请', titleEn: 'Withdraw', roles: ['village', 'township', 'county'], reasonRequired: true, fields: optionalOpinionFields };
const APPROVE: TransitionMeta = { title: '县级财政审核拨付', titleEn: 'County finance approves the payment', roles: ['county'], fields: opinionFields, review: true };
const REJECT = rejectMeta(['county'], '不予拨付', 'Reject');

export const projectPaymentMachine = setup({
  types: { context: {} as PaymentContext, events: {} as ProcedureEvent, input: {} as PaymentInput },
  guards: { allowed: allowedGuard(paymentRules) },
  actions: {
    recordSubmission: assign(({ event }) => ({ requestedBy: event.actor.id, submittedAt: event.env.now })),
    recordApproval: assign(({ event }) => ({ approval: { by: event.actor.id, at: event.env.now, opinion: event.data.opinion } })),
    recordOutcomeReason: assign(({ event }) => ({ outcomeReason: event.reason ?? null })),
  },
}).createMachine({
  id: PROJECT_PAYMENT,
  initial: 'draft',
  context: ({ input }) => ({ ...input, timers: [], requestedBy: null, submittedAt: null, approval: null, outcomeReason: null }),
  states: {
    draft: {
      ...state('拨付申请', 'Payment request'),
      on: {
        SUBMIT: { guard: allowed({ rules: MONEY_RULES }), target: 'finance_review', actions: 'recordSubmission', meta: SUBMIT },
        WITHDRAW: { guard: allowed({}), target: 'withdrawn', actions: 'recordOutcomeReason', meta: WITHDRAW },
      },
    },
    finance_review: {
      ...state('县级财政审核', 'County finance review'),
      on: {
        APPROVE: { guard: allowed({ rules: MONEY_RULES }), target: 'paid', actions: 'recordApproval', meta: APPROVE },
        REJECT: { guard: allowed({}), target: 'rejected', actions: 'recordOutcomeReason', meta: REJECT },
      },
    },
    paid: { ...state('已拨付', 'Paid'), type: 'final' },
    rejected: { ...state('不予拨付', 'Rejected'), type: 'final' },
    withdrawn: { ...state('已撤回', 'Withdrawn'), type: 'final' },
  },
});

/** What opening a payment reads: the implementation it pays, another live request with the same invoice. */
export interface PaymentCreationFacts {
  implementationState: string | null;
  /** the payment case of the county that already holds this invoice (draft, submitted or paid) */
  invoiceUsedBy: string | null;
}

/** "the same invoice": the number without blanks, upper case */
export const invoiceKeyOf = (invoiceNo: string): string => invoiceNo.replace(/\s+/g, '').toUpperCase();

export const paymentCreationRules = {
  implementation_payable: {
    message: '项目尚未进入实施（签订合同并开工）或不在实施中，不能申请拨付',
    messageEn: 'The project is not in implementation (contract and start recorded)',
    check: ({ facts }) => PAYABLE_STATES.includes(String((facts as PaymentCreationFacts).implementationState)),
    explain: ({ facts }) => ({ details: { implementationState: (facts as PaymentCreationFacts).implementationState } }),
  },
  invoice_not_reused: {
    message: '同一发票已用于本县另一笔拨付申请，不得重复报账',
    messageEn: 'The invoice is already used by another payment request of the county (no double claim)',
    check: ({ facts }) => !(facts as PaymentCreationFacts).invoiceUsedBy,
    explain: ({ input, facts }) => ({
      message: `发票号码“${input.invoiceNo}”已用于本县另一笔拨付申请，不得重复报账`,
      details: { invoiceNo: input.invoiceNo, paymentCaseId: (facts as PaymentCreationFacts).invoiceUsedBy },
    }),
  },
} satisfies Record<string, CreationRuleDef<PaymentInput>>;

export const projectPayment: ProcedureDefinition<PaymentContext, PaymentInput> = {
  id: PROJECT_PAYMENT,
  version: 1,
  title: '项目资金拨付',
  titleEn: 'Project payment',
  subjectType: 'project',
  machine: projectPaymentMachine,
  rules: paymentRules,
  creationRules: paymentCreationRules,
};
