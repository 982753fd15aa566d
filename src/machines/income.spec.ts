import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor } from '../modules/engine/introspection';
import { checkData, checkRules } from '../modules/engine/requirements';
import { type AggregatedIncome, computeIncome, type IncomeInput, incomeProblems, incomeShapeProblems, type LinesIncome, type RegistryMember } from './income';
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
const survey = (lines: LinesIncome['lines']): IncomeInput => ({
  income: { ...period, lines },
  rigidExpenditure: { medical: 0, education: 0 },
  guarantees: { education: true, medical: true, housing: true, water: true },
});
const rulesOf = (lines: LinesIncome['lines'], members: RegistryMember[] | undefined = gu) => incomeProblems(survey(lines), members).map((p) => p.rule);
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

// ---------------------------------------------------------------- the contract's aggregated shape

/** seed 000 at household level: an aged householder and his wife, nobody working */
const aged: RegistryMember[] = [
  { id: 'a1', name: '顾同仁', relation: '户主', laborAbility: 'weak', employment: 'retired' },
  { id: 'a2', name: '王秀梅', relation: '配偶', laborAbility: 'none', employment: 'none' },
];
const agedRegistry = { householdId: 'h1', version: 3, members: aged };
const asWages: AggregatedIncome = { ...period, wage: 20000, businessNet: 0, transfer: 2400, property: 0 };
const transferred: AggregatedIncome = { ...period, wage: 0, businessNet: 0, transfer: 22400, property: 0 };
const aggregatedSurvey = (income: AggregatedIncome, members = 2) => ({
  members,
  income,
  rigidExpenditure: { medical: 0, education: 0 },
  guarantees: { education: true, medical: true, housing: true, water: true },
});
const aggregatedInclusion = (income: AggregatedIncome, members = 2) => ({ conclusion: 'include', ...aggregatedSurvey(income, members), riskTypes: ['illness'] });
const aggRules = (income: AggregatedIncome, members: RegistryMember[], typed = members.length) => incomeProblems(aggregatedSurvey(income, typed), members).map((p) => p.rule);
const person = (employment: string, laborAbility = 'full'): RegistryMember => ({ id: `p-${employment}-${laborAbility}`, name: '成员', relation: '子', laborAbility, employment });

