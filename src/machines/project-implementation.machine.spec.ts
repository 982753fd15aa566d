import stringify from 'json-stable-stringify';
import { initialTransition, transition } from 'xstate';
import { ids, ROLE_LABELS, SECTORS } from '../common/domain/enums';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';
import { branchesFor, describeProcedure, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkEvidence, checkReason, checkRole, checkRules, selectBranch } from '../modules/engine/requirements';
import type { ProcedureEvent } from './procedure';
import { failingCreationRules } from './procedure';
import { type ImplementationContext, projectImplementation, projectImplementationMachine } from './project-implementation.machine';
import { beijingDate } from './record-date';

const machine = projectImplementationMachine;
type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

function policyWith(map: Record<string, string[]> = { industry: ['agriculture', 'human_resources'], roads: ['transport'] }): PolicyValues {
  const p = defaultPolicyValues();
  p['projects.departmentsByCategory'] = map;
  p['projects.noticePeriod'] = 'P10D';
  return p;
}
const policy = policyWith();
const NOW = new Date();
const TODAY = beijingDate(NOW);
const daysAgo = (n: number) => beijingDate(new Date(NOW.getTime() - n * 86400_000));
const REASON = '大棚骨架焊接不牢，需返工整改';

function start(category = 'industry', openedBy?: { id: string; role: string }): Snap {
  return initialTransition(machine, {
    ...(openedBy ? { openedBy } : {}),
    areaCode: '411003100201',
    projectId: 'p1',
    name: '霍庄村食用菌产业大棚建设项目',
    category,
    year: 2026,
    funds: [{ source: '中央财政衔接资金', amountFen: 100_000_000 }],
    plannedFen: 100_000_000,
    period: { start: daysAgo(90), end: daysAgo(-90) },
  })[0];
}

interface EvOpts {
  role?: string;
  sector?: string | null;
  actor?: string;
  reason?: string;
  evidence?: string[];
  uploader?: { role: string; sector: string | null };
  now?: Date;
  facts?: Record<string, unknown>;
}

/** what the adapter loads: the areas of the project's county (asset owners), no payment awaiting approval */
const FACTS = { countyAreas: { '411003000000': 'county', '411003100000': 'township', '411003100201': 'village', '411003100202': 'village' }, pendingPayments: 0, paidFen: 0 };

function ev(type: string, data: Record<string, unknown> = {}, o: EvOpts = {}): ProcedureEvent {
  const role = o.role ?? 'village';
  return {
    type,
    data,
    reason: o.reason ?? null,
    evidence: (o.evidence ?? []).map((t, i) => ({ id: `e${i}`, type: t, uploader: o.uploader ?? { role, sector: o.sector ?? null } })),
    actor: { id: o.actor ?? `${role}-${o.sector ?? 'x'}`, role: role as never, sector: o.sector ?? null },
    env: { now: (o.now ?? NOW).toISOString(), policy, facts: o.facts ?? FACTS },
  };
}
const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as ImplementationContext;
function ruleOf(s: Snap, e: ProcedureEvent): string | undefined {
  const branch = selectBranch(projectImplementation.rules, branchesFor(machine, String(s.value), e.type), { context: ctx(s), event: e });
  return checkRules(projectImplementation.rules, branch!, { context: ctx(s), event: e })?.details?.rule as string | undefined;
}

const contract = (over: Record<string, unknown> = {}) => ({
  contractNo: 'JA-2026-001', contractor: '许昌建安建筑工程有限公司', contractAmount: 1_000_000, signedOn: daysAgo(60), startedOn: daysAgo(58), plannedEnd: daysAgo(-60), ...over,
});
const CONTRACT_EV = ['contract', 'start_report'];
const progress = (percent: number, date: string, o: EvOpts = {}) => ev('REPORT_PROGRESS', { percent, date }, { role: 'township', actor: 't1', evidence: ['progress_photo'], ...o });
const complete = (data: Record<string, unknown> = { completedOn: daysAgo(5) }) => ev('COMPLETE', data, { evidence: ['completion_report'] });
const sign = (role: string, sector: string | null = null, o: EvOpts = {}) =>
  ev('SIGN_ACCEPTANCE', { opinion: '工程质量合格，同意验收' }, { role, sector, actor: `${role}-${sector ?? 'x'}-sign`, evidence: ['acceptance_record'], ...o });
