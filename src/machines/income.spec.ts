import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor } from '../modules/engine/introspection';
import { checkData, checkRules } from '../modules/engine/requirements';
import { computeIncome, type IncomeInput, incomeProblems, type RegistryMember } from './income';
import { type InclusionContext, monitoringInclusion, monitoringInclusionMachine } from './monitoring-inclusion.machine';
import type { ProcedureEvent } from './procedure';
import { type EliminationContext, riskElimination, riskEliminationMachine } from './risk-elimination.machine';

const policy = defaultPolicyValues();
const T0 = new Date('2026-03-01T08:00:00+08:00');

/** Seed document 000: 顾同仁's household of five, of whom only the son 顾占旗 works (half a month, 1,300 yuan). */
const gu: RegistryMember[] = [
  { id: 'g1', name: '顾同仁', relation: '户主', laborAbility: 'weak', employment: 'retired' },
  { id: 'g2', name: '王秀梅', relation: '配偶', laborAbility: 'none', employment: 'none' },
  { id: 'g3', name: '顾占旗', relation: '子', laborAbility: 'full', employment: 'outside' },
  { id: 'g4', name: '李娟', relation: '儿媳', laborAbility: 'full', employment: 'none' },
  { id: 'g5', name: '顾小宝', relation: '孙子', laborAbility: 'none', employment: 'student' },
];
const period = { periodStart: '2022-01-01', periodEnd: '2022-12-31' };
const survey = (lines: IncomeInput['income']['lines']): IncomeInput => ({
  income: { ...period, lines },
  rigidExpenditure: { medical: 0, education: 0 },
  guarantees: { education: true, medical: true, housing: true, water: true },
});
const rulesOf = (lines: IncomeInput['income']['lines'], members: RegistryMember[] | undefined = gu) => incomeProblems(survey(lines), members).map((p) => p.rule);
const correct = [
  { category: 'wage' as const, memberId: 'g3', amount: 1300, employer: '禹州市某建筑工地' },
  { category: 'family_support' as const, memberId: 'g1', amount: 20000, payer: '小女儿顾红朵' },
];

describe('SF-05: income per member and category (pure rules)', () => {
  it('SF-05: seed 000 recorded rightly — 1,300 wages of the son, 20,000 赡养费 as family support — passes and sums by category and member', () => {
    expect(rulesOf(correct)).toEqual([]);
    const f = computeIncome(survey(correct), gu, { incomeLine: 6900, rigidExpenditureRatio: 0.5 });
    expect(f).toMatchObject({ members: 5, totalIncome: 21300, perCapitaNetIncome: 4260 });
    expect(f.byCategory).toEqual({ wage: 1300, business_net: 0, family_support: 20000, transfer: 0, property: 0 });
    expect(f.byMember.find((m) => m.memberId === 'g3')).toEqual({ memberId: 'g3', name: '顾占旗', total: 1300, wage: 1300 });
  });

  it('SF-05: the member count is the registry\'s; a household without registry members cannot be computed', () => {
    expect(computeIncome(survey(correct), gu.slice(0, 4), { incomeLine: 6900, rigidExpenditureRatio: 0.5 }).perCapitaNetIncome).toBe(5325);
    expect(rulesOf(correct, [])).toEqual(['income_household_registered']);
    expect(incomeProblems(survey(correct), undefined).map((p) => p.rule)).toEqual(['income_household_registered']);
  });

  it('SF-05: business net income may be a loss and counts against the total', () => {
    const f = computeIncome(survey([...correct, { category: 'business_net', amount: -300 }]), gu, { incomeLine: 6900, rigidExpenditureRatio: 0.5 });
    expect(f.totalIncome).toBe(21000);
  });

  it.each([
    ['the aged householder (registry: retired)', { category: 'wage' as const, memberId: 'g1', amount: 20000, employer: '禹州市某厂' }],
    ['a member recorded not working (employment none)', { category: 'wage' as const, memberId: 'g4', amount: 20000, employer: '禹州市某厂' }],
    ['a member with no labour ability', { category: 'wage' as const, memberId: 'g5', amount: 20000, workplace: '禹州市' }],
  ])('bypass: seed 000 — 20,000 of wages for %s is refused (SF-05, issue 12)', (_who, line) => {
    expect(rulesOf([line])).toContain('income_wage_member_employed');
  });

  it.each([
    ['a family member named as employer', { employer: '顾红朵' }, ['income_wage_not_family_support']],
    ['a household member named as employer', { employer: '顾占旗' }, ['income_wage_not_family_support']],
    ['the daughter as employer', { employer: '小女儿' }, ['income_wage_not_family_support']],
    ['赡养 in the workplace', { workplace: '女儿赡养' }, ['income_wage_not_family_support']],
  ])('bypass: a wage line naming %s is refused as family support (SF-05, issue 12)', (_what, where, rules) => {
    // 顾红朵 is not in the household: the words of the line name her as the daughter or a family payer; a registry member by name
    const members = 'employer' in where && where.employer === '顾红朵' ? [...gu, { id: 'g6', name: '顾红朵', relation: '女', laborAbility: 'full', employment: 'outside' }] : gu;
    expect(rulesOf([{ category: 'wage', memberId: 'g3', amount: 20000, ...where }], members)).toEqual(rules);
  });

  it('bypass: wages with no member, or no employer or workplace, are refused (SF-05, issue 12)', () => {
    expect(rulesOf([{ category: 'wage', amount: 1300, employer: '禹州市某建筑工地' }])).toEqual(['income_wage_names_member_and_employer']);
    expect(rulesOf([{ category: 'wage', memberId: 'g3', amount: 1300 }])).toEqual(['income_wage_names_member_and_employer']);
    expect(rulesOf([{ category: 'wage', memberId: 'g3', amount: 1300, employer: '  ' }])).toEqual(['income_wage_names_member_and_employer']);
    // the edge: a workplace alone is enough
    expect(rulesOf([{ category: 'wage', memberId: 'g3', amount: 1300, workplace: '郑州' }])).toEqual([]);
  });

  it('bypass: a line for someone who is not a member of the household (moved out, another household) is refused (SF-05, issue 12)', () => {
    expect(rulesOf([{ category: 'family_support', memberId: 'other', amount: 100 }])).toEqual(['income_member_of_household']);
    expect(rulesOf([{ category: 'wage', memberId: 'other', amount: 100, employer: '某厂' }])).toEqual(['income_member_of_household']);
  });

  it('SF-05: family support, transfers and property need no employer and may name no member', () => {
    expect(rulesOf([{ category: 'family_support', amount: 20000 }, { category: 'transfer', amount: 1200 }, { category: 'property', amount: 300, memberId: 'g1' }])).toEqual([]);
  });
});

