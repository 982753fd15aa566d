import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor, describeProcedure, eventsOf, mermaidOf, stateIds } from '../modules/engine/introspection';
import { checkEvidence, checkReason, checkRole, checkRules } from '../modules/engine/requirements';
import { type InclusionContext, type InclusionInput, monitoringInclusion, monitoringInclusionMachine } from './monitoring-inclusion.machine';
import { initialSnapshot, nextSnapshot } from './next-snapshot';
import { type ProcedureEvent } from './procedure';

const machine = monitoringInclusionMachine;
const T0 = new Date('2026-03-01T08:00:00+08:00');
const policy = defaultPolicyValues();

type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

function start(input: Partial<InclusionInput> = {}): Snap {
  return initialTransition(machine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent: false, ...input })[0];
}

/** the household as the registry has it (SF-05: the member count and what wage lines are judged on) */
const registry = {
  householdId: 'h1',
  version: 4,
  members: [
    { id: 'm1', name: '王建国', relation: '户主', laborAbility: 'full', employment: 'local' },
    { id: 'm2', name: '李秀兰', relation: '配偶', laborAbility: 'semi', employment: 'none' },
    { id: 'm3', name: '王磊', relation: '子', laborAbility: 'none', employment: 'student' },
  ],
};

function ev(type: string, data: Record<string, unknown> = {}, opts: { now?: Date; role?: string; reason?: string; actor?: string } = {}): ProcedureEvent {
  return {
    type,
    data,
    reason: opts.reason ?? null,
    evidence: [],
    actor: { id: opts.actor ?? 'u1', role: (opts.role ?? 'village') as never },
    env: { now: (opts.now ?? T0).toISOString(), policy, facts: { registry } },
  };
}

function send(s: Snap, e: ProcedureEvent): Snap {
  return transition(machine, s, e as never)[0];
}

const verification = (conclusion: 'include' | 'exclude' = 'include') => ({
  conclusion,
  income: {
    periodStart: '2025-03-01',
    periodEnd: '2026-02-28',
    lines: [
      { category: 'wage', memberId: 'm1', amount: 9000, employer: '许昌市建安区某建筑公司', workplace: '许昌市' },
      { category: 'business_net', amount: 1200 },
      { category: 'family_support', memberId: 'm2', amount: 20000, payer: '出嫁女儿' },
    ],
  },
  rigidExpenditure: { medical: 40000, education: 3000 },
  guarantees: { education: true, medical: false, housing: true, water: true },
  riskTypes: ['illness'],
  monitoringType: 'sudden_hardship',
});

const approval = {
  monitoringType: 'sudden_hardship',
  riskTypes: ['illness'],
  startDate: '2026-03-10',
  assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' },
};

function toPublicNotice(): Snap {
  let s = start();
  s = send(s, ev('RECORD_VERIFICATION', verification()));
  s = send(s, ev('RECORD_APPRAISAL', { result: 'passed' }));
  return s;
}

function published(): Snap {
  return send(toPublicNotice(), ev('PUBLISH_NOTICE', { text: '霍庄村拟纳入防止返贫监测对象公示：王建国户' }));
}

const after = (days: number) => new Date(T0.getTime() + days * 86400_000 + 1000);

