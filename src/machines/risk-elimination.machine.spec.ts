import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor, describeProcedure, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkEvidence, checkRole, checkRules, selectBranch } from '../modules/engine/requirements';
import type { ProcedureEvent } from './procedure';
import {
  concentrationAfterApproval,
  type EliminationContext,
  type EliminationFacts,
  failingOnRecord,
  incomeStableSince,
  riskElimination,
  riskEliminationMachine,
} from './risk-elimination.machine';

const machine = riskEliminationMachine;
const T0 = new Date('2026-06-01T08:00:00+08:00');
const DAY = 86400_000;
const policy = defaultPolicyValues();

type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

const goodFacts = (over: Partial<EliminationFacts> = {}): EliminationFacts => ({
  measureIds: ['m1'],
  onlySocialSecurity: false,
  noLabourCapacity: false,
  incomeHistory: [
    { recordedAt: new Date(T0.getTime() - 300 * DAY).toISOString(), perCapitaNetIncome: 5000, incomeLine: 7500 },
    { recordedAt: new Date(T0.getTime() - 200 * DAY).toISOString(), perCapitaNetIncome: 9000, incomeLine: 7500 },
    { recordedAt: new Date(T0.getTime() - 1 * DAY).toISOString(), perCapitaNetIncome: 9600, incomeLine: 7500 },
  ],
  concentration: {
    threshold: 0.3,
    window: 'P30D',
    village: { code: '411003100201', eliminated: 0, total: 10 },
    township: { code: '411003100000', eliminated: 0, total: 40 },
  },
  registry: {
    householdId: 'h1',
    version: 2,
    members: [
      { id: 'm1', name: '张三', relation: '户主', laborAbility: 'full', employment: 'outside' },
      { id: 'm2', name: '李四', relation: '配偶', laborAbility: 'weak', employment: 'local' },
      { id: 'm3', name: '张小', relation: '子', laborAbility: 'none', employment: 'student' },
    ],
  },
  ...over,
});

function ev(type: string, data: Record<string, unknown> = {}, opts: { now?: Date; role?: string; reason?: string; facts?: EliminationFacts } = {}): ProcedureEvent {
  return {
    type,
    data,
    reason: opts.reason ?? null,
    evidence: [],
    actor: { id: 'u1', role: (opts.role ?? 'village') as never },
    env: { now: (opts.now ?? T0).toISOString(), policy, facts: (opts.facts ?? goodFacts()) as never },
  };
}

const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];

const start = (): Snap =>
  initialTransition(machine, { monitoringObjectId: 'mo1', householdId: 'h1', eliminationType: 'assisted', riskTypes: ['illness'] })[0];

const verification = (over: Record<string, unknown> = {}) => ({
  income: {
    periodStart: '2025-06-01',
    periodEnd: '2026-05-31',
    lines: [
      { category: 'wage', memberId: 'm1', amount: 20000, employer: '苏州某电子厂', workplace: '江苏苏州' },
      { category: 'wage', memberId: 'm2', amount: 4000, workplace: '灵井镇' },
      { category: 'business_net', amount: 3000 },
      { category: 'transfer', amount: 1800, note: '养老金' },
    ],
  },
  rigidExpenditure: { medical: 2000, education: 1000 },
  guarantees: { education: true, medical: true, housing: true, water: true },
  risks: [{ riskType: 'illness', resolved: true, measureId: 'm1' }],
  ...over,
});

function toCounty(over: Record<string, unknown> = {}): Snap {
  let s = send(start(), ev('SUBMIT'));
  s = send(s, ev('RECORD_VERIFICATION', verification(over), { role: 'township' }));
  s = send(s, ev('RECORD_APPRAISAL', { result: 'passed' }));
  s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村风险消除名单公示：王建国户' }));
  s = send(s, ev('CLOSE_NOTICE', {}, { now: new Date(T0.getTime() + 6 * DAY), role: 'system' }));
  return send(s, ev('APPROVE', { opinion: '同意消除' }, { role: 'township' }));
}

function countyRuleFailure(s: Snap, data: Record<string, unknown>, facts: EliminationFacts): string | undefined {
  const e = ev('APPROVE', data, { role: 'county', facts });
  const branches = branchesFor(machine, 'county_approval', 'APPROVE');
  const args = { context: s.context as EliminationContext, event: e };
  return checkRules(riskElimination.rules, selectBranch(riskElimination.rules, branches, args)!, args)?.details?.rule as string | undefined;
}