const assets = (over: Record<string, unknown> = {}) =>
  ev('REGISTER_ASSETS', {
    handoverDate: daysAgo(2),
    assets: [{ name: '食用菌标准化大棚', kind: '经营性资产', quantity: 20, unit: '座', value: 980000, owner: { type: 'village_collective', name: '霍庄村股份经济合作社', areaCode: '411003100201' } }],
    ...over,
  }, { role: 'county', actor: 'c-assets', evidence: ['handover_record'] });

function inProgress(): Snap {
  return send(start(), ev('RECORD_CONTRACT', contract(), { evidence: CONTRACT_EV }));
}
function atAcceptance(): Snap {
  let s = inProgress();
  s = send(s, progress(40, daysAgo(40)));
  s = send(s, progress(100, daysAgo(10)));
  return send(s, complete());
}
const ALL_PARTIES: Array<[string, string | null]> = [['township', null], ['department', 'agriculture'], ['department', 'human_resources'], ['county', null]];
function atAssets(): Snap {
  let s = atAcceptance();
  for (const [r, sec] of ALL_PARTIES) s = send(s, sign(r, sec));
  return s;
}
function atNotice(): Snap {
  return send(atAssets(), assets());
}

describe('project implementation machine: the path from contract to assets', () => {
  it('walks a planned project through contract, progress, completion, acceptance, assets, notice to closed', () => {
    let s = inProgress();
    expect(s.value).toBe('in_progress');
    expect(ctx(s).contract).toMatchObject({ contractNo: 'JA-2026-001', amountFen: 100_000_000 });
    s = send(s, progress(40, daysAgo(40)));
    s = send(s, progress(100, daysAgo(10)));
    expect(ctx(s).progress.map((p) => p.percent)).toEqual([40, 100]);
    s = send(s, complete());
    expect(s.value).toBe('acceptance');
    expect(ctx(s).acceptance).toEqual({ required: ['township', 'department:agriculture', 'department:human_resources', 'county'], signatures: [] });
    for (const [r, sec] of ALL_PARTIES.slice(0, 3)) {
      s = send(s, sign(r, sec));
      expect(s.value).toBe('acceptance');
    }
    s = send(s, sign('county'));
    expect(s.value).toBe('asset_registration');
    expect(ctx(s).acceptedAt).not.toBeNull();
    s = send(s, assets());
    expect(s.value).toBe('completion_notice');
    expect(ctx(s).assets).toMatchObject({ totalFen: 98_000_000, items: [{ owner: { type: 'village_collective', name: '霍庄村股份经济合作社' } }] });
    s = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村食用菌产业大棚建设项目竣工公告' }, { role: 'county', evidence: ['notice_photo'] }));
    expect(ctx(s).timers).toHaveLength(1);
    s = send(s, ev('CLOSE_NOTICE', {}, { role: 'system', now: new Date(NOW.getTime() + 11 * 86400_000) }));
    expect(s.value).toBe('closed');
  });

  it('a failed acceptance returns to in progress with the defects listed; the next completion says how they were put right, and every party signs again', () => {
    let s = atAcceptance();
    s = send(s, sign('township'));
    s = send(s, ev('FAIL_ACCEPTANCE', { defects: ['大棚骨架焊接不牢', '排水沟未按图施工'] }, { role: 'department', sector: 'agriculture', reason: REASON, evidence: ['acceptance_record'] }));
    expect(s.value).toBe('in_progress');
    expect(ctx(s).openDefects).toEqual(['大棚骨架焊接不牢', '排水沟未按图施工']);
    expect(ctx(s).failedAcceptances).toMatchObject([{ party: 'department:agriculture', defects: ['大棚骨架焊接不牢', '排水沟未按图施工'], reason: REASON }]);
    const bare = complete({ completedOn: daysAgo(3) });
    expect(ruleOf(s, bare)).toBe('defects_rectified');
    expect(send(s, bare)).toBe(s);
    s = send(s, complete({ completedOn: daysAgo(3), rectification: '骨架全部重新焊接并经监理复检，排水沟按设计图纸返工完成' }));
    expect(s.value).toBe('acceptance');
    expect(ctx(s).acceptance?.signatures).toEqual([]);
    expect(ctx(s).openDefects).toEqual([]);
  });

  it('an objection to the completion notice takes it down and returns to asset registration', () => {
    let s = send(atNotice(), ev('PUBLISH_NOTICE', { text: '霍庄村食用菌产业大棚建设项目竣工公告' }, { role: 'county', evidence: ['notice_photo'] }));
    s = send(s, ev('RAISE_OBJECTION', {}, { role: 'village', reason: '公示的资产数量与实际不符', evidence: ['objection_record'] }));
    expect(s.value).toBe('asset_registration');
    expect(ctx(s).notice).toBeNull();
  });
});