describe('monitoring inclusion machine: allowed paths', () => {
  it('walks a lead through every step to included', () => {
    let s = published();
    expect(s.value).toBe('public_notice');
    const ctx = s.context as InclusionContext;
    expect(ctx.notice?.endsAt).toBe(new Date(T0.getTime() + 5 * 86400_000).toISOString());
    expect(ctx.timers).toEqual([{ key: 'notice', event: 'CLOSE_NOTICE', dueAt: ctx.notice!.endsAt }]);
    s = send(s, ev('CLOSE_NOTICE', {}, { now: after(5), role: 'system' }));
    expect(s.value).toBe('township_review');
    expect((s.context as InclusionContext).timers).toEqual([]);
    s = send(s, ev('APPROVE', { opinion: '情况属实，同意上报' }, { role: 'township' }));
    expect(s.value).toBe('county_approval');
    s = send(s, ev('APPROVE', approval, { role: 'county' }));
    expect(s.value).toBe('included');
    expect(s.status).toBe('done');
    expect((s.context as InclusionContext).approval?.assistanceContact.name).toBe('孙立新');
  });

  it('SF-05: computes per-capita net income and signals from income by category, never typed', () => {
    const s = send(start({ urgent: true }), ev('RECORD_VERIFICATION', verification()));
    const v = (s.context as InclusionContext).verification!;
    expect(v.totalIncome).toBe(30200);
    expect(v.members).toBe(3); // the registry's count, not typed
    expect(v.registryVersion).toBe(4);
    expect(v.byCategory).toEqual({ wage: 9000, business_net: 1200, family_support: 20000, transfer: 0, property: 0 });
    expect(v.byMember).toEqual([
      { memberId: 'm1', name: '王建国', total: 9000, wage: 9000 },
      { memberId: 'm2', name: '李秀兰', total: 20000, wage: 0 },
      { memberId: 'm3', name: '王磊', total: 0, wage: 0 },
    ]);
    expect(v.perCapitaNetIncome).toBe(10066.67);
    expect(v.totalRigidExpenditure).toBe(43000);
    expect(v.incomeLine).toBe(7500);
    expect(v.signals).toEqual({ incomeBelowLine: false, rigidExpenditureHigh: true, guaranteeInsecure: true, suddenHardship: true });
  });

  it('SF-02: an exclude conclusion goes to the township as an exclusion proposal, which it confirms', () => {
    let s = send(start(), ev('RECORD_VERIFICATION', verification('exclude'), { reason: '家庭人均纯收入高于监测标准' }));
    expect(s.value).toBe('township_review');
    expect((s.context as InclusionContext).exclusionProposed).toBe(true);
    s = send(s, ev('CONFIRM_EXCLUSION', {}, { role: 'township', reason: '经核实收入稳定高于标准，不纳入' }));
    expect(s.value).toBe('not_included');
    expect((s.context as InclusionContext).outcomeReason).toBe('经核实收入稳定高于标准，不纳入');
  });

  it('SF-02: a failed appraisal is an exclusion proposal the township may overturn by returning it', () => {
    let s = send(start(), ev('RECORD_VERIFICATION', verification()));
    s = send(s, ev('RECORD_APPRAISAL', { result: 'failed' }));
    expect(s.value).toBe('township_review');
    s = send(s, ev('RETURN', { toState: 'household_verification' }, { role: 'township', reason: '评议依据不足，重新入户核实' }));
    expect(s.value).toBe('household_verification');
    expect((s.context as InclusionContext).exclusionProposed).toBe(false);
  });

  it('an objection during the notice returns the case to verification and drops the close timer', () => {
    let s = published();
    s = send(s, ev('RAISE_OBJECTION', {}, { now: after(1), reason: '群众反映该户有经营性收入未申报' }));
    expect(s.value).toBe('household_verification');
    expect((s.context as InclusionContext).timers).toEqual([]);
    // a second round publishes a fresh notice
    s = send(s, ev('RECORD_VERIFICATION', verification()));
    s = send(s, ev('RECORD_APPRAISAL', { result: 'passed' }));
    expect((s.context as InclusionContext).notice).toBeNull();
  });

  it('county returns to township review or verification, or rejects', () => {
    let s = send(published(), ev('CLOSE_NOTICE', {}, { now: after(6), role: 'system' }));
    s = send(s, ev('APPROVE', { opinion: '同意上报县级' }, { role: 'township' }));
    expect(send(s, ev('RETURN', { toState: 'township_review' }, { role: 'county' })).value).toBe('township_review');
    expect(send(s, ev('RETURN', { toState: 'household_verification' }, { role: 'county' })).value).toBe('household_verification');
    expect(send(s, ev('REJECT', {}, { role: 'county', reason: '家庭收入核算有误' })).value).toBe('not_included');
  });

  it('a self-reported lead can be withdrawn by the village', () => {
    expect(send(start(), ev('WITHDRAW', {}, { reason: '农户本人申请撤回' })).value).toBe('withdrawn');
  });

  it('a persisted snapshot survives a JSON round trip and keeps running', () => {
    const s = published();
    const stored = JSON.parse(JSON.stringify({ value: s.value, context: s.context }));
    const restored = machine.resolveState(stored);
    const next = send(restored, ev('CLOSE_NOTICE', {}, { now: after(5), role: 'system' }));
    expect(next.value).toBe('township_review');
  });
});