describe('risk elimination machine: the five steps', () => {
  it('walks a proposal to eliminated and schedules the follow-up visits', () => {
    let s = toCounty();
    expect(s.value).toBe('county_approval');
    s = send(s, ev('APPROVE', { opinion: '同意' }, { role: 'county' }));
    expect(s.value).toBe('eliminated');
    const c = s.context as EliminationContext;
    expect(c.approval?.eliminatedAt).toBe(T0.toISOString());
    expect(c.followUps.map((f) => f.dueAt)).toEqual([new Date('2026-09-01T08:00:00+08:00').toISOString(), new Date('2026-12-01T08:00:00+08:00').toISOString()]);
    expect(c.timers.map((t) => t.key)).toEqual(['follow_up_1', 'follow_up_2']);
  });

  it('a follow-up visit falls due by timer and is recorded by the village; later visits stay scheduled', () => {
    let s = send(toCounty(), ev('APPROVE', {}, { role: 'county' }));
    const due = new Date('2026-09-02T00:00:00+08:00');
    s = send(s, ev('FOLLOW_UP_DUE', {}, { role: 'system', now: due }));
    expect(s.value).toBe('follow_up_due');
    expect((s.context as EliminationContext).timers.map((t) => t.key)).toEqual(['follow_up_2']);
    s = send(s, ev('RECORD_FOLLOW_UP', { findings: '收入稳定，无返贫风险', riskReturned: false }, { now: due }));
    expect(s.value).toBe('eliminated');
    expect((s.context as EliminationContext).followUps[0]).toMatchObject({ findings: '收入稳定，无返贫风险', riskReturned: false });
  });

  it('SF-10: the county rolls an elimination back, from eliminated or a due follow-up', () => {
    const s = send(toCounty(), ev('APPROVE', {}, { role: 'county' }));
    const back = send(s, ev('ROLLBACK', {}, { role: 'county', reason: '回头看发现家庭成员患大病，收入大幅下降' }));
    expect(back.value).toBe('rolled_back');
    expect((back.context as EliminationContext).rollback?.reason).toContain('大病');
    expect((back.context as EliminationContext).timers).toEqual([]);
    const due = send(s, ev('FOLLOW_UP_DUE', {}, { role: 'system', now: new Date('2026-09-02') }));
    expect(send(due, ev('ROLLBACK', {}, { role: 'county', reason: '回头看发现风险未消除' })).value).toBe('rolled_back');
  });

  it('reviews return to an earlier step or reject into continued monitoring', () => {
    const s = toCounty();
    expect(send(s, ev('RETURN', { toState: 'household_verification' }, { role: 'county' })).value).toBe('household_verification');
    expect(send(s, ev('RETURN', { toState: 'township_review' }, { role: 'county' })).value).toBe('township_review');
    expect(send(s, ev('REJECT', {}, { role: 'county', reason: '收入不稳定' })).value).toBe('continue_monitoring');
  });

  it('a failed village appraisal keeps the household in monitoring', () => {
    let s = send(start(), ev('SUBMIT'));
    s = send(s, ev('RECORD_VERIFICATION', verification(), { role: 'village' }));
    expect(send(s, ev('RECORD_APPRAISAL', { result: 'failed' })).value).toBe('continue_monitoring');
  });
});

