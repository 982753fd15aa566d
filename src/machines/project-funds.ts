/**
 * Money of project implementation (SF-23), in integer fen (分): yuan with cents arrive as
 * numbers with at most two decimals and are turned into fen once, at the door; every sum,
 * ratio and comparison after that is integer arithmetic, so 0.1 + 0.2 never decides a payment.
 * Pure: no Nest, no TypeORM.
 */
import { POLICY_KEYS, type PolicyValues } from '../common/policy/policy-keys';

/** yuan (at most two decimals, already validated) → fen */
export const toFen = (yuan: number): number => Math.round(yuan * 100);
/** fen → yuan, for answers (a number with at most two decimals) */
export const toYuan = (fen: number): number => fen / 100;
/** fen → "1234.50", for spreadsheets and notices */
export const yuanText = (fen: number): string => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

/** the policy's advance ratio in basis points (0.3 → 3000), so the allowance is integer arithmetic */
export function advanceBasisPoints(policy: Partial<PolicyValues> | Record<string, unknown>): number {
  const ratio = (policy as Record<string, unknown>)['projects.advanceRatio'];
  return Math.round((typeof ratio === 'number' ? ratio : POLICY_KEYS['projects.advanceRatio'].default) * 10000);
}

/** implementation states a payment can be requested and approved in (not before the contract, not after 撤销) */
export const PAYABLE_STATES = ['in_progress', 'acceptance', 'asset_registration', 'completion_notice', 'closed'];

export const PAYMENT_KINDS = ['advance', 'progress', 'final'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];
export const PAYMENT_KIND_TITLES: Record<PaymentKind, string> = { advance: '预付款', progress: '进度款', final: '尾款（结算款）' };

/**
 * What a payment is judged on, loaded by the payment adapter from the implementation it pays
 * (the other payments are those of the same project, this one excluded).
 */
export interface PaymentFacts {
  /** the implementation's state, null when the project has no implementation case */
  implementationState: string | null;
  contractNo: string | null;
  /** the contract amount; null before the contract is recorded */
  contractFen: number | null;
  /** the planned funds of the project in the annual plan */
  plannedFen: number;
  /** the latest progress the township verified on site (0–100); 100 once accepted */
  progressPercent: number;
  /** acceptance (竣工验收) passed */
  accepted: boolean;
  /** approved payments */
  paidFen: number;
  /** submitted payments awaiting the county's approval */
  pendingFen: number;
  /** approved and pending payments of kind `advance` */
  advanceFen: number;
}

export interface PaymentRequest {
  kind: PaymentKind;
  amountFen: number;
}

/** The figures every payment rule reads, computed once. */
export function paymentFigures(f: PaymentFacts, r: PaymentRequest, policy: Record<string, unknown>) {
  const contract = f.contractFen ?? 0;
  const progress = f.accepted ? 100 : Math.max(0, Math.min(100, f.progressPercent));
  const bp = advanceBasisPoints(policy);
  const cumulative = f.paidFen + f.pendingFen + r.amountFen;
  const advanceAllowance = Math.floor((contract * bp) / 10000);
  // the value of the work done so far, in whole fen (integer percent of an integer amount)
  const earned = Math.floor((contract * Math.round(progress * 100)) / 10000);
  return {
    contract,
    progress,
    cumulative,
    advanceAllowance,
    earned,
    // SF-23: the advance is recovered as the work proceeds — the advance ratio is a floor of the
    // limit while progress is below it, never an addition to the progress (80% at 60% is refused)
    progressLimit: Math.max(earned, advanceAllowance),
    advanceCumulative: f.advanceFen + (r.kind === 'advance' ? r.amountFen : 0),
  };
}

export type PaymentRuleId =
  | 'contract_recorded'
  | 'payment_within_progress'
  | 'advance_within_ratio'
  | 'final_after_acceptance'
  | 'within_contract'
  | 'within_planned_funds';

interface PaymentRule {
  message: string;
  messageEn: string;
  check(f: PaymentFacts, r: PaymentRequest, policy: Record<string, unknown>): boolean;
  /** the figures at fault, in yuan, for the refusal's details */
  explain(f: PaymentFacts, r: PaymentRequest, policy: Record<string, unknown>): { message: string; details: Record<string, unknown> };
}

const y = yuanText;

/**
 * The payment rules (SF-23), in the order they are reported. Each is judged when the payment
 * is submitted and again when the county approves it, on the figures of that moment.
 */
