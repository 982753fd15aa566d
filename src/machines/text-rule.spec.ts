/**
 * Issue 12: one text-quality rule for every free text a step is judged by — reasons, opinions,
 * written justifications (SF-08, SF-12) and the 联农带农 mechanism (SF-20) — with its
 * parameters as policies. The rule's edges, then each place that uses it.
 */
import { compactText, DEFAULT_PLACEHOLDERS, textProblem, textProblemOf, textRuleFor } from '../common/domain/reason';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';
import { checkOpinion, checkReason } from '../modules/engine/requirements';
import type { ProcedureEvent, TransitionMeta } from './procedure';
import { contentProblems, type ProjectContent } from './project-intake.machine';
import { type EliminationContext, type EliminationFacts, eliminationRules } from './risk-elimination.machine';

const policy = (over: Record<string, unknown> = {}): PolicyValues => ({ ...defaultPolicyValues(), ...over }) as PolicyValues;

describe('the one text rule (issue 12): edges', () => {
  const rule = { minLength: 6, placeholders: DEFAULT_PLACEHOLDERS };

  it('counts characters without spaces, punctuation and symbols: 5 is refused, 6 passes', () => {
    expect(textProblem('家庭收入高', rule)).toMatch(/过短/);
    expect(textProblem('家庭收入高于', rule)).toBeNull();
    expect(textProblem(' 家庭，收入。高！ ', rule)).toMatch(/过短/);
    expect(textProblem('家庭，收入。高于！', rule)).toBeNull();
    expect(compactText(' A，b。C ')).toBe('abc');
  });

  it('refuses a missing, empty or non-string text, naming what is missing', () => {
    for (const v of [undefined, null, '', '   ', 42, ['家庭收入高于标准'], { text: '家庭收入高于标准' }]) {
      expect(textProblem(v, rule, '意见')).toBe('请填写意见');
    }
  });

  it('refuses a placeholder whatever its spacing, punctuation and case, even when the minimum is 0', () => {
    const none = { ...rule, minLength: 0 };
    for (const v of ['无', ' 无。', '同意！', '见 附件', '详见附件……', 'N/A', 'n / a', 'TODO', 'Test.', '不符合条件']) {
      expect(textProblem(v, none)).toMatch(/套话/);
    }
    // a placeholder inside a real sentence is not one
    expect(textProblem('同意，经入户核实收入已稳定', rule)).toBeNull();
  });

  it('refuses a text of one repeated character, only digits, or only punctuation, however long', () => {
    expect(textProblem('啊啊啊啊啊啊啊啊', rule)).toMatch(/重复字符/);
    expect(textProblem('1234567890', rule)).toMatch(/重复字符、数字/);
    expect(textProblem('。。。，，，！！！', rule)).toMatch(/重复字符、数字或标点/);
    // one phrase said again and again: a placeholder padded to the length
    expect(textProblem('见附件见附件见附件见附件见附件', rule)).toMatch(/重复字符/);
    expect(textProblem('同意，同意，同意，同意！', rule)).toMatch(/重复字符/);
    expect(textProblem('情况属实情况属实', rule)).toMatch(/重复字符/);
    expect(textProblem('情况属实，收入属实', rule)).toBeNull();
  });

  it('takes its parameters from the policy: each kind its minimum length, one placeholder list', () => {
    const p = policy();
    expect(textRuleFor(p, 'reason').minLength).toBe(6);
    expect(textRuleFor(p, 'opinion').minLength).toBe(4);
    expect(textRuleFor(p, 'justification').minLength).toBe(15);
    expect(textRuleFor(policy({ 'reasons.minLength': 10 }), 'reason').minLength).toBe(10);
    expect(textProblemOf('已核实', policy({ 'reasons.placeholders': ['已核实'], 'reasons.opinionMinLength': 1 }), 'opinion')).toMatch(/套话/);
    expect(textProblemOf('同意', policy({ 'reasons.placeholders': ['无'], 'reasons.opinionMinLength': 2 }), 'opinion')).toBeNull();
    // a policy version stored before these keys existed: the national defaults
    expect(textRuleFor({ 'monitoring.incomeLine': 7500 }, 'justification')).toEqual({ minLength: 15, placeholders: DEFAULT_PLACEHOLDERS });
  });
});

