/**
 * SF-23: each payment rule at its boundary — exactly at the limit passes, one yuan above is
 * refused, naming the rule — judged by the payment machine on the figures the engine loads.
 */
import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkRole, checkRules, checkSeparation, selectBranch } from '../modules/engine/requirements';
import type { ProcedureEvent } from './procedure';
import { type PaymentFacts, type PaymentKind, paymentFigures, planRefusal, toFen, yuanText } from './project-funds';
import { invoiceKeyOf, type PaymentContext, projectPayment, projectPaymentMachine } from './project-payment.machine';

const machine = projectPaymentMachine;
type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];
const policy = defaultPolicyValues();

const CONTRACT = 1_000_000; // yuan
const facts = (over: Partial<PaymentFacts> = {}): PaymentFacts => ({
  implementationState: 'in_progress',
  contractNo: 'JA-2026-001',
  contractFen: toFen(CONTRACT),
  plannedFen: toFen(1_200_000),
  progressPercent: 0,
  accepted: false,
  paidFen: 0,
  pendingFen: 0,
  advanceFen: 0,
  ...over,
});

function start(kind: PaymentKind, amount: number, contractRef = 'JA-2026-001'): Snap {
  return initialTransition(machine, {
    areaCode: '411003100201',
    projectId: 'p1',
    implementationCaseId: 'c1',
    kind,
    amountFen: toFen(amount),
    invoiceNo: 'INV-1',
    contractRef,
    purpose: '支付工程进度款',
  })[0];
}

function ev(type: string, f: PaymentFacts, o: { role?: string; actor?: string; data?: Record<string, unknown>; reason?: string } = {}): ProcedureEvent {
  return {
    type,
    data: o.data ?? {},
    reason: o.reason ?? null,
    evidence: [{ id: 'inv', type: 'invoice' }],
    actor: { id: o.actor ?? `${o.role ?? 'township'}-1`, role: (o.role ?? 'township') as never },
    env: { now: new Date().toISOString(), policy, facts: f as unknown as Record<string, unknown> },
  };
}

const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as PaymentContext;

/** the rules the engine would name for this event, in order */
function rulesOf(s: Snap, e: ProcedureEvent): string[] {
  const branch = selectBranch(projectPayment.rules, branchesFor(machine, String(s.value), e.type), { context: ctx(s), event: e });
  const err = checkRules(projectPayment.rules, branch!, { context: ctx(s), event: e });
  return ((err?.details?.rules as Array<{ id: string }>) ?? []).map((r) => r.id);
}

/** submit a request of `amount` yuan on these figures: the state it reaches and the rules that refused it */
function submit(kind: PaymentKind, amount: number, f: PaymentFacts) {
  const s = start(kind, amount);
  const e = ev('SUBMIT', f);
  return { state: String(send(s, e).value), rules: rulesOf(s, e) };
}

const PASS = { state: 'finance_review', rules: [] };