describe('project implementation machine: forbidden transitions', () => {
  it('a contract with dates out of order, or a start in the future, is refused', () => {
    for (const bad of [contract({ startedOn: daysAgo(70) }), contract({ plannedEnd: daysAgo(59) }), contract({ signedOn: TODAY, startedOn: daysAgo(-1) })]) {
      const e = ev('RECORD_CONTRACT', bad, { evidence: CONTRACT_EV });
      expect(ruleOf(start(), e)).toBe('contract_dates_valid');
      expect(send(start(), e).value).toBe('contracting');
    }
  });

  it('progress never goes back: a lower percentage or an earlier date is refused; the same percentage later is recorded', () => {
    const s = send(inProgress(), progress(60, daysAgo(20)));
    expect(ruleOf(s, progress(59, daysAgo(10)))).toBe('progress_monotonic');
    expect(ruleOf(s, progress(70, daysAgo(21)))).toBe('progress_monotonic');
    expect(send(s, progress(60, daysAgo(10))).context.progress).toHaveLength(2);
  });

  it('a progress date before the start of works or in the future is refused; only the township reports progress', () => {
    const s = inProgress();
    expect(ruleOf(s, progress(10, daysAgo(59)))).toBe('progress_date_valid');
    expect(ruleOf(s, progress(10, daysAgo(-1)))).toBe('progress_date_valid');
    const meta = branchesFor(machine, 'in_progress', 'REPORT_PROGRESS')[0].meta;
    expect(meta.roles).toEqual(['township']);
    expect(checkRole(meta, 'village')?.code).toBe('ROLE_REQUIRED');
  });

  it('completion needs progress at 100%', () => {
    const s = send(inProgress(), progress(99, daysAgo(10)));
    expect(ruleOf(s, complete())).toBe('progress_complete');
    expect(send(s, complete()).value).toBe('in_progress');
  });

  it('acceptance: a department of another sector, a party signing twice, and a record uploaded by another party are refused', () => {
    const s = atAcceptance();
    expect(ruleOf(s, sign('department', 'civil_affairs'))).toBe('acceptance_party_required');
    const once = send(s, sign('township'));
    expect(ruleOf(once, sign('township', null, { actor: 't-other' }))).toBe('acceptance_not_yet_signed');
    // the county signs with the township's record
    expect(ruleOf(s, sign('county', null, { uploader: { role: 'township', sector: null } }))).toBe('acceptance_record_own');
    // agriculture signs with human resources' record
    expect(ruleOf(s, sign('department', 'agriculture', { uploader: { role: 'department', sector: 'human_resources' } }))).toBe('acceptance_record_own');
    // a department of another sector cannot fail it either
    expect(ruleOf(s, ev('FAIL_ACCEPTANCE', { defects: ['问题一二三'] }, { role: 'department', sector: 'civil_affairs', reason: REASON, evidence: ['acceptance_record'] }))).toBe('acceptance_party_required');
  });

  it('assets are handed over on or after completion and not in the future', () => {
    const s = atAssets();
    expect(ruleOf(s, assets({ handoverDate: daysAgo(6) }))).toBe('handover_date_valid');
    expect(ruleOf(s, assets({ handoverDate: daysAgo(-1) }))).toBe('handover_date_valid');
  });

  it('SF-22: the completion notice cannot close before its period, nor before it is published', () => {
    const s = atNotice();
    expect(ruleOf(s, ev('CLOSE_NOTICE', {}, { role: 'system' }))).toBe('notice_period_over');
    const published = send(s, ev('PUBLISH_NOTICE', { text: '霍庄村食用菌产业大棚建设项目竣工公告' }, { role: 'county', evidence: ['notice_photo'] }));
    expect(ruleOf(published, ev('CLOSE_NOTICE', {}, { role: 'system' }))).toBe('notice_period_over');
  });

  it('the final state accepts no event', () => {
    expect(eventsOf(machine, 'closed')).toEqual([]);
  });

  it('a project enters implementation only from the plan, once, and only from the library', () => {
    const args = (facts: Record<string, unknown>) => ({ input: {} as never, facts, policy, now: NOW.toISOString() });
    expect(failingCreationRules(projectImplementation, args({ projectStatus: 'in_library', planned: true, implementationCaseId: null }))).toEqual([]);
    expect(failingCreationRules(projectImplementation, args({ projectStatus: 'in_library', planned: false, implementationCaseId: null }))).toEqual(['project_in_plan']);
    expect(failingCreationRules(projectImplementation, args({ projectStatus: 'in_library', planned: true, implementationCaseId: 'c' }))).toEqual(['implementation_not_started']);
    expect(failingCreationRules(projectImplementation, args({ projectStatus: 'applying', planned: false, implementationCaseId: null }))).toEqual(['project_in_library', 'project_in_plan']);
  });
});