describe('the engine judges reasons and opinions by it (issue 12)', () => {
  const negative = { title: '退回', titleEn: 'Return', roles: ['township'], reasonRequired: true } as TransitionMeta;
  const positive = { title: '审核通过', titleEn: 'Approve', roles: ['township'] } as TransitionMeta;

  it('a reason: the policy’s minimum and placeholders', () => {
    const r = textRuleFor(policy(), 'reason');
    expect(checkReason(negative, '不符合', r)?.code).toBe('REASON_REQUIRED');
    expect(checkReason(negative, '收入高于线', r)?.details).toMatchObject({ fields: { reason: expect.stringMatching(/至少写6个字/) } });
    expect(checkReason(negative, '收入高于标准线', r)).toBeNull();
    expect(checkReason(positive, '', r)).toBeNull();
  });

  it('bypass: an opinion, required or not, cannot be a placeholder or a few characters (issue 12)', () => {
    const r = textRuleFor(policy(), 'opinion');
    for (const opinion of ['同意', '无', '好的', '！！！！', '1111']) {
      expect(checkOpinion({ opinion }, r)).toMatchObject({ code: 'REASON_REQUIRED', details: { fields: { 'data.opinion': expect.any(String) } } });
    }
    expect(checkOpinion({ opinion: '同意上报' }, r)).toBeNull(); // 4: the edge
    expect(checkOpinion({ opinion: '同意报' }, r)?.code).toBe('REASON_REQUIRED'); // 3
    expect(checkOpinion({}, r)).toBeNull();
    expect(checkOpinion(undefined, r)).toBeNull();
  });
});

describe('every justification in the machines uses it (issue 12)', () => {
  const crowded: Partial<EliminationFacts> = {
    concentration: { threshold: 0.3, window: 'P30D', village: { code: 'v', eliminated: 3, total: 10 }, township: { code: 't', eliminated: 3, total: 40 } },
  };
  const sf08 = (concentrationJustification: unknown, p = policy()) =>
    eliminationRules.concentration_justified.check({
      context: {} as EliminationContext,
      event: { type: 'APPROVE', data: { concentrationJustification }, evidence: [], actor: { id: 'u', role: 'county' }, env: { now: '2026-06-01T00:00:00Z', policy: p, facts: crowded } } as ProcedureEvent,
    });

  it('SF-08 concentration justification: placeholders refused, the 15-character edge, the policy’s parameters', () => {
    expect(sf08('同意')).toBe(false);
    expect(sf08('经逐户核实，务工收入稳定，无返贫')).toBe(false); // 14
    expect(sf08('经逐户核实，务工收入稳定，无返贫风')).toBe(true); // 15
    expect(sf08('经逐户核实收入稳定', policy({ 'reasons.justificationMinLength': 9 }))).toBe(true);
    expect(sf08('经逐户核实，务工收入稳定，无返贫风险', policy({ 'reasons.placeholders': ['经逐户核实务工收入稳定无返贫风险'] }))).toBe(false);
  });

  const project = (linkageMechanism: string | null): ProjectContent =>
    ({
      name: '霍庄村食用菌产业大棚建设项目',
      category: 'industry',
      subCategory: '种植业基地',
      year: 2026,
      budget: { total: 1200000, linkageFunds: 1000000, otherFunds: 200000 },
      fundSource: '中央和省级财政衔接推进乡村振兴补助资金',
      period: { start: '2026-04-01', end: '2026-10-31' },
      content: '新建食用菌标准化大棚20座及配套水电设施',
      performanceTargets: [{ kind: 'output', indicator: '新建大棚数量', value: '20', unit: '座' }],
      beneficiaries: { households: 120, formerlyPoorHouseholds: 30, monitoredHouseholds: 5 },
      linkageMechanism,
    }) as ProjectContent;
  const sf20 = (text: string | null, p = policy({ 'projects.departmentsByCategory': { industry: ['agriculture'] } })) =>
    contentProblems({ areaCode: '411003100201', project: project(text), change: null }, p);

  // before issue 12 any 10 characters passed: "见附件见附件见附件见" or "同意同意同意同意同意"
  it('bypass: the 联农带农 mechanism of an industry project passes the same rule, not only a length (SF-20, issue 12)', () => {
    expect(sf20('见附件见附件见附件见附件见附件')).toEqual(['industry_linkage_mechanism']);
    expect(sf20('详见附件。')).toEqual(['industry_linkage_mechanism']);
    expect(sf20('带动脱贫户务工增收，资产收益分')).toEqual(['industry_linkage_mechanism']); // 14
    expect(sf20('带动脱贫户务工增收，资产收益分红')).toEqual([]); // 15
    expect(sf20('带动务工增收分红', policy({ 'projects.departmentsByCategory': { industry: ['agriculture'] }, 'reasons.justificationMinLength': 8 }))).toEqual([]);
  });
});
