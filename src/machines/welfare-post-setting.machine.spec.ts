import { initialTransition, transition } from 'xstate';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';
import { branchesFor, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkEvidence, checkReason, checkRole, checkRules } from '../modules/engine/requirements';
import { type ProcedureEvent } from './procedure';
import {
  type PostSettingContext,
  type PostSettingFacts,
  type PostSettingInput,
  postSettingMachine,
  welfarePostSetting,
} from './welfare-post-setting.machine';
import { capFor } from './welfare-posts.shared';

const machine = postSettingMachine;
const T0 = new Date('2026-03-01T08:00:00+08:00');
type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

const input: PostSettingInput = {
  postId: 'p1',
  areaCode: '411003100201',
  postType: 'cleaner',
  places: 2,
  duties: '负责村内主干道日常保洁',
  monthlySubsidy: 500,
  termMonths: 12,
  justification: '全村186户，主干道3.2公里，需保洁员',
};
// 120 households, 1 cleaner per 50: cap 3
const FACTS: PostSettingFacts = { households: 120, openPlaces: 0, filled: 0 };

function ev(
  type: string,
  data: Record<string, unknown> = {},
  opts: { role?: string; sector?: string; reason?: string; facts?: Partial<PostSettingFacts>; policy?: Partial<Record<string, unknown>> } = {},
): ProcedureEvent {
  return {
    type,
    data,
    reason: opts.reason ?? null,
    evidence: [],
    actor: { id: 'u1', role: (opts.role ?? 'village') as never, sector: opts.sector ?? null },
    env: { now: T0.toISOString(), policy: { ...defaultPolicyValues(), ...opts.policy } as PolicyValues, facts: { ...FACTS, ...opts.facts } },
  };
}

const start = (over: Partial<PostSettingInput> = {}): Snap => initialTransition(machine, { ...input, ...over })[0];
const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as PostSettingContext;

function atCounty(over: Partial<PostSettingInput> = {}): Snap {
  let s = send(start(over), ev('SUBMIT'));
  s = send(s, ev('APPROVE', { opinion: '经核实确有需要' }, { role: 'township' }));
  return s;
}

function ruleOf(s: Snap, type: string, e: ProcedureEvent) {
  const branches = branchesFor(machine, String(s.value), type).filter((b) => !b.params.when || Object.entries(b.params.when).every(([k, v]) => e.data[k] === v));
  return checkRules(welfarePostSetting.rules, branches[0], { context: ctx(s), event: e })?.details?.rule ?? null;
}

