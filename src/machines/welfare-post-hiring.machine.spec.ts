import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';
import { branchesFor, eventsOf } from '../modules/engine/introspection';
import { checkEvidence, checkReason, checkRole, checkRules } from '../modules/engine/requirements';
import { type ProcedureEvent } from './procedure';
import {
  ELIGIBILITY_RULES,
  type HiringContext,
  type HiringFacts,
  type HiringInput,
  postHiringMachine,
  welfarePostHiring,
} from './welfare-post-hiring.machine';
import { addMonthsToDate, ageAt, subsidyFor } from './welfare-posts.shared';

const machine = postHiringMachine;
const T0 = new Date('2026-03-10T08:00:00+08:00');
type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

const input: HiringInput = {
  postId: 'p1',
  memberId: 'm1',
  householdId: 'h1',
  areaCode: '411003100201',
  post: { postType: 'cleaner', monthlySubsidy: 500, termMonths: 12 },
  exclusions: { villageCadreOrFamily: false, publicEmployee: false, urbanEmployeePension: false },
};
const FACTS: HiringFacts = {
  candidate: { birthDate: '1966-05-01', gender: 'male', laborAbility: 'weak', disability: null, employment: 'local' },
  groups: ['formerly_poor'],
  otherMembersAway: 0,
  personPosts: 0,
  householdPosts: 0,
  post: { status: 'open', places: 2, filled: 0 },
  sameVillage: true,
};

interface Opts {
  role?: string;
  sector?: string;
  reason?: string;
  now?: Date;
  facts?: Partial<HiringFacts>;
  candidate?: Partial<NonNullable<HiringFacts['candidate']>>;
  policy?: Record<string, unknown>;
}
function ev(type: string, data: Record<string, unknown> = {}, o: Opts = {}): ProcedureEvent {
  return {
    type,
    data,
    reason: o.reason ?? null,
    evidence: [{ id: 'e1', type: 'attendance_sheet' }],
    actor: { id: 'u1', role: (o.role ?? 'village') as never, sector: o.sector ?? null },
    env: {
      now: (o.now ?? T0).toISOString(),
      policy: { ...defaultPolicyValues(), ...o.policy } as PolicyValues,
      facts: { ...FACTS, ...o.facts, candidate: { ...FACTS.candidate!, ...o.candidate } },
    },
  };
}
const start = (over: Partial<HiringInput> = {}): Snap => initialTransition(machine, { ...input, ...over })[0];
const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as HiringContext;
const days = (n: number) => new Date(T0.getTime() + n * 86400_000 + 1000);

function ruleOf(s: Snap, type: string, e: ProcedureEvent) {
  const branches = branchesFor(machine, String(s.value), type).filter((b) => !b.params.when || Object.entries(b.params.when).every(([k, v]) => e.data[k] === v));
  return checkRules(welfarePostHiring.rules, branches[0], { context: ctx(s), event: e })?.details?.rule ?? null;
}

function atCounty(over: Partial<HiringInput> = {}): Snap {
  let s = send(start(over), ev('RECOMMEND', { result: 'recommended' }));
  s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村拟聘用公益性岗位保洁员公示' }));
  s = send(s, ev('CLOSE_NOTICE', {}, { role: 'system', now: days(5) }));
  return send(s, ev('APPROVE', { opinion: '经审核符合条件' }, { role: 'township', now: days(6) }));
}
const contracted = () => send(atCounty(), ev('APPROVE', {}, { role: 'county', now: days(7) }));
const onDuty = (startDate = '2026-03-16', termMonths = 12) =>
  send(contracted(), ev('SIGN_AGREEMENT', { startDate, termMonths }, { role: 'township', now: days(8) }));