describe('project implementation: no shortcut to acceptance, assets or closing', () => {
  const ROLES = ROLE_LABELS.map((r) => r.id);
  const ALL_EVENTS = [...new Set(stateIds(machine).flatMap((s) => eventsOf(machine, s).map((e) => e.type))), 'PAY', 'OVERRIDE'];
  const CHAIN = ['contracting', 'in_progress', 'acceptance', 'asset_registration', 'completion_notice', 'closed'];
  const FORWARD = new Set([
    'contracting|RECORD_CONTRACT|village',
    'contracting|RECORD_CONTRACT|township',
    'in_progress|COMPLETE|village',
    'in_progress|COMPLETE|township',
    'acceptance|SIGN_ACCEPTANCE|township',
    'acceptance|SIGN_ACCEPTANCE|department',
    'acceptance|SIGN_ACCEPTANCE|county',
    'asset_registration|REGISTER_ASSETS|township',
    'asset_registration|REGISTER_ASSETS|county',
    'completion_notice|CLOSE_NOTICE|system',
  ]);
  const ALL_EVIDENCE = ['contract', 'start_report', 'progress_photo', 'completion_report', 'handover_record', 'notice_photo', 'objection_record'];
  const actors = ROLES.flatMap((role): Array<{ role: string; sector: string | null }> =>
    role === 'department' ? ids(SECTORS).map((sector) => ({ role, sector })) : [{ role, sector: null }],
  );
  const dataFor = (type: string): Array<Record<string, unknown>> => {
    switch (type) {
      case 'RECORD_CONTRACT': return [contract()];
      case 'REPORT_PROGRESS': return [{ percent: 50, date: daysAgo(20) }, { percent: 100, date: daysAgo(10) }];
      case 'COMPLETE': return [{ completedOn: daysAgo(5), rectification: '骨架全部重新焊接并经监理复检，排水沟按设计图纸返工完成' }];
      case 'SIGN_ACCEPTANCE': return [{ opinion: '工程质量合格，同意验收' }];
      case 'FAIL_ACCEPTANCE': return [{ defects: ['大棚骨架焊接不牢'] }];
      case 'REGISTER_ASSETS': return [assets().data];
      case 'PUBLISH_NOTICE': return [{ text: '霍庄村食用菌产业大棚建设项目竣工公告' }];
      default: return [{}];
    }
  };
  const times = [NOW, new Date(NOW.getTime() + 11 * 86400_000)];
  interface Edge { from: string; event: string; role: string; to: string }

  function explore(): { edges: Edge[]; nodes: number } {
    const edges = new Map<string, Edge>();
    const key = (s: Snap) => stringify({ v: s.value, p: ctx(s).progress[ctx(s).progress.length - 1]?.percent ?? null, a: ctx(s).acceptance?.signatures.map((x) => x.party), n: ctx(s).notice?.startsAt ?? null, d: ctx(s).openDefects.length });
    const queue: Snap[] = [start()];
    const seen = new Set(queue.map(key));
    while (queue.length) {
      const s = queue.shift()!;
      const from = String(s.value);
      for (const type of ALL_EVENTS) {
        const branches = branchesFor(machine, from, type);
        for (const { role, sector } of actors) {
          if (!branches.length || checkRole(branches[0].meta, role)) continue;
          for (const data of dataFor(type)) {
            for (const now of times) {
              const evidence = [...ALL_EVIDENCE, 'acceptance_record'];
              const next = send(s, ev(type, data, { role, sector, now, reason: REASON, evidence }));
              if (next === s) continue;
              const to = String(next.value);
              edges.set(`${from}|${type}|${role}|${to}`, { from, event: type, role, to });
              if (!seen.has(key(next))) {
                seen.add(key(next));
                queue.push(next);
              }
            }
          }
        }
      }
    }
    return { edges: [...edges.values()], nodes: seen.size };
  }
  const { edges, nodes } = explore();

  it('walks every event of every role from every reachable state', () => {
    expect(nodes).toBeGreaterThan(10);
    // every state but the initial one is reached
    expect(new Set(edges.map((e) => e.to))).toEqual(new Set(stateIds(machine).filter((s) => s !== 'contracting')));
  });

  it('closed is reached only from the completion notice, by CLOSE_NOTICE, by the system', () => {
    expect(edges.filter((e) => e.to === 'closed')).toEqual([{ from: 'completion_notice', event: 'CLOSE_NOTICE', role: 'system', to: 'closed' }]);
  });

  it('every forward move goes exactly one step, by its own event and roles', () => {
    const forward = edges.filter((e) => CHAIN.indexOf(e.to) > CHAIN.indexOf(e.from));
    for (const e of forward) expect({ e, step: CHAIN.indexOf(e.to) - CHAIN.indexOf(e.from) }).toEqual({ e, step: 1 });
    expect(new Set(forward.map((e) => `${e.from}|${e.event}|${e.role}`))).toEqual(FORWARD);
  });

  it('the only ways back are a failed acceptance (to in progress) and an objection to the notice (to asset registration)', () => {
    const back = edges.filter((e) => e.to !== 'cancelled' && CHAIN.indexOf(e.to) < CHAIN.indexOf(e.from)).map((e) => `${e.from}|${e.event}|${e.to}`);
    expect(new Set(back)).toEqual(new Set(['acceptance|FAIL_ACCEPTANCE|in_progress', 'completion_notice|RAISE_OBJECTION|asset_registration']));
  });

  it('trust: 撤销 — cancelled is reached only from contracting or in progress, by CANCEL, by the level that opened the case (county for a case opened before)', () => {
    expect(new Set(edges.filter((e) => e.to === 'cancelled').map((e) => `${e.from}|${e.event}|${e.role}`))).toEqual(new Set(['contracting|CANCEL|county', 'in_progress|CANCEL|county']));
  });

  it('admin and supervisor move no case at all', () => {
    expect(edges.filter((e) => e.role === 'admin' || e.role === 'supervisor')).toEqual([]);
  });
});