describe('welfare post setting machine: allowed paths', () => {
  it('walks an application through township review and county approval to an open post, then closes it', () => {
    let s = start();
    expect(s.value).toBe('applied');
    s = send(s, ev('SUBMIT'));
    expect(s.value).toBe('township_review');
    s = send(s, ev('APPROVE', { opinion: '经核实确有需要' }, { role: 'township' }));
    expect(s.value).toBe('county_approval');
    s = send(s, ev('APPROVE', { opinion: '同意设岗' }, { role: 'county' }));
    expect(s.value).toBe('open');
    expect(ctx(s).approval).toMatchObject({ cap: 3, overCap: false, capJustification: null, approverRole: 'county' });
    s = send(s, ev('CLOSE_POST', {}, { role: 'county', reason: '道路已移交市政统一保洁' }));
    expect(s.value).toBe('closed');
    expect(s.status).toBe('done');
  });

  it('SF-12: above the cap the county approves only with a written justification, which is kept', () => {
    const s = atCounty({ places: 4 });
    const refused = send(s, ev('APPROVE', {}, { role: 'county' }));
    expect(refused.value).toBe('county_approval');
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county' }))).toBe('cap_respected_or_justified');
    const ok = send(s, ev('APPROVE', { capJustification: '本村沿河垃圾清运任务重，经县里实地核查同意' }, { role: 'county' }));
    expect(ok.value).toBe('open');
    expect(ctx(ok).approval).toMatchObject({ cap: 3, overCap: true, capJustification: '本村沿河垃圾清运任务重，经县里实地核查同意' });
  });

  it('SF-12: posts already open in the village count towards the cap', () => {
    const s = atCounty({ places: 1 });
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county' }))).toBeNull();
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', facts: { openPlaces: 3 } }))).toBe('cap_respected_or_justified');
  });

  it('SF-12: an absolute cap', () => {
    const policy = { 'posts.capPerVillage': { cleaner: { absolute: 1 } } };
    const s = atCounty({ places: 2 });
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBe('cap_respected_or_justified');
    expect(ruleOf(atCounty({ places: 1 }), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBeNull();
  });

  // before issue 12 a post type the map did not name had no cap at all: 40 水管员 passed without a word
  it('bypass: a post type without a cap of its own is capped by posts.capDefault (SF-12, issue 12)', () => {
    const policy = { 'posts.capPerVillage': { cleaner: { absolute: 1 } } };
    for (const postType of ['water_keeper', 'facility_keeper', 'grassland_keeper', 'other'] as const) {
      // 120 households, the default 1 per 50: cap 3
      expect(ruleOf(atCounty({ places: 3, postType }), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBeNull();
      expect(ruleOf(atCounty({ places: 40, postType }), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBe('cap_respected_or_justified');
    }
    const ok = send(atCounty({ places: 4, postType: 'water_keeper' }), ev('APPROVE', { capJustification: '全村集中供水管网长达12公里，需分段专人管护' }, { role: 'county' }));
    expect(ctx(ok).approval).toMatchObject({ cap: 3, overCap: true });
    // the default itself is a policy: absolute 10 lets 4 through
    const wide = { 'posts.capDefault': { absolute: 10 } };
    expect(ruleOf(atCounty({ places: 4, postType: 'water_keeper' }), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy: wide }))).toBeNull();
    // a policy version stored before the key existed still caps (the national default)
    const old = { 'posts.capDefault': undefined };
    expect(ruleOf(atCounty({ places: 40, postType: 'water_keeper' }), 'APPROVE', ev('APPROVE', {}, { role: 'county', policy: old }))).toBe('cap_respected_or_justified');
  });

  it('bypass: a cap justification passes the one text rule — no placeholder, not too short (SF-12, issue 12)', () => {
    const s = atCounty({ places: 4 });
    const county = (capJustification: unknown, policy?: Record<string, unknown>) => ruleOf(s, 'APPROVE', ev('APPROVE', { capJustification }, { role: 'county', policy }));
    // before: any 10 characters passed, "同意同意同意同意同意" or "…………见附件…………" too
    for (const bad of ['同意', '见附件。', '同意同意同意同意同意', '。。。。。。。。。。', '1234567890123456', '哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈', '确需超设保洁员十四个字']) {
      expect(county(bad)).toBe('cap_respected_or_justified');
    }
    // the edge: 15 characters (reasons.justificationMinLength) counted without spaces and punctuation
    expect(county('本村沿河垃圾清运任务重，确需增')).toBe('cap_respected_or_justified'); // 14
    expect(county('本村沿河垃圾清运任务重，确需增设')).toBeNull(); // 15
    expect(county('本村 沿河 垃圾 清运，任务重。确需增')).toBe('cap_respected_or_justified'); // 14 after spaces and punctuation
    // both parameters are the area's policy
    expect(county('本村沿河垃圾清运任务重', { 'reasons.justificationMinLength': 10 })).toBeNull();
    expect(county('本村沿河垃圾清运任务重，确需增设', { 'reasons.placeholders': ['本村沿河垃圾清运任务重确需增设'] })).toBe('cap_respected_or_justified');
  });

  it('bypass: the justification of a setting (按需设岗) passes the same text rule at submission (SF-12, issue 12)', () => {
    expect(send(start({ justification: '确有需要' }), ev('SUBMIT')).value).toBe('applied');
    expect(send(start({ justification: '见附件' }), ev('SUBMIT')).value).toBe('applied');
    expect(send(start(), ev('SUBMIT')).value).toBe('township_review');
  });

  it('the human-resources department approves where the policy says so; the county then may not', () => {
    const policy = { 'posts.approver': 'human_resources' };
    const s = atCounty();
    expect(send(s, ev('APPROVE', {}, { role: 'department', sector: 'human_resources', policy })).value).toBe('open');
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'county', policy }))).toBe('approver_in_charge');
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'department', sector: 'civil_affairs', policy }))).toBe('approver_in_charge');
    // by default the county approves and a department may not
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', {}, { role: 'department', sector: 'human_resources' }))).toBe('approver_in_charge');
  });

  it('SF-12: above the cap only the county approves, even where the department approves the rest', () => {
    const policy = { 'posts.approver': 'human_resources' };
    const s = atCounty({ places: 5 });
    const j = { capJustification: '本村沿河垃圾清运任务重，经县里实地核查同意' };
    expect(ruleOf(s, 'APPROVE', ev('APPROVE', j, { role: 'department', sector: 'human_resources', policy }))).toBe('approver_in_charge');
    expect(send(s, ev('APPROVE', j, { role: 'county', policy })).value).toBe('open');
  });

  it('returns, rejections and withdrawal', () => {
    let s = send(start(), ev('SUBMIT'));
    expect(send(s, ev('RETURN', { toState: 'applied' }, { role: 'township', reason: '设岗理由不充分请补充' })).value).toBe('applied');
    expect(send(s, ev('REJECT', {}, { role: 'township', reason: '本村已有足够保洁员' })).value).toBe('rejected');
    s = atCounty();
    expect(send(s, ev('RETURN', { toState: 'township_review' }, { role: 'county', reason: '请乡镇核实户数' })).value).toBe('township_review');
    expect(send(s, ev('RETURN', { toState: 'applied' }, { role: 'county', reason: '请村里补充说明' })).value).toBe('applied');
    expect(send(s, ev('REJECT', {}, { role: 'county', reason: '不符合按需设岗原则' })).value).toBe('rejected');
    expect(send(start(), ev('WITHDRAW', {}, { reason: '村两委决定暂缓设岗' })).value).toBe('withdrawn');
  });

  it('a persisted snapshot survives a JSON round trip', () => {
    const s = atCounty();
    const restored = machine.resolveState(JSON.parse(JSON.stringify({ value: s.value, context: s.context })));
    expect(send(restored, ev('APPROVE', {}, { role: 'county' })).value).toBe('open');
  });
});