describe('SF-23: payment rules at their boundaries (exactly at the limit passes, one yuan above is refused)', () => {
  it('trust: SF-23 payment_within_progress — cumulative (waiting payments included) up to max(advance ratio, verified progress) × contract', () => {
    // 50% of 1,000,000: the advance (30%) is recovered as the work proceeds, not added to it
    const f = facts({ progressPercent: 50 });
    expect(submit('progress', 500_000, f)).toEqual(PASS);
    expect(submit('progress', 500_001, f)).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    // earlier payments, approved and awaiting approval, count
    const g = facts({ progressPercent: 50, paidFen: toFen(300_000), pendingFen: toFen(100_000) });
    expect(submit('progress', 100_000, g)).toEqual(PASS);
    expect(submit('progress', 100_001, g)).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    // below the advance ratio, the advance is the limit: at 10% progress up to 30%
    const h = facts({ progressPercent: 10 });
    expect(submit('advance', 300_000, h)).toEqual(PASS);
    expect(submit('progress', 300_001, h)).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    expect(paymentFigures(h, { kind: 'progress', amountFen: 1 }, policy).progressLimit).toBe(toFen(300_000));
  });

  it('trust: SF-23 the seed finding — 80% paid at 60% progress is refused; 60% passes; 100% before completion is refused', () => {
    const f = facts({ progressPercent: 60, paidFen: toFen(300_000), advanceFen: toFen(300_000) });
    expect(submit('progress', 500_000, f)).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    expect(submit('progress', 300_000, f)).toEqual(PASS);
    expect(submit('progress', 300_001, f)).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    expect(submit('progress', CONTRACT, facts({ progressPercent: 60 })).rules).toEqual(['payment_within_progress', 'final_after_acceptance']);
    // even with the work nearly done, the full amount waits for acceptance
    expect(submit('progress', CONTRACT, facts({ progressPercent: 99 })).rules).toEqual(['payment_within_progress', 'final_after_acceptance']);
    expect(submit('progress', CONTRACT, facts({ progressPercent: 100 })).rules).toEqual(['final_after_acceptance']);
  });

  it('trust: a payment of a cancelled (撤销) implementation is refused, naming contract_recorded', () => {
    expect(submit('progress', 1, facts({ implementationState: 'cancelled', progressPercent: 50 })).rules).toEqual(['contract_recorded']);
  });

  it('SF-23: advance_within_ratio — advances up to 30% of the contract before acceptance, none after', () => {
    const f = facts({ progressPercent: 10 });
    expect(submit('advance', 300_000, f)).toEqual(PASS);
    // above the ratio the advance is also above the limit of the work not yet done
    expect(submit('advance', 300_001, f)).toEqual({ state: 'draft', rules: ['payment_within_progress', 'advance_within_ratio'] });
    const g = facts({ progressPercent: 10, advanceFen: toFen(200_000), paidFen: toFen(200_000) });
    expect(submit('advance', 100_000, g)).toEqual(PASS);
    expect(submit('advance', 100_001, g)).toEqual({ state: 'draft', rules: ['payment_within_progress', 'advance_within_ratio'] });
    // an advance within the ratio, but the progress payments already at the limit: refused by the limit
    expect(submit('advance', 1, facts({ progressPercent: 10, paidFen: toFen(300_000) }))).toEqual({ state: 'draft', rules: ['payment_within_progress'] });
    expect(submit('advance', 1, facts({ accepted: true, implementationState: 'asset_registration' })).rules).toEqual(['advance_within_ratio']);
  });

  it('SF-23: final_after_acceptance — no final payment before acceptance, nor any payment that reaches the contract amount', () => {
    const f = facts({ progressPercent: 100, paidFen: toFen(700_000) });
    expect(submit('final', 1, f)).toEqual({ state: 'draft', rules: ['final_after_acceptance'] });
    // a progress payment up to one yuan short of the contract passes; reaching it is a final payment
    expect(submit('progress', 299_999, f)).toEqual(PASS);
    expect(submit('progress', 300_000, f)).toEqual({ state: 'draft', rules: ['final_after_acceptance'] });
    // after acceptance the final payment of the rest passes
    expect(submit('final', 300_000, { ...f, accepted: true, implementationState: 'asset_registration' })).toEqual(PASS);
  });

  it('SF-23: within_contract — cumulative up to the contract amount', () => {
    const f = facts({ accepted: true, implementationState: 'completion_notice', progressPercent: 100, paidFen: toFen(900_000) });
    expect(submit('final', 100_000, f)).toEqual(PASS);
    expect(submit('final', 100_001, f)).toEqual({ state: 'draft', rules: ['payment_within_progress', 'within_contract'] });
  });

  it('SF-23: within_planned_funds — cumulative up to the planned funds of the annual plan', () => {
    const f = facts({ accepted: true, implementationState: 'closed', progressPercent: 100, plannedFen: toFen(950_000), paidFen: toFen(900_000) });
    expect(submit('final', 50_000, f)).toEqual(PASS);
    expect(submit('final', 50_001, f)).toEqual({ state: 'draft', rules: ['within_planned_funds'] });
  });

  it('SF-23: the same rules are judged again at the county approval, on the figures of that moment', () => {
    const submitted = send(start('progress', 500_000), ev('SUBMIT', facts({ progressPercent: 50 })));
    expect(submitted.value).toBe('finance_review');
    // meanwhile another payment of 1 yuan was approved: the approval is refused, naming the rule
    const approve = ev('APPROVE', facts({ progressPercent: 50, paidFen: 100 }), { role: 'county', actor: 'c2', data: { opinion: '同意拨付进度款' } });
    expect(rulesOf(submitted, approve)).toEqual(['payment_within_progress']);
    expect(send(submitted, approve).value).toBe('finance_review');
    const ok = ev('APPROVE', facts({ progressPercent: 50 }), { role: 'county', actor: 'c2', data: { opinion: '同意拨付进度款' } });
    expect(send(submitted, ok).value).toBe('paid');
  });

  it('a payment names the recorded contract, and needs a recorded contract', () => {
    const s = start('progress', 10, 'OTHER-1');
    expect(rulesOf(s, ev('SUBMIT', facts({ progressPercent: 50 })))).toEqual(['contract_reference_matches']);
    expect(submit('progress', 10, facts({ implementationState: 'contracting', contractFen: null, contractNo: null })).rules).toEqual(
      expect.arrayContaining(['contract_reference_matches', 'contract_recorded']),
    );
  });

  it('money is integer fen: cents are exact and the limits never round in the payer\'s favour', () => {
    expect(toFen(19.99)).toBe(1999);
    expect(toFen(0.1) + toFen(0.2)).toBe(toFen(0.3));
    expect(yuanText(123456)).toBe('1234.56');
    expect(yuanText(5)).toBe('0.05');
    // 30% of 0.99 yuan is 29.7 fen: the allowance is 29 fen, never 30
    const x = paymentFigures(facts({ contractFen: 99 }), { kind: 'advance', amountFen: 29 }, policy);
    expect(x.advanceAllowance).toBe(29);
    expect(submit('advance', 0.3, facts({ contractFen: 99, contractNo: 'JA-2026-001', progressPercent: 0 })).rules).toEqual(
      expect.arrayContaining(['advance_within_ratio']),
    );
  });
});