describe('monitoring inclusion machine: forbidden paths', () => {
  it('SF-22: CLOSE_NOTICE before the period is over changes nothing', () => {
    const s = published();
    const next = send(s, ev('CLOSE_NOTICE', {}, { now: after(4), role: 'system' }));
    expect(next.value).toBe('public_notice');
    const rule = checkRules(monitoringInclusion.rules, branchesFor(machine, 'public_notice', 'CLOSE_NOTICE')[0], {
      context: s.context as InclusionContext,
      event: ev('CLOSE_NOTICE', {}, { now: after(4) }),
    });
    expect(rule?.details).toMatchObject({ rule: 'notice_period_over' });
  });

  it('SF-22: a notice shorter than the minimum period is refused', () => {
    const s = toPublicNotice();
    const e = ev('PUBLISH_NOTICE', { text: '霍庄村拟纳入监测对象公示', endsAt: after(2).toISOString() });
    expect(send(s, e).context.notice).toBeNull();
  });

  it('objections after the notice has ended are refused', () => {
    expect(send(published(), ev('RAISE_OBJECTION', {}, { now: after(6), reason: '逾期提出的异议内容' })).value).toBe('public_notice');
  });

  it('a notice cannot be published twice in one stage', () => {
    const s = published();
    const again = send(s, ev('PUBLISH_NOTICE', { text: '第二次发布的公示内容文本' }, { now: after(1) }));
    expect(again.context.notice).toEqual(s.context.notice);
  });

  it('SF-03: county approval without an assistance contact is refused', () => {
    let s = send(published(), ev('CLOSE_NOTICE', {}, { now: after(6), role: 'system' }));
    s = send(s, ev('APPROVE', { opinion: '同意' }, { role: 'township' }));
    const { assistanceContact: _omit, ...noContact } = approval;
    expect(send(s, ev('APPROVE', noContact, { role: 'county' })).value).toBe('county_approval');
    expect(send(s, ev('APPROVE', { ...approval, assistanceContact: { name: ' ', unit: '局', phone: '13900000000' } }, { role: 'county' })).value).toBe('county_approval');
  });

  it('SF-02: the township cannot approve an exclusion proposal, nor confirm an exclusion that was not proposed', () => {
    const excl = send(start(), ev('RECORD_VERIFICATION', verification('exclude')));
    expect(send(excl, ev('APPROVE', { opinion: '同意上报' }, { role: 'township' })).value).toBe('township_review');
    const incl = send(published(), ev('CLOSE_NOTICE', {}, { now: after(6), role: 'system' }));
    expect(send(incl, ev('CONFIRM_EXCLUSION', {}, { role: 'township' })).value).toBe('township_review');
  });

  it('SF-01: a department alert cannot be closed without a household verification', () => {
    const s = start({ channel: 'department_alert' });
    expect(send(s, ev('WITHDRAW', {}, { reason: '村里认为不需要核实' })).value).toBe('lead');
  });

  it('bypass: a case with a recorded verification cannot be withdrawn by the village, however it came back (SF-02, issue 12)', () => {
    // verified and sent on, then returned to verification by an objection: still not withdrawable
    const verified = send(start(), ev('RECORD_VERIFICATION', verification('include')));
    expect(verified.value).toBe('village_appraisal');
    const back = machine.resolveState({ value: 'household_verification', context: verified.context } as never);
    expect(send(back, ev('WITHDRAW', {}, { reason: '农户本人书面申请撤回' })).value).toBe('household_verification');
    // a cadre lead verified: neither
    const cadre = send(start({ channel: 'cadre_visit' }), ev('RECORD_VERIFICATION', verification('exclude')));
    const returned = machine.resolveState({ value: 'household_verification', context: cadre.context } as never);
    expect(send(returned, ev('WITHDRAW', {}, { reason: '农户本人书面申请撤回' })).value).toBe('household_verification');
    // an unvisited self-reported lead may still be withdrawn
    expect(send(start(), ev('WITHDRAW', {}, { reason: '农户本人书面申请撤回' })).value).toBe('withdrawn');
  });

  it('events not defined in a state change nothing', () => {
    const s = start();
    for (const type of ['APPROVE', 'CLOSE_NOTICE', 'PUBLISH_NOTICE', 'RECORD_APPRAISAL', 'CONFIRM_EXCLUSION', 'REJECT']) {
      expect(branchesFor(machine, 'lead', type)).toEqual([]);
      expect(send(s, ev(type, {})).value).toBe('lead');
    }
  });

  it('final states accept no event', () => {
    for (const final of ['included', 'not_included', 'withdrawn']) expect(eventsOf(machine, final)).toEqual([]);
  });
});