describe('risk elimination machine: SF-09 and SF-08 at county approval', () => {
  it('approves when every criterion holds', () => {
    expect(countyRuleFailure(toCounty(), {}, goodFacts())).toBeUndefined();
  });

  it.each([
    ['risks_resolved', verification({ risks: [{ riskType: 'illness', resolved: false }] }), goodFacts()],
    ['guarantees_secure', verification({ guarantees: { education: true, medical: false, housing: true, water: true } }), goodFacts()],
    [
      'income_above_line',
      verification(),
      goodFacts({ incomeHistory: [{ recordedAt: new Date(T0.getTime() - 300 * DAY).toISOString(), perCapitaNetIncome: 7400, incomeLine: 7500 }] }),
    ],
    [
      'income_stable',
      verification(),
      goodFacts({
        incomeHistory: [
          { recordedAt: new Date(T0.getTime() - 300 * DAY).toISOString(), perCapitaNetIncome: 9000, incomeLine: 7500 },
          { recordedAt: new Date(T0.getTime() - 60 * DAY).toISOString(), perCapitaNetIncome: 7000, incomeLine: 7500 },
          { recordedAt: new Date(T0.getTime() - 30 * DAY).toISOString(), perCapitaNetIncome: 9000, incomeLine: 7500 },
        ],
      }),
    ],
    ['not_only_social_security', verification(), goodFacts({ noLabourCapacity: true, onlySocialSecurity: true })],
  ])('SF-09: refuses with %s', (rule, data, facts) => {
    const s = toCounty(data);
    expect(countyRuleFailure(s, {}, facts)).toBe(rule);
    expect(send(s, ev('APPROVE', {}, { role: 'county', facts })).value).toBe('county_approval');
  });

  it('SF-08: above the concentration threshold, approval needs a written justification; below it, none', () => {
    const s = toCounty();
    const crowded = goodFacts({
      concentration: { threshold: 0.3, window: 'P30D', village: { code: 'v', eliminated: 3, total: 10 }, township: { code: 't', eliminated: 3, total: 40 } },
    });
    expect(concentrationAfterApproval(crowded)).toEqual([{ code: 'v', share: 0.4 }]);
    expect(countyRuleFailure(s, {}, crowded)).toBe('concentration_justified');
    expect(countyRuleFailure(s, { concentrationJustification: '无' }, crowded)).toBe('concentration_justified');
    const justified = { concentrationJustification: '该村产业项目集中见效，12户务工收入同期稳定增加，经逐户核实' };
    expect(countyRuleFailure(s, justified, crowded)).toBeUndefined();
    const next = send(s, ev('APPROVE', justified, { role: 'county', facts: crowded }));
    expect((next.context as EliminationContext).approval?.concentrationJustification).toBe(justified.concentrationJustification);
    const calm = goodFacts({
      concentration: { threshold: 0.3, window: 'P30D', village: { code: 'v', eliminated: 1, total: 10 }, township: { code: 't', eliminated: 3, total: 40 } },
    });
    expect(countyRuleFailure(s, {}, calm)).toBeUndefined();
  });

  it('bypass: a list that crosses the threshold needs the justification for every case of it, the first ones too (SF-08, issue 12)', () => {
    const s = toCounty();
    // 2 of 10 eliminated: one case alone would make 0.3 (not above), the list of three makes 0.5
    const area = { threshold: 0.3, window: 'P30D', village: { code: 'v', eliminated: 2, total: 10 }, township: { code: 't', eliminated: 2, total: 40 } };
    expect(concentrationAfterApproval(goodFacts({ concentration: { ...area, batchPending: 1 } }))).toEqual([]);
    const list = goodFacts({ concentration: { ...area, batchPending: 3 } });
    expect(concentrationAfterApproval(list)).toEqual([{ code: 'v', share: 0.5 }]);
    expect(countyRuleFailure(s, {}, list)).toBe('concentration_justified');
    expect(send(s, ev('APPROVE', {}, { role: 'county', facts: list })).value).toBe('county_approval');
    // the last case of the list, once the others are approved, sees the same share
    const last = goodFacts({ concentration: { ...area, village: { code: 'v', eliminated: 4, total: 10 }, batchPending: 1 } });
    expect(concentrationAfterApproval(last)).toEqual([{ code: 'v', share: 0.5 }]);
    // exactly at the threshold is not above it
    expect(concentrationAfterApproval(goodFacts({ concentration: { ...area, batchPending: 1 } }))).toEqual([]);
    expect(countyRuleFailure(s, { concentrationJustification: '该村产业项目集中见效，三户务工收入同期稳定增加，经逐户核实' }, list)).toBeUndefined();
  });

  it("SF-11: the detector judges the county approval's own rules on the records (issue 12, item 13)", () => {
    const { concentration: _c, ...facts } = goodFacts();
    const base = { riskTypes: ['illness'], measures: [{ id: 'm1', riskTypes: ['illness'] }], guaranteesSecure: true, facts, policy, now: T0 };
    expect(failingOnRecord(base)).toEqual([]);
    expect(failingOnRecord({ ...base, riskTypes: ['illness', 'education'] })).toEqual(['risks_resolved']);
    expect(failingOnRecord({ ...base, guaranteesSecure: false })).toEqual(['guarantees_secure']);
    expect(failingOnRecord({ ...base, facts: { ...facts, incomeHistory: facts.incomeHistory.slice(-1) } })).toEqual(['income_stable']);
    expect(failingOnRecord({ ...base, facts: { ...facts, noLabourCapacity: true, onlySocialSecurity: true } })).toEqual(['not_only_social_security']);
  });

  it('income stability counts from the last time income rose above the line', () => {
    const h = (daysAgo: number, v: number) => ({ recordedAt: new Date(T0.getTime() - daysAgo * DAY).toISOString(), perCapitaNetIncome: v, incomeLine: 7500 });
    expect(incomeStableSince([h(200, 8000), h(10, 9000)], 7500, T0, 'P6M')).toBe(true);
    expect(incomeStableSince([h(200, 7000), h(10, 9000)], 7500, T0, 'P6M')).toBe(false);
    expect(incomeStableSince([h(200, 8000), h(10, 7000)], 7500, T0, 'P6M')).toBe(false);
    expect(incomeStableSince([], 7500, T0, 'P6M')).toBe(false);
  });
});

