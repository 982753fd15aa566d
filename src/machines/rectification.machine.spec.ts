import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues } from '../common/policy/policy-keys';
import { branchesFor, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkData, checkEvidence, checkReason, checkRole, checkRules, checkSeparation, selectBranch } from '../modules/engine/requirements';
import type { AuthUser } from '../common/auth/auth-user';
import { textRuleFor } from '../common/domain/reason';
import type { ProcedureEvent } from './procedure';
import { failingCreationRules } from './procedure';
import { rectification, type RectificationContext, type RectificationInput, rectificationMachine, rolesAtLevel } from './rectification.machine';

const machine = rectificationMachine;
const policy = defaultPolicyValues();
const T0 = '2026-03-01T08:00:00.000Z';

const input = (over: Partial<RectificationInput> = {}): RectificationInput => ({
  finding: { id: 'f1', source: 'city_inspection', category: 'monitoring', description: '部分监测对象风险消除程序不规范，缺少村级会议记录', severity: 'general', areas: ['411003100201'], detector: null },
  areaCode: '411003100201',
  responsibleUnit: '霍庄村村民委员会',
  responsiblePerson: '李红梅',
  measures: '逐户补齐风险消除村级评议会议记录、照片和签到表，严格执行五步法',
  deadline: '2026-09-30',
  assignedBy: { id: 'county-1', role: 'county', areaCode: '411003000000' },
  ...over,
});
const DETECTOR = { id: 'stale-monitoring', params: {}, scopeArea: '411003000000', scopeRole: 'supervisor', subjectKey: 'monitoring-object:m1' };

type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];
const start = (over: Partial<RectificationInput> = {}): Snap => initialTransition(machine, input(over))[0];

interface EvOpts {
  role?: string;
  actor?: string;
  evidence?: string[];
  reason?: string;
  facts?: Record<string, unknown>;
}
function ev(type: string, data: Record<string, unknown> = {}, o: EvOpts = {}): ProcedureEvent {
  return {
    type,
    data,
    reason: o.reason ?? null,
    evidence: (o.evidence ?? []).map((t, i) => ({ id: `e${i}`, type: t })),
    actor: { id: o.actor ?? `${o.role ?? 'village'}-1`, role: (o.role ?? 'village') as never, sector: null },
    env: { now: T0, policy, facts: o.facts ?? {} },
  };
}
const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as RectificationContext;

const PROGRESS = { progress: '已召开村民代表会议补充评议，补齐会议记录和签到表' };
const CLOSURE = { summary: '问题已全部整改到位，相关材料已归档', similarChecks: [{ target: '大路陈村（411003100202）', result: '排查近一年消除户，程序材料齐全' }] };
const OPINION = { opinion: '经实地核查，整改到位，同意销号' };

const progressed = (over: Partial<RectificationInput> = {}) => send(start(over), ev('RECORD_PROGRESS', PROGRESS, { evidence: ['rectification_evidence'] }));
const applied = (over: Partial<RectificationInput> = {}) => send(progressed(over), ev('APPLY_CLOSURE', CLOSURE));

/** the engine's pipeline, in its order, without I/O: what a request would get */
function judge(s: Snap, e: ProcedureEvent, history: Array<{ actorId: string; fromState: string | null; toState: string }> = []): string | null {
  const branches = branchesFor(machine, String(s.value), e.type);
  if (!branches.length) return 'INVALID_TRANSITION';
  const meta = branches[0].meta;
  const actor = { id: e.actor.id, role: e.actor.role } as AuthUser;
  const err =
    checkRole(meta, e.actor.role) ??
    checkSeparation(meta, actor, String(s.value), history) ??
    checkData(meta, e.data) ??
    (() => {
      const branch = selectBranch(rectification.rules, branches, { context: s.context, event: e })!;
      return (
        checkEvidence(branch.meta, e.evidence.map((x) => x.type)) ??
        checkReason(branch.meta, e.reason, textRuleFor(policy, 'reason')) ??
        checkRules(rectification.rules, branch, { context: s.context, event: e })
      );
    })();
  return err ? `${err.code}${(err.details as any)?.rule ? `:${(err.details as any).rule}` : ''}` : null;
}