// ---------------------------------------------------------------- the machines enforce them

const registry = { householdId: 'h1', version: 7, members: gu };
function ev(type: string, data: Record<string, unknown>, role = 'village', facts: Record<string, unknown> = { registry }): ProcedureEvent {
  return { type, data, reason: null, evidence: [], actor: { id: 'u1', role: role as never }, env: { now: T0.toISOString(), policy, facts } };
}
const inclusionData = (lines: unknown[]) => ({ conclusion: 'include', ...survey(lines as never), riskTypes: ['illness'] });
const eliminationData = (lines: unknown[]) => ({ ...survey(lines as never), risks: [{ riskType: 'illness', resolved: true, measureId: 'm1' }] });
const seed000 = [{ category: 'wage', memberId: 'g1', amount: 20000, employer: '小女儿顾红朵' }];

describe('SF-05: the verification steps refuse with the named rule', () => {
  const inclusionStart = () => initialTransition(monitoringInclusionMachine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent: false })[0];

  it('bypass: inclusion verification with seed 000\'s 20,000 of 赡养费 as the aged householder\'s wages is refused (SF-05, issue 12)', () => {
    const s = inclusionStart();
    const branch = branchesFor(monitoringInclusionMachine, 'lead', 'RECORD_VERIFICATION').find((b) => b.params.when?.conclusion === 'include')!;
    const e = ev('RECORD_VERIFICATION', inclusionData(seed000));
    const err = checkRules(monitoringInclusion.rules, branch, { context: s.context, event: e });
    expect(err?.details).toMatchObject({ rule: 'income_wage_member_employed' });
    expect(err!.message).toContain('顾同仁');
    expect(transition(monitoringInclusionMachine, s, e as never)[0].value).toBe('lead');
    const ok = transition(monitoringInclusionMachine, s, ev('RECORD_VERIFICATION', inclusionData(correct)) as never)[0];
    expect(ok.value).toBe('village_appraisal');
    expect((ok.context as InclusionContext).verification).toMatchObject({ members: 5, registryVersion: 7, perCapitaNetIncome: 4260 });
  });

  it('bypass: a typed member count or aggregated income is refused by the form (SF-05, issue 12)', () => {
    const branch = branchesFor(monitoringInclusionMachine, 'lead', 'RECORD_VERIFICATION')[0];
    const typed = checkData(branch.meta, { ...inclusionData(correct), members: 2 });
    expect(typed?.details?.fields).toHaveProperty(['data.members']);
    const old = checkData(branch.meta, { ...inclusionData([]), income: { ...period, wage: 20000, businessNet: 0, transfer: 0, property: 0 } });
    expect(old).not.toBeNull();
    const negativeWage = checkData(branch.meta, inclusionData([{ category: 'wage', memberId: 'g3', amount: -1, employer: '某厂' }]));
    expect(negativeWage).not.toBeNull();
  });

  it('bypass: elimination verification with wages paid by the family is refused, judged on the registry facts (SF-05, issue 12)', () => {
    let s = initialTransition(riskEliminationMachine, { monitoringObjectId: 'mo1', householdId: 'h1', eliminationType: 'assisted', riskTypes: ['illness'] })[0];
    const facts = { measureIds: ['m1'], onlySocialSecurity: false, noLabourCapacity: false, incomeHistory: [], concentration: null, registry };
    s = transition(riskEliminationMachine, s, ev('SUBMIT', {}, 'village', facts) as never)[0];
    const branch = branchesFor(riskEliminationMachine, 'household_verification', 'RECORD_VERIFICATION')[0];
    const bad = ev('RECORD_VERIFICATION', eliminationData([{ category: 'wage', memberId: 'g3', amount: 20000, employer: '顾红朵（妹妹）' }]), 'township', facts);
    expect(checkRules(riskElimination.rules, branch, { context: s.context, event: bad })?.details).toMatchObject({ rule: 'income_wage_not_family_support' });
    expect(transition(riskEliminationMachine, s, bad as never)[0].value).toBe('household_verification');
    const good = transition(riskEliminationMachine, s, ev('RECORD_VERIFICATION', eliminationData(correct), 'township', facts) as never)[0];
    expect(good.value).toBe('village_appraisal');
    expect((good.context as EliminationContext).verification).toMatchObject({ members: 5, totalIncome: 21300, registryVersion: 7 });
  });
});