describe('welfare post setting machine: forbidden paths', () => {
  it('a term above posts.maxTermMonths cannot be submitted or approved', () => {
    const s = start({ termMonths: 13 });
    expect(send(s, ev('SUBMIT')).value).toBe('applied');
    expect(ruleOf(s, 'SUBMIT', ev('SUBMIT'))).toBe('term_within_max');
  });

  it('a post with holders cannot be closed', () => {
    const s = send(atCounty(), ev('APPROVE', {}, { role: 'county' }));
    const e = ev('CLOSE_POST', {}, { role: 'county', reason: '道路已移交市政统一保洁', facts: { filled: 1 } });
    expect(send(s, e).value).toBe('open');
    expect(ruleOf(s, 'CLOSE_POST', e)).toBe('no_holders_to_close');
  });

  it('SF-25: each step names its roles; a village cannot review or approve, a township cannot approve', () => {
    const meta = (state: string, type: string) => branchesFor(machine, state, type)[0].meta;
    expect(checkRole(meta('applied', 'SUBMIT'), 'township')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('township_review', 'APPROVE'), 'village')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('county_approval', 'APPROVE'), 'township')?.code).toBe('ROLE_REQUIRED');
    expect(checkRole(meta('county_approval', 'APPROVE'), 'county')).toBeNull();
    expect(checkRole(meta('open', 'CLOSE_POST'), 'village')?.code).toBe('ROLE_REQUIRED');
    expect(meta('township_review', 'APPROVE').review).toBe(true);
    expect(meta('county_approval', 'APPROVE').review).toBe(true);
  });

  it('the application needs the application form; negative outcomes need a reason', () => {
    expect(checkEvidence(branchesFor(machine, 'applied', 'SUBMIT')[0].meta, [])?.details).toMatchObject({ missingEvidence: ['application_form'] });
    for (const [state, type] of [['applied', 'WITHDRAW'], ['township_review', 'REJECT'], ['township_review', 'RETURN'], ['county_approval', 'REJECT'], ['open', 'CLOSE_POST']]) {
      expect(checkReason(branchesFor(machine, state, type)[0].meta, '无', 6)?.code).toBe('REASON_REQUIRED');
    }
  });

  it('no state accepts an event it does not list, and final states accept none', () => {
    expect(send(start(), ev('APPROVE', {}, { role: 'county' })).value).toBe('applied');
    expect(send(atCounty(), ev('CLOSE_POST', {}, { role: 'county', reason: '道路已移交市政统一保洁' })).value).toBe('county_approval');
    for (const id of ['closed', 'rejected', 'withdrawn']) expect(eventsOf(machine, id)).toEqual([]);
    expect(stateIds(machine)).toEqual(['applied', 'township_review', 'county_approval', 'open', 'closed', 'rejected', 'withdrawn']);
  });
});

describe('capFor', () => {
  it('SF-12: 1 per 50 households, at least one; absolute; the smaller of both; none configured', () => {
    expect(capFor({ perHouseholds: 50 }, 120)).toBe(3);
    expect(capFor({ perHouseholds: 50 }, 3)).toBe(1);
    expect(capFor({ absolute: 2 }, 1000)).toBe(2);
    expect(capFor({ perHouseholds: 50, absolute: 2 }, 1000)).toBe(2);
    expect(capFor(undefined, 1000)).toBeNull();
  });
});