describe("SF-05: the contract's aggregated shape, judged at household level (pure rules)", () => {
  it('bypass: seed 000 — 20,000 of 赡养费 typed as wages for an aged household with no working member is refused (SF-05, issue 12)', () => {
    const found = incomeProblems(aggregatedSurvey(asWages), aged);
    expect(found.map((p) => p.rule)).toEqual(['income_wage_member_employed', 'income_wage_attributed']);
    expect(found[0].detail).toContain('顾同仁（退休（老年））');
    expect(found[0].detail).toContain('王秀梅（无劳动能力）');
  });

  it('SF-05: entered as transfer income it passes; the per-capita figure is on the registry count', () => {
    expect(aggRules(transferred, aged)).toEqual([]);
    const f = computeIncome(aggregatedSurvey(transferred), aged, { incomeLine: 6900, rigidExpenditureRatio: 0.5 });
    expect(f).toMatchObject({ incomeShape: 'aggregated', members: 2, totalIncome: 22400, perCapitaNetIncome: 11200, byMember: [] });
    expect(f.byCategory).toEqual({ wage: 0, business_net: 0, family_support: 0, transfer: 22400, property: 0 });
  });

  it.each([
    ['local work, full labour', person('local'), []],
    ['outside work, weak labour', person('outside', 'weak'), []],
    ['outside work, semi labour', person('outside', 'semi'), []],
    ['outside work but no labour ability', person('outside', 'none'), ['income_wage_member_employed']],
    ['a student (as in the lines shape: one rule per wage line)', person('student'), []],
    ['retired', person('retired'), ['income_wage_member_employed']],
    ['not working', person('none'), ['income_wage_member_employed']],
  ])('SF-05 edge: wages attributed to a registry member who is %s', (_what, member, rules) => {
    expect(aggRules({ ...transferred, wage: 0.01, wageEarners: [{ memberId: member.id, amount: 0.01, workplace: '许昌市' }] }, [...aged, member])).toEqual(rules);
  });

  it('SF-05 edge: zero wages need no working member; a loss in business is allowed', () => {
    expect(aggRules({ ...transferred, wage: 0, businessNet: -500 }, aged)).toEqual([]);
    expect(aggRules({ ...transferred, wage: 0.01 }, aged)).toEqual(['income_wage_member_employed', 'income_wage_attributed']);
  });

  it('trust: SF-05 seed 000 in the summed shape — 20,000 of wages in a household where one son works is refused until attributed to members (issue 19 item 6)', () => {
    const son: RegistryMember = { id: 'g3', name: '顾占旗', relation: '子', laborAbility: 'full', employment: 'outside' };
    const household = [...aged, son];
    // the seed document's own case: the sum passes the household-level check (a son works), but is not attributed
    const unattributed = incomeProblems(aggregatedSurvey(asWages, 3), household);
    expect(unattributed.map((p) => p.rule)).toEqual(['income_wage_attributed']);
    expect(unattributed[0].detail).toContain('20000');
    const earn = (wageEarners: AggregatedIncome['wageEarners'], wage = 20000) => aggRules({ ...asWages, wage, wageEarners }, household);
    // attributed, but to the daughter who pays the support, to the retired householder, to nobody's employer, or not adding up
    expect(earn([{ memberId: 'g3', amount: 20000, employer: '小女儿顾红朵' }])).toEqual(['income_wage_not_family_support']);
    expect(earn([{ memberId: 'a1', amount: 20000, employer: '禹州市某厂' }])).toEqual(['income_wage_member_employed']);
    expect(earn([{ memberId: 'g3', amount: 20000 }])).toEqual(['income_wage_names_member_and_employer']);
    expect(earn([{ memberId: 'x9', amount: 20000, employer: '禹州市某厂' }])).toEqual(['income_member_of_household']);
    expect(earn([{ memberId: 'g3', amount: 1300, employer: '禹州市某建筑工地' }])).toEqual(['income_wage_attributed']);
    expect(earn([{ memberId: 'g3', amount: 1300, employer: '禹州市某建筑工地' }], 0)).toEqual(['income_wage_attributed']);
    // recorded rightly: the son's 1,300 of wages attributed, the 20,000 a transfer
    expect(earn([{ memberId: 'g3', amount: 1300, employer: '禹州市某建筑工地' }], 1300)).toEqual([]);
    const f = computeIncome(aggregatedSurvey({ ...asWages, wage: 1300, transfer: 22400, wageEarners: [{ memberId: 'g3', amount: 1300, workplace: '禹州市' }] }, 3), household, { incomeLine: 6900, rigidExpenditureRatio: 0.5 });
    expect(f).toMatchObject({ incomeShape: 'aggregated', members: 3, totalIncome: 23700 });
    expect(f.byMember.find((m) => m.memberId === 'g3')).toMatchObject({ wage: 1300, total: 1300 });
    // the lines shape takes no wageEarners
    expect(incomeShapeProblems({ income: { ...period, lines: [], wageEarners: [] } }).map((p) => p.path.join('.'))).toEqual(['income.wageEarners']);
  });

  it('bypass: a typed member count other than the registry count is refused, naming both numbers (SF-05, issue 12)', () => {
    expect(aggRules(transferred, aged, 2)).toEqual([]);
    for (const typed of [1, 3]) {
      const found = incomeProblems(aggregatedSurvey(transferred, typed), aged);
      expect(found.map((p) => p.rule)).toEqual(['members_match_registry']);
      expect(found[0].detail).toContain(`${typed}人`);
      expect(found[0].detail).toContain('户籍登记为2人');
    }
    // both problems at once are both reported
    expect(aggRules(asWages, aged, 5)).toEqual(['members_match_registry', 'income_wage_member_employed', 'income_wage_attributed']);
    // no registry members: nothing to judge against
    expect(aggRules(transferred, [], 2)).toEqual(['income_household_registered']);
  });

  it('SF-05: the shape check — exactly one of the aggregated sums and lines; members with the aggregated one only', () => {
    expect(incomeShapeProblems(aggregatedSurvey(transferred))).toEqual([]);
    expect(incomeShapeProblems(survey(correct))).toEqual([]);
    expect(incomeShapeProblems({ income: { ...period, lines: [] }, members: 5 }).map((p) => p.path.join('.'))).toEqual(['members']);
    expect(incomeShapeProblems({ members: 2, income: { ...transferred, lines: [] } }).map((p) => p.path.join('.'))).toEqual(['income.wage', 'income.businessNet', 'income.transfer', 'income.property', 'income.lines']);
    expect(incomeShapeProblems({ income: { ...period } }).map((p) => p.path.join('.'))).toEqual(['income.wage', 'income.businessNet', 'income.transfer', 'income.property', 'income.lines', 'members']);
    expect(incomeShapeProblems({ income: { ...period, wage: 1 } }).map((p) => p.path.join('.'))).toEqual(['income.businessNet', 'income.transfer', 'income.property', 'members']);
    // no income at all: the schema's `required` names income alone (the shape is not known yet)
    expect(incomeShapeProblems({})).toEqual([]);
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

  it('bypass: a typed member count with lines, both shapes at once, or neither, is refused by the form naming the fields (SF-05, issue 12)', () => {
    const branch = branchesFor(monitoringInclusionMachine, 'lead', 'RECORD_VERIFICATION')[0];
    const typed = checkData(branch.meta, { ...inclusionData(correct), members: 2 });
    expect(typed?.details?.fields).toHaveProperty(['data.members']);
    const both = checkData(branch.meta, { ...inclusionData(correct), income: { ...period, lines: correct, wage: 20000, businessNet: 0, transfer: 0, property: 0 } });
    expect(Object.keys(both?.details?.fields as object)).toEqual(expect.arrayContaining(['data.income.wage', 'data.income.lines']));
    expect(both!.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(Object.values(both?.details?.fields as object).join()).toContain('二者选一');
    const neither = checkData(branch.meta, { ...inclusionData([]), members: 5, income: period });
    expect(Object.keys(neither?.details?.fields as object).sort()).toEqual(['data.income.businessNet', 'data.income.lines', 'data.income.property', 'data.income.transfer', 'data.income.wage']);
    const negativeWage = checkData(branch.meta, inclusionData([{ category: 'wage', memberId: 'g3', amount: -1, employer: '某厂' }]));
    expect(negativeWage).not.toBeNull();
  });

  it('SF-05: the contract\'s aggregated shape passes the form on both verification steps; members is required with it (SF-05)', () => {
    const inc = branchesFor(monitoringInclusionMachine, 'lead', 'RECORD_VERIFICATION')[0];
    const eli = branchesFor(riskEliminationMachine, 'household_verification', 'RECORD_VERIFICATION')[0];
    expect(checkData(inc.meta, aggregatedInclusion(transferred))).toBeNull();
    expect(checkData(eli.meta, { ...aggregatedSurvey(transferred), risks: [{ riskType: 'illness', resolved: true, measureId: '00000000-0000-4000-8000-000000000001' }] })).toBeNull();
    const { members: _m, ...noMembers } = aggregatedInclusion(transferred);
    expect(checkData(inc.meta, noMembers)?.details?.fields).toHaveProperty(['data.members']);
    const partial = checkData(inc.meta, { ...aggregatedInclusion(transferred), income: { ...period, wage: 0, businessNet: 0 } });
    expect(Object.keys(partial?.details?.fields as object).sort()).toEqual(['data.income.property', 'data.income.transfer']);
  });

  it('bypass: inclusion verification in the contract\'s aggregated shape with seed 000\'s 赡养费 as wages is refused; as transfer income it passes (SF-05, issue 12)', () => {
    const s = inclusionStart();
    const branch = branchesFor(monitoringInclusionMachine, 'lead', 'RECORD_VERIFICATION').find((b) => b.params.when?.conclusion === 'include')!;
    const bad = ev('RECORD_VERIFICATION', aggregatedInclusion(asWages), 'village', { registry: agedRegistry });
    expect(checkRules(monitoringInclusion.rules, branch, { context: s.context, event: bad })?.details).toMatchObject({ rule: 'income_wage_member_employed' });
    expect(transition(monitoringInclusionMachine, s, bad as never)[0].value).toBe('lead');
    const ok = transition(monitoringInclusionMachine, s, ev('RECORD_VERIFICATION', aggregatedInclusion(transferred), 'village', { registry: agedRegistry }) as never)[0];
    expect(ok.value).toBe('village_appraisal');
    expect((ok.context as InclusionContext).verification).toMatchObject({ incomeShape: 'aggregated', members: 2, registryVersion: 3, totalIncome: 22400, perCapitaNetIncome: 11200, byMember: [] });
    const wrongCount = ev('RECORD_VERIFICATION', { ...aggregatedInclusion(transferred), members: 3 }, 'village', { registry: agedRegistry });
    const err = checkRules(monitoringInclusion.rules, branch, { context: s.context, event: wrongCount });
    expect(err?.details).toMatchObject({ rule: 'members_match_registry' });
    expect(err!.message).toContain('3人');
    expect(err!.message).toContain('2人');
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