describe('risk elimination machine: forbidden paths and requirements', () => {
  it('verification must list every recorded risk, and resolved risks need a known measure', () => {
    const s = send(start(), ev('SUBMIT'));
    const rules = riskElimination.rules;
    const branch = branchesFor(machine, 'household_verification', 'RECORD_VERIFICATION')[0];
    const missing = ev('RECORD_VERIFICATION', verification({ risks: [{ riskType: 'housing', resolved: true, measureId: 'm1' }] }), { role: 'township' });
    expect(checkRules(rules, branch, { context: s.context as EliminationContext, event: missing })?.details?.rule).toBe('every_risk_listed');
    const unknownMeasure = ev('RECORD_VERIFICATION', verification({ risks: [{ riskType: 'illness', resolved: true, measureId: 'nope' }] }), { role: 'township' });
    expect(checkRules(rules, branch, { context: s.context as EliminationContext, event: unknownMeasure })?.details?.rule).toBe('measures_exist');
    expect(send(s, missing).value).toBe('household_verification');
  });

  it('SF-07: the proposal needs meeting minutes, photos and sign-in sheet, each named when missing', () => {
    const meta = branchesFor(machine, 'proposed', 'SUBMIT')[0].meta;
    const all = ['meeting_minutes', 'meeting_photos', 'sign_in_sheet'];
    for (const missing of all) {
      expect(checkEvidence(meta, all.filter((t) => t !== missing))?.details?.missingEvidence).toEqual([missing]);
    }
    expect(checkEvidence(meta, all)).toBeNull();
  });

  it('no follow-up can be recorded before one is due, and FOLLOW_UP_DUE is the system’s', () => {
    const s = send(toCounty(), ev('APPROVE', {}, { role: 'county' }));
    expect(branchesFor(machine, 'eliminated', 'RECORD_FOLLOW_UP')).toEqual([]);
    expect(checkRole(branchesFor(machine, 'eliminated', 'FOLLOW_UP_DUE')[0].meta, 'village')?.code).toBe('ROLE_REQUIRED');
    expect(send(s, ev('RECORD_FOLLOW_UP', { findings: '正常', riskReturned: false })).value).toBe('eliminated');
  });

  it('only the county rolls back; admins and supervisors never transition', () => {
    for (const state of stateIds(machine)) {
      for (const { type, branches } of eventsOf(machine, state)) {
        expect(branches[0].meta.roles).not.toContain('admin');
        expect(branches[0].meta.roles).not.toContain('supervisor');
        if (type === 'ROLLBACK') expect(branches[0].meta.roles).toEqual(['county']);
      }
    }
  });

  it('eliminated is reached only by county approval, and final states take no event', () => {
    const intoEliminated = stateIds(machine).flatMap((from) =>
      eventsOf(machine, from).flatMap((e) => e.branches.filter((b) => b.target === 'eliminated').map(() => `${from}/${e.type}`)),
    );
    expect(intoEliminated.sort()).toEqual(['county_approval/APPROVE', 'follow_up_due/RECORD_FOLLOW_UP']);
    for (const final of ['rolled_back', 'continue_monitoring', 'withdrawn']) expect(eventsOf(machine, final)).toEqual([]);
  });

  it('a persisted snapshot survives a JSON round trip', () => {
    const s = toCounty();
    const restored = machine.resolveState(JSON.parse(JSON.stringify({ value: s.value, context: s.context })));
    expect(send(restored, ev('APPROVE', {}, { role: 'county' })).value).toBe('eliminated');
  });

  it('publishes its definition', () => {
    const d = describeProcedure(riskElimination);
    expect(d.initial).toBe('proposed');
    expect(d.events.find((e) => e.type === 'SUBMIT')).toMatchObject({
      role: ['village'],
      evidence: { allOf: ['meeting_minutes', 'meeting_photos', 'sign_in_sheet'] },
    });
    const approve = d.events.find((e) => e.type === 'APPROVE' && (e.from as string[])[0] === 'county_approval') as { rules: Array<{ id: string }> };
    expect(approve.rules.map((r) => r.id)).toEqual([
      'risks_resolved',
      'income_above_line',
      'income_stable',
      'guarantees_secure',
      'not_only_social_security',
      'concentration_justified',
    ]);
  });
});