describe('project implementation requirements, declared in the machine', () => {
  const all = stateIds(machine).flatMap((state) => eventsOf(machine, state).map((e) => ({ state, ...e })));

  it.each(all.flatMap((e) => e.branches.flatMap((b) => (b.meta.evidence?.allOf ?? []).map((t) => [e.state, e.type, t, b] as const))))(
    '%s/%s without %s is refused with EVIDENCE_MISSING naming it',
    (_s, _t, missing, b) => {
      const have = (b.meta.evidence?.allOf ?? []).filter((t) => t !== missing);
      expect(checkEvidence(b.meta, have)?.details?.missingEvidence).toEqual([missing]);
    },
  );

  it('acceptance is a review step (segregation of duties) and a failure needs a reason', () => {
    for (const type of ['SIGN_ACCEPTANCE', 'FAIL_ACCEPTANCE']) for (const b of branchesFor(machine, 'acceptance', type)) expect(b.meta.review).toBe(true);
    expect(checkReason(branchesFor(machine, 'acceptance', 'FAIL_ACCEPTANCE')[0].meta, '不行', 6)?.code).toBe('REASON_REQUIRED');
  });

  it('publishes a definition with its creation rules', () => {
    const d = describeProcedure(projectImplementation);
    expect(d.initial).toBe('contracting');
    expect(d.creationRules.map((r) => r.id)).toEqual(['project_in_library', 'project_in_plan', 'implementation_not_started']);
  });
});