describe('monitoring inclusion requirements, declared once in the machine (SF-25)', () => {
  const all = stateIds(machine).flatMap((state) => eventsOf(machine, state).map((e) => ({ state, ...e })));
  const roles = ['village', 'township', 'county', 'department', 'supervisor', 'admin', 'system'];

  it('every transition declares meta and the allowed guard, and one event has one data schema', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const e of all) {
      const schemas = new Set(e.branches.map((b) => b.meta.fields));
      expect(schemas.size).toBe(1);
    }
  });

  it.each(all.map((e) => [e.state, e.type, e] as const))('%s/%s refuses every role it does not name', (_s, _t, e) => {
    const meta = e.branches[0].meta;
    for (const role of roles) {
      const err = checkRole(meta, role);
      if (meta.roles.includes(role as never)) expect(err).toBeNull();
      else expect(err?.code).toBe('ROLE_REQUIRED');
    }
    // admins and supervisors never transition a case
    expect(meta.roles).not.toContain('admin');
    expect(meta.roles).not.toContain('supervisor');
  });

  it.each(
    all.flatMap((e) => e.branches.flatMap((b) => (b.meta.evidence?.allOf ?? []).map((t) => [e.state, e.type, t, b] as const))),
  )('%s/%s without %s is refused with EVIDENCE_MISSING naming it', (_s, _t, missing, b) => {
    const have = [...(b.meta.evidence?.allOf ?? []).filter((t) => t !== missing), ...(b.meta.evidence?.anyOf ?? []).map((set) => set[0])];
    const err = checkEvidence(b.meta, have);
    expect(err?.code).toBe('EVIDENCE_MISSING');
    expect(err?.details?.missingEvidence).toEqual([missing]);
    expect(checkEvidence(b.meta, [...have, missing])).toBeNull();
  });

  it('household verification accepts a commitment letter in place of the income calculation ("one of")', () => {
    const meta = branchesFor(machine, 'lead', 'RECORD_VERIFICATION')[1].meta;
    expect(checkEvidence(meta, ['household_survey'])?.details).toMatchObject({ missingOneOf: [['income_calculation', 'commitment_letter']] });
    expect(checkEvidence(meta, ['household_survey', 'commitment_letter'])).toBeNull();
    expect(checkEvidence(meta, ['household_survey', 'income_calculation'])).toBeNull();
  });

  it('every negative outcome requires a reason', () => {
    const negative = all.filter((e) => ['RETURN', 'REJECT', 'CONFIRM_EXCLUSION', 'WITHDRAW', 'RAISE_OBJECTION'].includes(e.type));
    expect(negative.length).toBeGreaterThanOrEqual(7);
    for (const e of negative) for (const b of e.branches) expect(checkReason(b.meta, '无', 6)?.code).toBe('REASON_REQUIRED');
    const exclude = branchesFor(machine, 'lead', 'RECORD_VERIFICATION').find((b) => b.params.when?.conclusion === 'exclude')!;
    expect(checkReason(exclude.meta, '', 6)?.code).toBe('REASON_REQUIRED');
  });

  it('publishes a definition and a diagram from the same machine', () => {
    const d = describeProcedure(monitoringInclusion);
    expect(d.initial).toBe('lead');
    expect(d.states.find((s) => s.id === 'included')).toMatchObject({ final: true, title: '已纳入监测' });
    const close = d.events.find((e) => e.type === 'CLOSE_NOTICE');
    expect(close).toMatchObject({ from: ['public_notice'], to: 'township_review', role: ['system'] });
    const ret = d.events.find((e) => e.type === 'RETURN' && (e.from as string[])[0] === 'county_approval');
    expect(ret?.toOptions).toEqual(['township_review', 'household_verification']);
    expect(mermaidOf(monitoringInclusion)).toContain('public_notice --> township_review: CLOSE_NOTICE');
  });
});