describe('payment procedure: forbidden paths', () => {
  it('SF-25: the county approves; whoever submitted the request cannot approve it', () => {
    const meta = branchesFor(machine, 'finance_review', 'APPROVE')[0].meta;
    for (const role of ['village', 'township', 'department', 'supervisor', 'admin']) expect(checkRole(meta, role)?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta, 'county')).toBeNull();
    const requester = { id: 'c1', username: 'c1', displayName: '', role: 'county' as const, areaCode: '411003000000', sector: null };
    const history = [{ actorId: 'c1', fromState: null, toState: 'draft' }, { actorId: 'c1', fromState: 'draft', toState: 'finance_review' }];
    expect(checkSeparation(meta, requester, 'finance_review', history)?.code).toBe('SEPARATION_OF_DUTIES');
    expect(checkSeparation(meta, { ...requester, id: 'c2' }, 'finance_review', history)).toBeNull();
  });

  it('the invoice is required; a rejection needs a reason; final states take no event', () => {
    expect(branchesFor(machine, 'draft', 'SUBMIT')[0].meta.evidence).toEqual({ allOf: ['invoice'] });
    expect(branchesFor(machine, 'finance_review', 'REJECT')[0].meta.reasonRequired).toBe(true);
    for (const s of ['paid', 'rejected', 'withdrawn']) expect(eventsOf(machine, s)).toEqual([]);
    // paid is reached only from finance_review by APPROVE
    const into = stateIds(machine).flatMap((from) => eventsOf(machine, from).flatMap((e) => e.branches.filter((b) => b.target === 'paid').map(() => `${from}|${e.type}`)));
    expect(into).toEqual(['finance_review|APPROVE']);
  });
});

describe('trust: the plan and the invoice (issue 19)', () => {
  it('trust: SF-21 planned funds within the library budget, only for the library year (exactly the budget passes)', () => {
    const project = { year: 2026, totalBudgetFen: toFen(1_200_000) };
    expect(planRefusal(project, { year: 2026, plannedFen: toFen(1_200_000) })).toBeNull();
    expect(planRefusal(project, { year: 2026, plannedFen: toFen(1_200_000.01) })?.rule).toBe('planned_within_library_budget');
    expect(planRefusal(project, { year: 2026, plannedFen: toFen(2_400_000) })).toMatchObject({ rule: 'planned_within_library_budget', details: { planned: '2400000.00', libraryBudget: '1200000.00' } });
    expect(planRefusal(project, { year: 2027, plannedFen: 1 })?.rule).toBe('plan_in_library_year');
  });

  it('trust: 重复报账 — the same invoice is the same number, blanks and case aside; a live request holding it refuses another', () => {
    expect(invoiceKeyOf(' 4100 2300\t001 ')).toBe(invoiceKeyOf('41002300001'));
    expect(invoiceKeyOf('inv-1')).toBe('INV-1');
    const rule = projectPayment.creationRules!.invoice_not_reused;
    const args = (invoiceUsedBy: string | null) => ({ input: { invoiceNo: 'INV-1' } as never, facts: { implementationState: 'in_progress', invoiceUsedBy }, policy, now: new Date().toISOString() });
    expect(rule.check(args(null))).toBe(true);
    expect(rule.check(args('p1'))).toBe(false);
    expect(rule.explain!(args('p1')).message).toContain('重复报账');
  });
});