export const PAYMENT_RULES: Record<PaymentRuleId, PaymentRule> = {
  contract_recorded: {
    message: '项目尚未签订合同并开工，不能申请拨付',
    messageEn: 'No contract has been recorded for the project',
    check: (f) => f.contractFen !== null && PAYABLE_STATES.includes(String(f.implementationState)),
    explain: (f) => ({
      message: f.implementationState === 'cancelled' ? '项目实施已撤销，不能拨付' : '项目尚未签订合同并开工，不能申请拨付',
      details: { implementationState: f.implementationState },
    }),
  },
  payment_within_progress: {
    message: '累计拨付（含待审核）不得超过已核实进度与预付款比例中较大者对应的合同金额，预付款随工程进度扣回（SF-23）',
    messageEn: 'Cumulative payments (pending included) cannot exceed max(advance ratio, verified progress) times the contract amount (SF-23)',
    check: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return x.cumulative <= x.progressLimit;
    },
    explain: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return {
        message: `累计拨付（含待审核）将达${y(x.cumulative)}元，超过上限${y(x.progressLimit)}元：已核实进度${x.progress}%对应${y(x.earned)}元，预付款额度${y(x.advanceAllowance)}元，取较大者，预付款随进度扣回（SF-23）`,
        details: { cumulative: y(x.cumulative), limit: y(x.progressLimit), progressPercent: x.progress, earned: y(x.earned), advanceAllowance: y(x.advanceAllowance) },
      };
    },
  },
  advance_within_ratio: {
    message: '预付款累计不得超过合同金额的规定比例（SF-23）',
    messageEn: 'Advance payments cannot exceed the policy ratio of the contract amount (SF-23)',
    check: (f, r, p) => {
      if (r.kind !== 'advance') return true;
      const x = paymentFigures(f, r, p);
      return !f.accepted && x.advanceCumulative <= x.advanceAllowance;
    },
    explain: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return {
        message: f.accepted
          ? '项目已竣工验收，不再拨付预付款，请按尾款申请（SF-23）'
          : `预付款累计将达${y(x.advanceCumulative)}元，超过合同金额${advanceBasisPoints(p) / 100}%即${y(x.advanceAllowance)}元（SF-23）`,
        details: { advanceCumulative: y(x.advanceCumulative), limit: y(x.advanceAllowance), ratio: advanceBasisPoints(p) / 10000, accepted: f.accepted },
      };
    },
  },
  final_after_acceptance: {
    message: '尾款（以及使累计拨付达到合同金额的款项）须在竣工验收合格后拨付（SF-23）',
    messageEn: 'The final payment (or any payment reaching the contract amount) comes only after acceptance (SF-23)',
    check: (f, r, p) => {
      if (f.accepted) return true;
      const x = paymentFigures(f, r, p);
      return r.kind !== 'final' && x.cumulative < x.contract;
    },
    explain: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return {
        message: '项目尚未通过竣工验收，不能拨付尾款或拨付至合同全额（SF-23）',
        details: { kind: r.kind, cumulative: y(x.cumulative), contractAmount: y(x.contract), implementationState: f.implementationState },
      };
    },
  },
  within_contract: {
    message: '累计拨付不得超过合同金额',
    messageEn: 'Cumulative payments cannot exceed the contract amount',
    check: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return x.cumulative <= x.contract;
    },
    explain: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return { message: `累计拨付将达${y(x.cumulative)}元，超过合同金额${y(x.contract)}元`, details: { cumulative: y(x.cumulative), limit: y(x.contract) } };
    },
  },
  within_planned_funds: {
    message: '累计拨付不得超过年度计划安排的资金',
    messageEn: 'Cumulative payments cannot exceed the planned funds',
    check: (f, r, p) => paymentFigures(f, r, p).cumulative <= f.plannedFen,
    explain: (f, r, p) => {
      const x = paymentFigures(f, r, p);
      return { message: `累计拨付将达${y(x.cumulative)}元，超过年度计划资金${y(f.plannedFen)}元`, details: { cumulative: y(x.cumulative), limit: y(f.plannedFen) } };
    },
  },
};

export const PAYMENT_RULE_IDS = Object.keys(PAYMENT_RULES) as PaymentRuleId[];

/** The payment rules a request fails, in their declared order. */
export function failingPaymentRules(f: PaymentFacts, r: PaymentRequest, policy: Record<string, unknown>): PaymentRuleId[] {
  return PAYMENT_RULE_IDS.filter((id) => !PAYMENT_RULES[id].check(f, r, policy));
}

/**
 * The annual plan's rules (SF-21, issue 19), judged when the county puts a library project in a
 * year's plan and whenever it changes the entry: the project is planned only for its library
 * year, and the planned funds stay within the library budget — more money is a change of the
 * project through intake (argued again), never a larger plan. The first failing rule, or null.
 */
export function planRefusal(
  project: { year: number; totalBudgetFen: number },
  entry: { year: number; plannedFen: number },
): { rule: 'plan_in_library_year' | 'planned_within_library_budget'; message: string; details: Record<string, unknown> } | null {
  if (entry.year !== project.year) {
    return {
      rule: 'plan_in_library_year',
      message: `项目入库年度为${project.year}年，只能列入${project.year}年度实施计划`,
      details: { year: entry.year, libraryYear: project.year },
    };
  }
  if (entry.plannedFen > project.totalBudgetFen) {
    return {
      rule: 'planned_within_library_budget',
      message: `计划安排资金${yuanText(entry.plannedFen)}元超过项目库批准的总投资${yuanText(project.totalBudgetFen)}元；增加投资须先经项目变更论证（SF-21）`,
      details: { planned: yuanText(entry.plannedFen), libraryBudget: yuanText(project.totalBudgetFen) },
    };
  }
  return null;
}