describe('nextSnapshot and initialSnapshot (issue 21: one inert scope per machine) answer what transition() and initialTransition() do', () => {
  const plain = (x: { value: unknown; context: unknown; status: unknown }) => JSON.parse(JSON.stringify({ value: x.value, context: x.context, status: x.status }));
  const events = [
    ev('RECORD_APPRAISAL', { result: 'passed' }), // not yet: refused, the snapshot stays
    ev('RECORD_VERIFICATION', verification()),
    ev('NO_SUCH_EVENT'),
    ev('RECORD_APPRAISAL', { result: 'passed' }),
    ev('PUBLISH_NOTICE', { text: '霍庄村拟纳入防止返贫监测对象公示：王建国户' }),
    ev('CLOSE_NOTICE', {}, { now: after(10) }),
  ];

  it('the same snapshot, event after event, accepted and refused alike', () => {
    let viaTransition = start();
    let viaScope = start();
    const states: string[] = [];
    for (const e of events) {
      const t = send(viaTransition, e);
      const n = nextSnapshot(machine, viaScope as never, e as never) as Snap;
      expect(plain(n)).toEqual(plain(t));
      expect(n === viaScope).toBe(t === viaTransition);
      viaTransition = t;
      viaScope = n;
      states.push(String(t.value));
    }
    // the walk really moved through the procedure
    expect(new Set(states).size).toBeGreaterThanOrEqual(3);
  });

  it('nothing kept between calls: cases interleaved, and the same step twice, answer as if alone', () => {
    const a = start();
    const b = start({ urgent: true });
    const alone = plain(send(a, events[1]));
    nextSnapshot(machine, b as never, events[1] as never);
    const first = nextSnapshot(machine, a as never, events[1] as never);
    nextSnapshot(machine, b as never, events[3] as never);
    const again = nextSnapshot(machine, a as never, events[1] as never);
    expect(plain(first)).toEqual(alone);
    expect(plain(again)).toEqual(alone);
    expect(first).not.toBe(again);
  });

  it('the same first snapshot for each input', () => {
    for (const urgent of [false, true]) {
      const input = { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent };
      expect(plain(initialSnapshot(machine, input))).toEqual(plain(start({ urgent })));
    }
    expect(plain(initialSnapshot(machine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent: true }))).not.toEqual(plain(start()));
  });
});