describe('risk elimination machine: the follow-up visit date (issue 12)', () => {
  // eliminated at T0 (2026-06-01 Beijing); the first visit is due 2026-09-01, recorded 2026-09-20
  const recordedAt = new Date('2026-09-20T10:00:00+08:00');
  const due = () => send(send(toCounty(), ev('APPROVE', {}, { role: 'county' })), ev('FOLLOW_UP_DUE', {}, { role: 'system', now: new Date('2026-09-02T00:00:00+08:00') }));
  const failure = (s: Snap, data: Record<string, unknown>) => {
    const e = ev('RECORD_FOLLOW_UP', { findings: '入户回访，收入稳定', riskReturned: false, ...data }, { now: recordedAt });
    const args = { context: s.context as EliminationContext, event: e };
    return checkRules(riskElimination.rules, branchesFor(machine, 'follow_up_due', 'RECORD_FOLLOW_UP')[0], args);
  };

  it('bypass: a follow-up visit cannot be back-dated beyond records.maxBackdate, nor in the future, nor before the elimination (SF-11, issue 12)', () => {
    const s = due();
    // records.maxBackdate P30D: 2026-08-21 is exactly at the bound, 2026-08-20 one day beyond
    expect(failure(s, { visitDate: '2026-08-21' })).toBeNull();
    const beyond = failure(s, { visitDate: '2026-08-20' });
    expect(beyond?.details).toMatchObject({ rule: 'record_date_within_backdate', field: 'visitDate', bound: '2026-08-21', maxBackdate: 'P30D' });
    expect(beyond?.message).toContain('visitDate');
    expect(beyond?.message).toContain('2026-08-21');
    expect(failure(s, { visitDate: '2026-09-20' })).toBeNull();
    expect(failure(s, { visitDate: '2026-09-21' })?.details).toMatchObject({ rule: 'record_date_not_future', bound: '2026-09-20' });
    // not before the elimination (even when the bound is wider)
    const wide = { ...s, context: s.context } as Snap;
    const e = ev('RECORD_FOLLOW_UP', { findings: '入户回访，收入稳定', riskReturned: false, visitDate: '2026-05-31' }, { now: recordedAt });
    e.env.policy = { ...policy, 'records.maxBackdate': 'P1Y' };
    const before = checkRules(riskElimination.rules, branchesFor(machine, 'follow_up_due', 'RECORD_FOLLOW_UP')[0], { context: wide.context as EliminationContext, event: e });
    expect(before?.details).toMatchObject({ rule: 'record_date_not_before_start', bound: '2026-06-01', boundLabel: '风险消除日期' });
    // the machine's own guard agrees with the pipeline
    expect(send(s, ev('RECORD_FOLLOW_UP', { findings: '入户回访，收入稳定', riskReturned: false, visitDate: '2026-08-20' }, { now: recordedAt })).value).toBe('follow_up_due');
  });

  it('keeps the stated visit day beside the recording time; without one it is the day recorded', () => {
    const stated = send(due(), ev('RECORD_FOLLOW_UP', { findings: '入户回访，收入稳定', riskReturned: true, visitDate: '2026-09-15' }, { now: recordedAt }));
    expect(stated.value).toBe('eliminated');
    expect((stated.context as EliminationContext).followUps[0]).toMatchObject({ visitDate: '2026-09-15', recordedAt: recordedAt.toISOString(), riskReturned: true });
    const unstated = send(due(), ev('RECORD_FOLLOW_UP', { findings: '入户回访，收入稳定', riskReturned: false }, { now: recordedAt }));
    expect((unstated.context as EliminationContext).followUps[0]).toMatchObject({ visitDate: '2026-09-20', recordedAt: recordedAt.toISOString() });
  });
});
