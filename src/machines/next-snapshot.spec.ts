import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { monitoringInclusionMachine } from './monitoring-inclusion.machine';
import { initialSnapshot, nextSnapshot } from './next-snapshot';
import { type ProcedureEvent } from './procedure';

/** issue 21: nextSnapshot (one inert scope per machine) answers exactly what xstate's transition() does */
const machine = monitoringInclusionMachine;
const T0 = new Date('2026-03-01T08:00:00+08:00');
const registry = {
  householdId: 'h1',
  version: 4,
  members: [
    { id: 'm1', name: '王建国', relation: '户主', laborAbility: 'full', employment: 'local' },
    { id: 'm2', name: '李秀兰', relation: '配偶', laborAbility: 'semi', employment: 'none' },
  ],
};
const ev = (type: string, data: Record<string, unknown> = {}, now = T0): ProcedureEvent => ({
  type,
  data,
  reason: null,
  evidence: [],
  actor: { id: 'u1', role: 'village' as never },
  env: { now: now.toISOString(), policy: defaultPolicyValues(), facts: { registry } },
});
const verification = {
  conclusion: 'include',
  income: {
    periodStart: '2025-03-01',
    periodEnd: '2026-02-28',
    lines: [
      { category: 'wage', memberId: 'm1', amount: 9000, employer: '许昌市建安区某建筑公司', workplace: '许昌市' },
      { category: 'family_support', memberId: 'm2', amount: 2000, payer: '出嫁女儿' },
    ],
  },
  rigidExpenditure: { medical: 40000 },
  guarantees: { education: true, medical: false, housing: true, water: true },
  riskTypes: ['illness'],
  monitoringType: 'sudden_hardship',
};
const plain = (s: { value: unknown; context: unknown; status: unknown }) => JSON.parse(JSON.stringify({ value: s.value, context: s.context, status: s.status }));

describe('nextSnapshot (issue 21)', () => {
  const start = (urgent: boolean) => initialTransition(machine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent })[0];
  const events = [
    ev('RECORD_APPRAISAL', { result: 'passed' }), // not yet: refused, the snapshot stays
    ev('RECORD_VERIFICATION', verification),
    ev('NO_SUCH_EVENT'),
    ev('RECORD_APPRAISAL', { result: 'passed' }),
    ev('PUBLISH_NOTICE', { text: '霍庄村拟纳入防止返贫监测对象公示：王建国户' }),
    ev('CLOSE_NOTICE', {}, new Date(T0.getTime() + 10 * 86400_000)),
  ];

  it('gives the snapshot transition() gives, event after event, accepted and refused alike', () => {
    let viaTransition = start(false);
    let viaScope = start(false);
    const states: string[] = [];
    for (const e of events) {
      const [t] = transition(machine, viaTransition, e as never);
      const n = nextSnapshot(machine, viaScope as never, e as never);
      expect(plain(n)).toEqual(plain(t));
      expect(n === viaScope).toBe(t === viaTransition);
      viaTransition = t;
      viaScope = n as typeof viaScope;
      states.push(String(t.value));
    }
    // the walk really moved through the procedure
    expect(new Set(states).size).toBeGreaterThanOrEqual(3);
  });

  it('keeps nothing between calls: cases interleaved, and the same step twice, answer as if alone', () => {
    const a = start(false);
    const b = start(true);
    const alone = plain(transition(machine, a, events[1] as never)[0]);
    nextSnapshot(machine, b as never, events[1] as never);
    const first = nextSnapshot(machine, a as never, events[1] as never);
    nextSnapshot(machine, b as never, events[3] as never);
    const again = nextSnapshot(machine, a as never, events[1] as never);
    expect(plain(first)).toEqual(alone);
    expect(plain(again)).toEqual(alone);
    expect(first).not.toBe(again);
  });

  it('gives the first snapshot initialTransition() gives, for each input', () => {
    for (const urgent of [false, true]) {
      const input = { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent };
      expect(plain(initialSnapshot(machine, input))).toEqual(plain(initialTransition(machine, input as never)[0]));
    }
    expect(plain(initialSnapshot(machine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent: true }))).not.toEqual(
      plain(initialSnapshot(machine, { householdId: 'h1', channel: 'self_report', riskDescription: '突发大病', urgent: false })),
    );
  });
});