describe('trust: the money and the ends of an implementation (issue 19)', () => {
  it('trust: SF-21 a contract above the planned funds is refused, naming contract_within_planned_funds; exactly the planned funds passes', () => {
    const above = ev('RECORD_CONTRACT', contract({ contractAmount: 1_000_000.01 }), { evidence: CONTRACT_EV });
    expect(ruleOf(start(), above)).toBe('contract_within_planned_funds');
    expect(send(start(), above).value).toBe('contracting');
    expect(send(start(), ev('RECORD_CONTRACT', contract({ contractAmount: 1_000_000 }), { evidence: CONTRACT_EV })).value).toBe('in_progress');
  });

  it('trust: assets go to an existing village collective of the project\'s county, naming asset_owner_in_county', () => {
    const owner = (o: Record<string, unknown>) => assets({ assets: [{ name: '食用菌标准化大棚', quantity: 20, unit: '座', value: 980000, owner: { type: 'village_collective', name: '某村股份经济合作社', ...o } }] });
    const s = atAssets();
    for (const bad of [{ areaCode: '411003999999' }, { areaCode: '411003100000' }, { areaCode: '411002100201' }, {}]) {
      expect(ruleOf(s, owner(bad))).toBe('asset_owner_in_county');
      expect(send(s, owner(bad)).value).toBe('asset_registration');
    }
    expect(send(s, owner({ areaCode: '411003100202' })).value).toBe('completion_notice');
    // a unit: its area code, when given, is of the county too
    const unit = (areaCode?: string) => assets({ assets: [{ name: '冷库', quantity: 1, unit: '座', value: 1000, owner: { type: 'unit', name: '建安区农业农村局', ...(areaCode ? { areaCode } : {}) } }] });
    expect(send(s, unit()).value).toBe('completion_notice');
    expect(send(s, unit('411003000000')).value).toBe('completion_notice');
    expect(ruleOf(s, unit('419999000000'))).toBe('asset_owner_in_county');
  });

  it('trust: 撤销 by the level that opened the case, with a reason, recorded with the money paid; another level, a payment awaiting approval, acceptance: refused', () => {
    const opened = send(start('industry', { id: 'v1', role: 'village' }), ev('RECORD_CONTRACT', contract(), { evidence: CONTRACT_EV }));
    const cancel = (o: EvOpts = {}) => ev('CANCEL', {}, { role: 'village', actor: 'v2', reason: '村集体经济组织决议终止项目，选址存在土地权属争议', ...o });
    expect(ruleOf(opened, cancel({ role: 'township', actor: 't1' }))).toBe('cancel_by_opening_level');
    expect(ruleOf(opened, cancel({ role: 'county', actor: 'c1' }))).toBe('cancel_by_opening_level');
    expect(ruleOf(opened, cancel({ facts: { ...FACTS, pendingPayments: 1 } }))).toBe('cancel_no_pending_payment');
    expect(checkReason(branchesFor(machine, 'in_progress', 'CANCEL')[0].meta, '', 6)?.code).toBe('REASON_REQUIRED');
    const done = send(opened, cancel({ facts: { ...FACTS, paidFen: 30_000_000 } }));
    expect(done.value).toBe('cancelled');
    expect(ctx(done).cancellation).toMatchObject({ by: 'v2', role: 'village', reason: '村集体经济组织决议终止项目，选址存在土地权属争议', paidFen: 30_000_000 });
    expect(eventsOf(machine, 'cancelled')).toEqual([]);
    expect(branchesFor(machine, 'acceptance', 'CANCEL')).toEqual([]);
  });
});