describe('welfare post hiring machine: allowed paths', () => {
  it('walks a candidate through recommendation, notice, review and approval to on duty, with a term timer', () => {
    let s = send(start(), ev('RECOMMEND', { result: 'recommended' }));
    expect(s.value).toBe('public_notice');
    s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村拟聘用公益性岗位保洁员公示' }));
    expect(ctx(s).timers).toEqual([{ key: 'notice', event: 'CLOSE_NOTICE', dueAt: new Date(T0.getTime() + 5 * 86400_000).toISOString() }]);
    s = send(s, ev('CLOSE_NOTICE', {}, { role: 'system', now: days(5) }));
    expect(s.value).toBe('township_review');
    expect(ctx(s).timers).toEqual([]);
    s = send(s, ev('APPROVE', { opinion: '经审核符合条件' }, { role: 'township' }));
    s = send(s, ev('APPROVE', {}, { role: 'county' }));
    expect(s.value).toBe('contracted');
    expect(ctx(s).approval).toMatchObject({ approverRole: 'county', ageAtApproval: 59 });
    s = send(s, ev('SIGN_AGREEMENT', { startDate: '2026-03-16', termMonths: 12 }, { role: 'township' }));
    expect(s.value).toBe('on_duty');
    expect(ctx(s).agreement).toMatchObject({ startDate: '2026-03-16', endDate: '2027-03-16', endsAt: '2027-03-15T16:00:00.000Z' });
    expect(ctx(s).timers).toEqual([{ key: 'term', event: 'EXPIRE', dueAt: '2027-03-15T16:00:00.000Z' }]);
  });

  it('SF-16: records a month of attendance, computes its subsidy and keeps the term timer', () => {
    let s = onDuty('2026-02-01');
    s = send(s, ev('RECORD_ATTENDANCE', { month: '2026-02', daysWorked: 20 }, { role: 'township' }));
    s = send(s, ev('RECORD_ATTENDANCE', { month: '2026-03', daysWorked: 5 }, { role: 'township' }));
    expect(s.value).toBe('on_duty');
    expect(ctx(s).attendance.map((a) => [a.month, a.daysWorked, a.subsidy, a.revision])).toEqual([
      ['2026-02', 20, 500, 1],
      ['2026-03', 5, 250, 1],
    ]);
    expect(ctx(s).attendance[0].evidenceIds).toEqual(['e1']);
    expect(ctx(s).timers).toHaveLength(1);
  });

  it('SF-16: a correction is a new entry with the next revision and its reason, never an edit', () => {
    let s = send(onDuty('2026-02-01'), ev('RECORD_ATTENDANCE', { month: '2026-02', daysWorked: 3 }, { role: 'township' }));
    s = send(s, ev('CORRECT_ATTENDANCE', { month: '2026-02', daysWorked: 18 }, { role: 'township', reason: '考勤表漏记两周，按原始签到更正' }));
    expect(ctx(s).attendance.map((a) => [a.daysWorked, a.subsidy, a.revision, a.correction])).toEqual([
      [3, 250, 1, false],
      [18, 500, 2, true],
    ]);
    expect(ctx(s).attendance[1].reason).toBe('考勤表漏记两周，按原始签到更正');
  });

  it('SF-15: the township terminates for working away; the village records a resignation', () => {
    const t = send(onDuty(), ev('TERMINATE', { exitReason: 'working_away' }, { role: 'township', reason: '经入户核查本人已外出务工三个月' }));
    expect(t.value).toBe('exited');
    expect(ctx(t).exit).toMatchObject({ kind: 'terminated', exitReason: 'working_away' });
    const r = send(onDuty(), ev('RESIGN', {}, { reason: '本人因照顾老人申请辞岗' }));
    expect(ctx(r).exit).toMatchObject({ kind: 'resigned' });
  });

  it('the system ends the contract at term end, not before', () => {
    const s = onDuty('2026-03-16', 1);
    expect(send(s, ev('EXPIRE', {}, { role: 'system', now: new Date('2026-04-15T12:00:00+08:00') })).value).toBe('on_duty');
    const done = send(s, ev('EXPIRE', {}, { role: 'system', now: new Date('2026-04-16T00:00:01+08:00') }));
    expect(done.value).toBe('exited');
    expect(ctx(done).exit).toMatchObject({ kind: 'expired', exitReason: 'term_expired' });
  });

  it('an objection during the notice returns the case to the village; a candidate may decline after approval', () => {
    let s = send(start(), ev('RECOMMEND', { result: 'recommended' }));
    s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村拟聘用公益性岗位保洁员公示' }));
    s = send(s, ev('RAISE_OBJECTION', {}, { now: days(1), reason: '群众反映其子女均在外务工' }));
    expect(s.value).toBe('applied');
    expect(ctx(s).notice).toBeNull();
    expect(send(contracted(), ev('WITHDRAW', {}, { role: 'township', reason: '本人放弃聘用外出务工' })).value).toBe('withdrawn');
  });

  it('the human-resources department approves hiring where the policy says so', () => {
    const policy = { 'posts.approver': 'human_resources' };
    expect(send(atCounty(), ev('APPROVE', {}, { role: 'department', sector: 'human_resources', policy })).value).toBe('contracted');
    expect(ruleOf(atCounty(), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBe('approver_in_charge');
  });

  it('a persisted on-duty snapshot survives a JSON round trip', () => {
    const s = onDuty('2026-02-01');
    const restored = machine.resolveState(JSON.parse(JSON.stringify({ value: s.value, context: s.context })));
    expect(send(restored, ev('RECORD_ATTENDANCE', { month: '2026-02', daysWorked: 9 }, { role: 'township' })).value).toBe('on_duty');
  });
});

describe('welfare post hiring machine: eligibility again at county approval (SF-13, SF-14, SF-15)', () => {
  const cases: Array<[string, string, Opts]> = [
    ['SF-13: an 80-year-old is never hired', 'never_age', { candidate: { birthDate: '1945-05-01' } }],
    ['SF-13: a 90-year-old is never hired', 'never_age', { candidate: { birthDate: '1936-01-01' } }],
    ['SF-13: above the maximum age', 'age_max', { candidate: { birthDate: '1958-01-01' } }],
    ['SF-13: below the minimum age', 'age_min', { candidate: { birthDate: '2012-01-01' } }],
    ['SF-13: strong young labour against the per-gender minimum (男50、女40)', 'gender_min_age', { candidate: { birthDate: '1990-01-01' }, policy: { 'posts.genderMinAge': { enabled: true, male: 50, female: 40 } } }],
    ['SF-13: no ability to work', 'labour_ability', { candidate: { laborAbility: 'none' } }],
    ['SF-13: a severe disability (level 2)', 'severe_disability', { candidate: { disability: { category: '视力', level: 2 } } }],
    ['SF-14: a second post for the same person', 'one_post_per_person', { facts: { personPosts: 1 } }],
    ['SF-14: a second post in the household', 'posts_per_household', { facts: { householdPosts: 1 } }],
    ['SF-15: the candidate works away', 'not_working_away', { candidate: { employment: 'outside' } }],
    ['SF-15: two other members of the household work away', 'household_members_away', { facts: { otherMembersAway: 2 } }],
    ['not in a candidate group', 'candidate_group', { facts: { groups: [] } }],
    ['the post has no free place', 'post_open_with_free_place', { facts: { post: { status: 'open', places: 1, filled: 1 } } }],
    ['the candidate is not of the post’s village', 'candidate_registered', { facts: { sameVillage: false } }],
  ];
  it.each(cases)('%s: refused, naming %s', (_label, rule, opts) => {
    const s = atCounty();
    const e = ev('APPROVE', {}, { role: 'county', ...opts });
    expect(send(s, e).value).toBe('county_approval');
    expect(ruleOf(s, 'APPROVE', e)).toBe(rule);
  });

  it('passes each of those with the default facts, and the per-gender rule lets a woman of 45 pass', () => {
    const s = atCounty();
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county' }))).toBeNull();
    const g = { 'posts.genderMinAge': { enabled: true, male: 50, female: 40 } };
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', policy: g, candidate: { gender: 'female', birthDate: '1981-01-01' } }))).toBeNull();
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', candidate: { disability: { category: '肢体', level: 3 } } }))).toBeNull();
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', facts: { otherMembersAway: 1 } }))).toBeNull();
  });

  it('a declared excluded group (village cadre family) is refused', () => {
    const s = atCounty({ exclusions: { villageCadreOrFamily: true, publicEmployee: false, urbanEmployeePension: false } });
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county' }))).toBe('not_excluded_group');
  });

  it('every eligibility rule is on the approval branch', () => {
    expect(branchesFor(machine, 'county_approval', 'APPROVE')[0].params.rules).toEqual(['approver_in_charge', ...ELIGIBILITY_RULES]);
  });
});

describe('welfare post hiring machine: forbidden paths', () => {
  it('SF-22: the notice cannot close before its period is over', () => {
    let s = send(start(), ev('RECOMMEND', { result: 'recommended' }));
    s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村拟聘用公益性岗位保洁员公示' }));
    const e = ev('CLOSE_NOTICE', {}, { role: 'system', now: days(4) });
    expect(send(s, e).value).toBe('public_notice');
    expect(ruleOf(s, 'CLOSE_NOTICE', e)).toBe('notice_period_over');
  });

  it('the agreement term is at most posts.maxTermMonths and the post’s term, and cannot be back-dated', () => {
    const s = contracted();
    const long = ev('SIGN_AGREEMENT', { startDate: '2026-03-16', termMonths: 13 }, { role: 'township' });
    expect(send(s, long).value).toBe('contracted');
    expect(ruleOf(s, 'SIGN_AGREEMENT', long)).toBe('term_within_max');
    const old = ev('SIGN_AGREEMENT', { startDate: '2026-01-31', termMonths: 12 }, { role: 'township' });
    expect(ruleOf(s, 'SIGN_AGREEMENT', old)).toBe('agreement_not_backdated');
    expect(checkEvidence(branchesFor(machine, 'contracted', 'SIGN_AGREEMENT')[0].meta, [])?.details).toMatchObject({ missingEvidence: ['agreement'] });
  });

  it('SF-16: one record per person and month; a correction needs an existing record and a reason', () => {
    const s = send(onDuty('2026-02-01'), ev('RECORD_ATTENDANCE', { month: '2026-02', daysWorked: 20 }, { role: 'township' }));
    const again = ev('RECORD_ATTENDANCE', { month: '2026-02', daysWorked: 22 }, { role: 'township' });
    expect(send(s, again)).toBe(s);
    expect(ruleOf(s, 'RECORD_ATTENDANCE', again)).toBe('attendance_not_yet_recorded');
    expect(ruleOf(s, 'CORRECT_ATTENDANCE', ev('CORRECT_ATTENDANCE', { month: '2026-03', daysWorked: 2 }, { role: 'township' }))).toBe('attendance_recorded');
    expect(checkReason(branchesFor(machine, 'on_duty', 'CORRECT_ATTENDANCE')[0].meta, '', 6)?.code).toBe('REASON_REQUIRED');
    expect(checkEvidence(branchesFor(machine, 'on_duty', 'RECORD_ATTENDANCE')[0].meta, [])?.details).toMatchObject({ missingEvidence: ['attendance_sheet'] });
  });

  it('SF-16: no attendance for a future month, a month before the term, or more days than the month has', () => {
    const s = onDuty('2026-02-01');
    const at = (month: string, daysWorked = 10) => ruleOf(s, 'RECORD_ATTENDANCE', ev('RECORD_ATTENDANCE', { month, daysWorked }, { role: 'township' }));
    expect(at('2026-04')).toBe('attendance_month_in_tenure');
    expect(at('2026-01')).toBe('attendance_month_in_tenure');
    expect(at('2026-02', 29)).toBe('days_within_month');
    expect(at('2026-02', 28)).toBeNull();
  });

  it('trust: SF-15 a holder who left the household: no attendance for a month after the day, no agreement; the month of leaving and a termination for left_household still pass (issue 19 item 5)', () => {
    const s = onDuty('2026-02-01');
    const left = { holderLeft: { date: '2026-02-20', kind: 'death' } };
    const at = (type: string, month: string, facts: Partial<HiringFacts> = left) => ruleOf(s, type, ev(type, { month, daysWorked: 10 }, { role: 'township', facts }));
    expect(at('RECORD_ATTENDANCE', '2026-03')).toBe('holder_in_household');
    expect(at('RECORD_ATTENDANCE', '2026-03', {})).toBeNull();
    expect(at('RECORD_ATTENDANCE', '2026-02')).toBeNull();
    const corrected = send(s, ev('RECORD_ATTENDANCE', { month: '2026-03', daysWorked: 10 }, { role: 'township' }));
    expect(ruleOf(corrected, 'CORRECT_ATTENDANCE', ev('CORRECT_ATTENDANCE', { month: '2026-03', daysWorked: 12 }, { role: 'township', reason: '更正考勤天数', facts: left }))).toBe('holder_in_household');
    expect(ruleOf(contracted(), 'SIGN_AGREEMENT', ev('SIGN_AGREEMENT', { startDate: '2026-03-16', termMonths: 12 }, { role: 'township', now: days(8), facts: left }))).toBe('holder_in_household');
    const ended = send(s, ev('TERMINATE', { exitReason: 'left_household' }, { role: 'township', reason: '在岗人员已死亡，依规解除聘用', now: days(30) }));
    expect(ended.value).toBe('exited');
  });

  it('SF-15, SF-25: terminations need a reason and evidence and are the township’s; resignations the village’s', () => {
    const meta = (type: string) => branchesFor(machine, 'on_duty', type)[0].meta;
    expect(checkRole(meta('TERMINATE'), 'village')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('RESIGN'), 'township')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('EXPIRE'), 'township')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('RECORD_ATTENDANCE'), 'village')?.code).toBe('ROLE_REQUIRED');
    expect(checkReason(meta('TERMINATE'), '无', 6)?.code).toBe('REASON_REQUIRED');
    expect(checkEvidence(meta('TERMINATE'), [])?.code).toBe('EVIDENCE_MISSING');
    expect(checkEvidence(meta('TERMINATE'), ['household_survey'])).toBeNull();
    expect(checkRole(branchesFor(machine, 'county_approval', 'APPROVE')[0].meta, 'township')?.code).toBe('ROLE_REQUIRED');
  });

  it('a village recommendation needs minutes and a sign-in sheet; not recommending needs a reason and ends the case', () => {
    expect(checkEvidence(branchesFor(machine, 'applied', 'RECOMMEND')[0].meta, ['meeting_minutes'])?.details).toMatchObject({ missingEvidence: ['sign_in_sheet'] });
    const s = send(start(), ev('RECOMMEND', { result: 'not_recommended' }, { reason: '村民代表评议未通过' }));
    expect(s.value).toBe('rejected');
  });

  it('no attendance before the agreement, no hiring events on duty, final states accept nothing', () => {
    expect(send(contracted(), ev('RECORD_ATTENDANCE', { month: '2026-03', daysWorked: 9 }, { role: 'township' })).value).toBe('contracted');
    expect(send(onDuty(), ev('APPROVE', {}, { role: 'county' })).value).toBe('on_duty');
    for (const id of ['exited', 'rejected', 'withdrawn']) expect(eventsOf(machine, id)).toEqual([]);
  });
});

describe('welfare post helpers', () => {
  it('SF-16: full subsidy at the minimum days, the configured share below, nothing for no day', () => {
    expect(subsidyFor({ monthlySubsidy: 500, daysWorked: 8, minDays: 8, partialRatio: 0.5 })).toBe(500);
    expect(subsidyFor({ monthlySubsidy: 500, daysWorked: 7, minDays: 8, partialRatio: 0.5 })).toBe(250);
    expect(subsidyFor({ monthlySubsidy: 500, daysWorked: 7, minDays: 8, partialRatio: 0 })).toBe(0);
    expect(subsidyFor({ monthlySubsidy: 500, daysWorked: 0, minDays: 8, partialRatio: 0.5 })).toBe(0);
  });

  it('ages on the Beijing calendar and adds months clamped to the month end', () => {
    expect(ageAt('1946-03-10', '2026-03-09T16:00:00Z')).toBe(80);
    expect(ageAt('1946-03-10', '2026-03-09T15:59:59Z')).toBe(79);
    expect(addMonthsToDate('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsToDate('2026-11-15', 2)).toBe('2027-01-15');
  });
});