describe('rectification machine (SF-26, issue 14)', () => {
  it('has exactly the states 整改中 → 待验收 → 已销号', () => {
    expect(stateIds(machine)).toEqual(['rectifying', 'acceptance', 'closed', 'cancelled']);
    expect(String(start().value)).toBe('rectifying');
    expect(eventsOf(machine, 'rectifying').map((e) => e.type)).toEqual(['RECORD_PROGRESS', 'APPLY_CLOSURE', 'CANCEL']);
    expect(eventsOf(machine, 'acceptance').map((e) => e.type)).toEqual(['ACCEPT', 'RETURN', 'CANCEL']);
    expect(eventsOf(machine, 'closed')).toEqual([]);
    expect(eventsOf(machine, 'cancelled')).toEqual([]);
  });

  it('the responsible area records progress with evidence any number of times, then applies; the assigning level accepts', () => {
    let s = progressed();
    s = send(s, ev('RECORD_PROGRESS', { progress: '已对全村消除户开展回头看，补齐材料' }, { evidence: ['rectification_evidence'] }));
    expect(String(s.value)).toBe('rectifying');
    expect(ctx(s).progress).toHaveLength(2);
    s = send(s, ev('APPLY_CLOSURE', CLOSURE));
    expect(String(s.value)).toBe('acceptance');
    expect(ctx(s).closureRequest!.similarChecks).toHaveLength(1);
    expect(judge(s, ev('ACCEPT', OPINION, { role: 'county', actor: 'county-1' }))).toBeNull();
    s = send(s, ev('ACCEPT', OPINION, { role: 'county', actor: 'county-1' }));
    expect(String(s.value)).toBe('closed');
    expect(ctx(s).acceptance).toMatchObject({ by: 'county-1', detectorChecked: false });
  });

  it('a return at acceptance, with its reason, sends the item back to 整改中; applying again needs the same checks', () => {
    let s = applied();
    expect(judge(s, ev('RETURN', {}, { role: 'county' }))).toBe('REASON_REQUIRED');
    s = send(s, ev('RETURN', {}, { role: 'county', reason: '会议记录仍缺少签到表，整改不到位' }));
    expect(String(s.value)).toBe('rectifying');
    expect(ctx(s).returns).toBe(1);
    expect(ctx(s).closureRequest).toBeNull();
    expect(ctx(s).returnReasons[0].reason).toContain('签到表');
    // trust (SF-26/SF-24): the same application again, nothing recorded since the return
    expect(judge(s, ev('APPLY_CLOSURE', CLOSURE))).toBe('RULE_VIOLATED:progress_after_return');
    expect(String(send(s, ev('APPLY_CLOSURE', CLOSURE)).value)).toBe('rectifying');
    s = send(s, ev('RECORD_PROGRESS', { progress: '补齐了签到表并重新召开评议会议' }, { evidence: ['rectification_evidence'] }));
    expect(judge(s, ev('APPLY_CLOSURE', CLOSURE))).toBeNull();
    s = send(s, ev('APPLY_CLOSURE', CLOSURE));
    expect(String(s.value)).toBe('acceptance');
    // a second return asks for progress again
    s = send(s, ev('RETURN', {}, { role: 'county', reason: '签到表与会议记录人数不一致，请核实' }));
    expect(judge(s, ev('APPLY_CLOSURE', CLOSURE))).toBe('RULE_VIOLATED:progress_after_return');
  });

  it('trust: SF-26 a return recorded before the progress count was kept judges by the moments', () => {
    const s = applied();
    const returned = send(s, ev('RETURN', {}, { role: 'county', reason: '会议记录仍缺少签到表，整改不到位' }));
    const old = { ...ctx(returned), returnReasons: [{ at: '2026-03-01T09:00:00.000Z', by: 'county-1', reason: '会议记录仍缺少签到表，整改不到位' }] };
    const rule = rectification.rules.progress_after_return;
    const event = ev('APPLY_CLOSURE', CLOSURE);
    expect(rule.check({ context: old, event } as never)).toBe(false);
    const later = { ...old, progress: [...old.progress, { at: '2026-03-02T09:00:00.000Z', by: 'village-1', role: 'village', progress: '补齐签到表', evidenceIds: ['e9'] }] };
    expect(rule.check({ context: later, event } as never)).toBe(true);
  });

  it('trust: SF-26 the assigning level cancels (撤销) an open item, with a reason; no other level, and nothing after', () => {
    for (const s of [start(), applied()]) {
      expect(judge(s, ev('CANCEL', {}, { role: 'county' }))).toBe('REASON_REQUIRED');
      expect(judge(s, ev('CANCEL', {}, { role: 'village', reason: '问题已并入其他事项统一整改' }))).toBe('ROLE_REQUIRED');
      expect(judge(s, ev('CANCEL', {}, { role: 'township', reason: '问题已并入其他事项统一整改' }))).toBe('RULE_VIOLATED:at_assigning_level');
      expect(judge(s, ev('CANCEL', {}, { role: 'county', reason: '问题已并入其他事项统一整改' }))).toBeNull();
      const c = send(s, ev('CANCEL', {}, { role: 'county', actor: 'county-1', reason: '问题已并入其他事项统一整改' }));
      expect(String(c.value)).toBe('cancelled');
      expect(ctx(c).cancellation).toEqual({ at: T0, by: 'county-1', role: 'county', reason: '问题已并入其他事项统一整改' });
      expect(judge(c, ev('RECORD_PROGRESS', PROGRESS, { evidence: ['rectification_evidence'] }))).toBe('INVALID_TRANSITION');
    }
  });

  it('trust: SF-26 交办 only to an area the finding concerns, or inside one', () => {
    const rules = (areaCode: string, areas: string[]) =>
      failingCreationRules(rectification, { input: input({ areaCode, finding: { ...input().finding, areas } }), facts: { openItemId: null }, policy, now: T0 });
    expect(rules('411003100201', ['411003100201'])).toEqual([]);
    expect(rules('411003100202', ['411003100000'])).toEqual([]);
    expect(rules('411003101201', ['411003100201'])).toEqual(['area_of_finding']);
    expect(rules('411003100000', ['411003100201'])).toEqual(['area_of_finding']);
    expect(rules('411003100201', ['411003101201', '411003100201'])).toEqual([]);
  });

  describe('forbidden transitions', () => {
    it.each([
      ['rectifying', 'ACCEPT'],
      ['rectifying', 'RETURN'],
      ['acceptance', 'RECORD_PROGRESS'],
      ['acceptance', 'APPLY_CLOSURE'],
      ['closed', 'RECORD_PROGRESS'],
      ['closed', 'APPLY_CLOSURE'],
      ['closed', 'ACCEPT'],
      ['closed', 'RETURN'],
    ])('in %s, %s is not defined', (state, type) => {
      const s = state === 'rectifying' ? start() : state === 'acceptance' ? applied() : send(applied(), ev('ACCEPT', OPINION, { role: 'county' }));
      expect(String(s.value)).toBe(state);
      expect(judge(s, ev(type, {}, { role: 'county' }))).toBe('INVALID_TRANSITION');
      expect(send(s, ev(type, OPINION, { role: 'county', reason: '理由写得足够长的退回理由' }))).toBe(s);
    });

    it('progress needs its evidence and a substantive text', () => {
      expect(judge(start(), ev('RECORD_PROGRESS', PROGRESS))).toBe('EVIDENCE_MISSING');
      expect(judge(start(), ev('RECORD_PROGRESS', { progress: '已整改' }, { evidence: ['rectification_evidence'] }))).toBe('RULE_VIOLATED:texts_substantive');
      expect(judge(start(), ev('RECORD_PROGRESS', {}, { evidence: ['rectification_evidence'] }))).toBe('VALIDATION_FAILED');
    });

    it('no closure before any progress; 举一反三 is required', () => {
      expect(judge(start(), ev('APPLY_CLOSURE', CLOSURE))).toBe('RULE_VIOLATED:progress_recorded');
      expect(send(start(), ev('APPLY_CLOSURE', CLOSURE)).value).toBe('rectifying');
      expect(judge(progressed(), ev('APPLY_CLOSURE', { summary: CLOSURE.summary, similarChecks: [] }))).toBe('VALIDATION_FAILED');
      expect(judge(progressed(), ev('APPLY_CLOSURE', { summary: CLOSURE.summary }))).toBe('VALIDATION_FAILED');
      expect(judge(progressed(), ev('APPLY_CLOSURE', { ...CLOSURE, similarChecks: [{ target: '大路陈村', result: '已排查' }] }))).toBe('RULE_VIOLATED:texts_substantive');
    });

    it('the responsible area rectifies at its own level: a county user may not rectify a village item', () => {
      expect(judge(start(), ev('RECORD_PROGRESS', PROGRESS, { role: 'county', evidence: ['rectification_evidence'] }))).toBe('RULE_VIOLATED:at_responsible_level');
      expect(judge(progressed(), ev('APPLY_CLOSURE', CLOSURE, { role: 'township' }))).toBe('RULE_VIOLATED:at_responsible_level');
      expect(judge(start(), ev('RECORD_PROGRESS', PROGRESS, { role: 'supervisor', evidence: ['rectification_evidence'] }))).toBe('ROLE_REQUIRED');
      expect(rolesAtLevel('411003000000')).toEqual(['county', 'department']);
    });

    it('acceptance by the assigning level only (谁交办、谁验收); a village user may not accept', () => {
      expect(judge(applied(), ev('ACCEPT', OPINION, { role: 'village' }))).toBe('ROLE_REQUIRED');
      expect(judge(applied(), ev('ACCEPT', OPINION, { role: 'township' }))).toBe('RULE_VIOLATED:at_assigning_level');
      expect(judge(applied(), ev('RETURN', {}, { role: 'township', reason: '整改材料不全，需补充' }))).toBe('RULE_VIOLATED:at_assigning_level');
      expect(judge(applied({ assignedBy: { id: 't', role: 'township', areaCode: '411003100000' } }), ev('ACCEPT', OPINION, { role: 'township' }))).toBeNull();
      expect(judge(applied(), ev('ACCEPT', {}, { role: 'county' }))).toBe('VALIDATION_FAILED');
    });

    it('SF-26: whoever rectified may not accept or return (segregation of duties); the assigner may', () => {
      const rectifiedBy = [{ actorId: 'county-9', fromState: 'rectifying', toState: 'rectifying' }, { actorId: 'county-9', fromState: 'rectifying', toState: 'acceptance' }];
      let s = start({ areaCode: '411003000000' });
      s = send(s, ev('RECORD_PROGRESS', PROGRESS, { role: 'county', actor: 'county-9', evidence: ['rectification_evidence'] }));
      s = send(s, ev('APPLY_CLOSURE', CLOSURE, { role: 'county', actor: 'county-9' }));
      expect(String(s.value)).toBe('acceptance');
      expect(judge(s, ev('ACCEPT', OPINION, { role: 'county', actor: 'county-9' }), rectifiedBy)).toBe('SEPARATION_OF_DUTIES');
      expect(judge(s, ev('RETURN', {}, { role: 'county', actor: 'county-9', reason: '整改材料不全，需补充' }), rectifiedBy)).toBe('SEPARATION_OF_DUTIES');
      // the user who assigned (opening the case: no fromState) is the assigning level and accepts
      expect(judge(s, ev('ACCEPT', OPINION, { role: 'county', actor: 'county-1' }), [{ actorId: 'county-1', fromState: null, toState: 'rectifying' }])).toBeNull();
      // returned once by the acceptor at this step: the same step, not a later one
      expect(judge(s, ev('ACCEPT', OPINION, { role: 'county', actor: 'county-1' }), [{ actorId: 'county-1', fromState: 'acceptance', toState: 'rectifying' }])).toBeNull();
    });

    it('SF-24: a detector-born item cannot be closed while the detector still lists the subject (no 数字整改)', () => {
      const over = { finding: { ...input().finding, detector: DETECTOR } };
      const s = applied(over);
      const still = { detector: { id: DETECTOR.id, subjectKey: DETECTOR.subjectKey, stillListed: true, checkedAt: T0 } };
      expect(judge(s, ev('ACCEPT', OPINION, { role: 'county', facts: still }))).toBe('RULE_VIOLATED:detector_cleared');
      expect(String(send(s, ev('ACCEPT', OPINION, { role: 'county', facts: still })).value)).toBe('acceptance');
      // not re-checked (no facts) is not cleared either
      expect(judge(s, ev('ACCEPT', OPINION, { role: 'county' }))).toBe('RULE_VIOLATED:detector_cleared');
      // a return is always possible
      expect(judge(s, ev('RETURN', {}, { role: 'county', reason: '检测仍列出该对象，继续整改', facts: still }))).toBeNull();
      const cleared = { detector: { ...still.detector, stillListed: false } };
      const closed = send(s, ev('ACCEPT', OPINION, { role: 'county', facts: cleared }));
      expect(String(closed.value)).toBe('closed');
      expect(ctx(closed).acceptance!.detectorChecked).toBe(true);
    });
  });

  describe('creation rules', () => {
    const args = (facts: Record<string, unknown>, deadline = '2026-09-30') => ({ input: input({ deadline }), facts, policy, now: T0 });
    it('one open item per finding and responsible area; the deadline is not in the past', () => {
      expect(failingCreationRules(rectification, args({ openItemId: null }))).toEqual([]);
      expect(failingCreationRules(rectification, args({ openItemId: 'c1' }))).toEqual(['open_item_exists']);
      expect(failingCreationRules(rectification, args({ openItemId: null }, '2026-02-28'))).toEqual(['deadline_not_past']);
    });
    it("trust: the deadline is judged on China's date — at 00:30 Beijing (16:30 UTC the day before) a deadline of today is not past", () => {
      const at = (now: string, deadline: string) => failingCreationRules(rectification, { input: input({ deadline }), facts: { openItemId: null }, policy, now });
      expect(at('2026-03-01T16:30:00.000Z', '2026-03-02')).toEqual([]);
      expect(at('2026-03-01T16:30:00.000Z', '2026-03-01')).toEqual(['deadline_not_past']);
      expect(at('2026-03-01T15:30:00.000Z', '2026-03-01')).toEqual([]);
    });
  });
});
