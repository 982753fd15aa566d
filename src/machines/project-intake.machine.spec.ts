import stringify from 'json-stable-stringify';
import { initialTransition, transition } from 'xstate';
import { ids, ROLE_LABELS, SECTORS } from '../common/domain/enums';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';
import { branchesFor, describeProcedure, eventsOf, mermaidOf, stateIds } from '../modules/engine/introspection';
import { checkEvidence, checkReason, checkRole, checkRules, selectBranch } from '../modules/engine/requirements';
import {
  contentProblems,
  type ProjectContent,
  type ProjectContext,
  type ProjectInput,
  projectIntake,
  projectIntakeMachine,
} from './project-intake.machine';
import type { ProcedureEvent } from './procedure';

const machine = projectIntakeMachine;
const T0 = new Date('2026-03-01T08:00:00+08:00');
const later = (days: number) => new Date(T0.getTime() + days * 86400_000 + 1000);

/** industry projects are argued by two sectors here, so the countersign has something to count */
function policyWith(map: Record<string, string[]> = { industry: ['agriculture', 'human_resources'], roads: ['transport'] }): PolicyValues {
  const p = defaultPolicyValues();
  p['projects.departmentsByCategory'] = map;
  return p;
}
const policy = policyWith();

type Snap = ReturnType<typeof initialTransition<typeof machine>>[0];

const project = (over: Partial<ProjectContent> = {}): ProjectContent => ({
  name: '霍庄村食用菌产业大棚建设项目',
  category: 'industry',
  subCategory: '种植业基地',
  year: 2026,
  budget: { total: 1200000, linkageFunds: 1000000, otherFunds: 200000 },
  fundSource: '中央和省级财政衔接推进乡村振兴补助资金',
  period: { start: '2026-04-01', end: '2026-10-31' },
  content: '新建食用菌标准化大棚20座及配套水电设施',
  performanceTargets: [
    { kind: 'output', indicator: '新建大棚数量', value: '20', unit: '座' },
    { kind: 'benefit', indicator: '带动脱贫户增收', value: '2000', unit: '元/户·年' },
    { kind: 'satisfaction', indicator: '受益群众满意度', value: '≥90', unit: '%' },
  ],
  beneficiaries: { households: 120, formerlyPoorHouseholds: 30, monitoredHouseholds: 5 },
  linkageMechanism: '资产收益分红、优先吸纳脱贫户和监测户务工、订单收购',
  ...over,
});

function start(over: Partial<ProjectContent> = {}, change: ProjectInput['change'] = null): Snap {
  return initialTransition(machine, { areaCode: '411003100201', project: project(over), change })[0];
}

interface EvOpts {
  now?: Date;
  role?: string;
  sector?: string | null;
  reason?: string;
  actor?: string;
  evidence?: string[];
  /** who uploaded the files: the actor, unless given */
  uploader?: { role: string; sector: string | null };
  policy?: PolicyValues;
}

function ev(type: string, data: Record<string, unknown> = {}, o: EvOpts = {}): ProcedureEvent {
  return {
    type,
    data,
    reason: o.reason ?? null,
    evidence: (o.evidence ?? []).map((t, i) => ({ id: `e${i}`, type: t, uploader: o.uploader ?? { role: o.role ?? 'village', sector: o.sector ?? null } })),
    actor: { id: o.actor ?? `${o.role ?? 'village'}-${o.sector ?? 'x'}`, role: (o.role ?? 'village') as never, sector: o.sector ?? null },
    env: { now: (o.now ?? T0).toISOString(), policy: o.policy ?? policy, facts: {} },
  };
}

const send = (s: Snap, e: ProcedureEvent): Snap => transition(machine, s, e as never)[0];
const ctx = (s: Snap) => s.context as ProjectContext;
const REASON = '建设内容与申报材料不一致，需重新核实';

const dept = (sector: string, type = 'APPROVE', data: Record<string, unknown> = { opinion: '项目可行，同意' }, o: EvOpts = {}) =>
  ev(type, data, { role: 'department', sector, evidence: ['feasibility_opinion'], ...o });

function toTownship(s = start()): Snap {
  return send(s, ev('SUBMIT', {}, { evidence: ['villager_resolution', 'notice_photo', 'project_proposal'] }));
}
function toDepartment(s = start()): Snap {
  return send(toTownship(s), ev('APPROVE', { opinion: '材料齐全，同意上报' }, { role: 'township' }));
}
function toCounty(): Snap {
  return send(send(toDepartment(), dept('agriculture')), dept('human_resources'));
}
function toNotice(): Snap {
  return send(toCounty(), ev('APPROVE', { opinion: '同意入库，绩效目标审定', performanceTargetsApproved: true }, { role: 'county' }));
}
function published(): Snap {
  return send(toNotice(), ev('PUBLISH_NOTICE', { text: '建安区2026年度巩固衔接项目库入库公告' }, { role: 'county' }));
}

/** the rule the engine would name for this event (the same selection it makes) */
function ruleOf(s: Snap, e: ProcedureEvent): string | undefined {
  const branch = selectBranch(projectIntake.rules, branchesFor(machine, String(s.value), e.type), { context: ctx(s), event: e });
  return checkRules(projectIntake.rules, branch!, { context: ctx(s), event: e })?.details?.rule as string | undefined;
}

describe('project intake machine: allowed paths', () => {
  it('walks a project from application through every step into the library of its year', () => {
    let s = toTownship();
    expect(s.value).toBe('township_review');
    expect(ctx(s).submittedAt).toBe(T0.toISOString());
    s = send(s, ev('APPROVE', { opinion: '材料齐全，同意上报' }, { role: 'township' }));
    expect(s.value).toBe('department_review');
    expect(ctx(s).countersign).toEqual({ required: ['agriculture', 'human_resources'], approvals: [] });
    s = send(s, dept('agriculture'));
    s = send(s, dept('human_resources'));
    expect(s.value).toBe('county_approval');
    s = send(s, ev('APPROVE', { opinion: '同意入库', performanceTargetsApproved: true }, { role: 'county', actor: 'c1' }));
    expect(s.value).toBe('county_notice');
    // SF-20: the approval records the targets it approved
    expect(ctx(s).approval).toMatchObject({ approvedBy: 'c1', performanceTargets: project().performanceTargets });
    expect(ctx(s).notice).toBeNull();
    s = send(s, ev('PUBLISH_NOTICE', { text: '建安区2026年度巩固衔接项目库入库公告' }, { role: 'county' }));
    const endsAt = new Date(T0.getTime() + 10 * 86400_000).toISOString();
    expect(ctx(s).notice).toEqual({ text: '建安区2026年度巩固衔接项目库入库公告', startsAt: T0.toISOString(), endsAt });
    expect(ctx(s).timers).toEqual([{ key: 'notice', event: 'CLOSE_NOTICE', dueAt: endsAt }]);
    s = send(s, ev('CLOSE_NOTICE', {}, { role: 'system', now: later(10) }));
    expect(s.value).toBe('in_library');
    expect(s.status).toBe('done');
    expect(ctx(s).library).toEqual({ year: 2026, enteredAt: later(10).toISOString() });
    expect(ctx(s).timers).toEqual([]);
  });

  it('countersign: the first approval is recorded and the case waits for the other sector', () => {
    const s = send(toDepartment(), dept('agriculture', 'APPROVE', { opinion: '产业方向符合规划' }, { actor: 'd-agri' }));
    expect(s.value).toBe('department_review');
    expect(ctx(s).countersign?.approvals).toEqual([
      { sector: 'agriculture', by: 'd-agri', at: T0.toISOString(), opinion: '产业方向符合规划', evidenceIds: ['e0'] },
    ]);
  });

  it('countersign: one approves, the other returns: back to the village, and the next round starts from no approval', () => {
    let s = send(toDepartment(), dept('agriculture'));
    s = send(s, dept('human_resources', 'RETURN', { toState: 'draft' }, { reason: '务工岗位测算依据不足，请补充' }));
    expect(s.value).toBe('draft');
    expect(ctx(s).returns).toBe(1);
    s = toDepartment(s);
    expect(ctx(s).countersign?.approvals).toEqual([]);
    s = send(s, dept('human_resources'));
    expect(s.value).toBe('department_review');
    s = send(s, dept('agriculture'));
    expect(s.value).toBe('county_approval');
  });

  it('countersign: a category of one sector moves on with its one approval', () => {
    const s = toDepartment(start({ category: 'roads', linkageMechanism: null }));
    expect(ctx(s).countersign?.required).toEqual(['transport']);
    expect(send(s, dept('transport')).value).toBe('county_approval');
  });

  it('the countersign sectors come from the policy of the case', () => {
    const p = policyWith({ industry: ['agriculture', 'water', 'transport'] });
    const s = send(toTownship(), ev('APPROVE', { opinion: '同意上报县级' }, { role: 'township', policy: p }));
    expect(ctx(s).countersign?.required).toEqual(['agriculture', 'water', 'transport']);
  });

  it('every review returns to each earlier step it names', () => {
    expect(send(toTownship(), ev('RETURN', { toState: 'draft' }, { role: 'township', reason: REASON })).value).toBe('draft');
    for (const toState of ['draft', 'township_review']) {
      expect(send(toDepartment(), dept('agriculture', 'RETURN', { toState }, { reason: REASON })).value).toBe(toState);
    }
    for (const toState of ['draft', 'township_review', 'department_review']) {
      const s = send(toCounty(), ev('RETURN', { toState }, { role: 'county', reason: REASON }));
      expect(s.value).toBe(toState);
    }
    // a county return to argumentation opens a fresh countersign
    const again = send(toCounty(), ev('RETURN', { toState: 'department_review' }, { role: 'county', reason: REASON }));
    expect(ctx(again).countersign?.approvals).toEqual([]);
  });

  it('every review rejects, keeping the reason', () => {
    const cases: Array<[Snap, ProcedureEvent]> = [
      [toTownship(), ev('REJECT', {}, { role: 'township', reason: REASON })],
      [toDepartment(), dept('agriculture', 'REJECT', {}, { reason: REASON })],
      [toCounty(), ev('REJECT', {}, { role: 'county', reason: REASON })],
    ];
    for (const [s, e] of cases) {
      const next = send(s, e);
      expect(next.value).toBe('rejected');
      expect(ctx(next).outcomeReason).toBe(REASON);
    }
  });

  it('the village withdraws before department argumentation', () => {
    expect(send(start(), ev('WITHDRAW', {}, { reason: '村民代表会议决定暂缓实施' })).value).toBe('withdrawn');
    expect(send(toTownship(), ev('WITHDRAW', {}, { reason: '村民代表会议决定暂缓实施' })).value).toBe('withdrawn');
  });

  it('a resubmission after a return may amend the content, which replaces it whole', () => {
    const returned = send(toTownship(), ev('RETURN', { toState: 'draft' }, { role: 'township', reason: REASON }));
    const amended = project({ budget: { total: 900000, linkageFunds: 800000, otherFunds: 100000 } });
    const s = send(returned, ev('SUBMIT', { project: amended }, { evidence: ['villager_resolution', 'notice_photo', 'project_proposal'] }));
    expect(s.value).toBe('township_review');
    expect(ctx(s).project.budget.total).toBe(900000);
  });

  it('an objection during the notice returns the case to county approval and takes the notice down', () => {
    const s = send(published(), ev('RAISE_OBJECTION', {}, { now: later(2), reason: '群众反映选址占用基本农田' }));
    expect(s.value).toBe('county_approval');
    expect(ctx(s).notice).toBeNull();
    expect(ctx(s).timers).toEqual([]);
    expect(ctx(s).approval).toBeNull();
  });

  it('a persisted snapshot survives a JSON round trip and keeps running', () => {
    const stored = JSON.parse(JSON.stringify({ value: published().value, context: published().context }));
    const next = send(machine.resolveState(stored), ev('CLOSE_NOTICE', {}, { role: 'system', now: later(11) }));
    expect(next.value).toBe('in_library');
  });

  it('SF-21: a change case runs every step again and carries the version it changes', () => {
    const previous = project();
    let s = start({ budget: { total: 1500000, linkageFunds: 1300000, otherFunds: 200000 } }, { projectId: 'p1', fromVersion: 1, previous });
    expect(s.value).toBe('draft');
    s = toTownship(s);
    expect(s.value).toBe('township_review');
    s = send(s, ev('APPROVE', { opinion: '同意变更上报' }, { role: 'township' }));
    expect(s.value).toBe('department_review');
    expect(ctx(s).change).toEqual({ projectId: 'p1', fromVersion: 1, previous });
  });
});

describe('project intake machine: forbidden paths', () => {
  const submitEv = (data: Record<string, unknown> = {}) => ev('SUBMIT', data, { evidence: ['villager_resolution', 'notice_photo', 'project_proposal'] });

  it('SF-19: a negative-list category is refused at application and at submission', () => {
    const input: ProjectInput = { areaCode: '411003100201', project: project({ category: 'office_buildings' }), change: null };
    expect(contentProblems(input, policy)[0]).toBe('not_negative_list');
    const s = start({ category: 'office_buildings' });
    expect(send(s, submitEv()).value).toBe('draft');
    expect(ruleOf(s, submitEv())).toBe('not_negative_list');
    // the list is policy: off the list, the same category passes that rule
    const p = policyWith({ office_buildings: ['housing'] });
    p['projects.negativeList'] = [];
    expect(contentProblems(input, p)).toEqual([]);
  });

  it('SF-20: budget parts that do not add up are refused, to the cent', () => {
    const bad = project({ budget: { total: 1200000.01, linkageFunds: 1000000, otherFunds: 200000 } });
    expect(contentProblems({ areaCode: '411003100201', project: bad, change: null }, policy)).toEqual(['budget_adds_up']);
    const ok = project({ budget: { total: 0.3, linkageFunds: 0.1, otherFunds: 0.2 } });
    expect(contentProblems({ areaCode: '411003100201', project: ok, change: null }, policy)).toEqual([]);
    expect(ruleOf(toTownship(), ev('APPROVE'))).toBeUndefined();
    const returned = send(toTownship(), ev('RETURN', { toState: 'draft' }, { role: 'township', reason: REASON }));
    expect(send(returned, submitEv({ project: bad })).value).toBe('draft');
    expect(ruleOf(returned, submitEv({ project: bad }))).toBe('budget_adds_up');
  });

  it.each([
    ['performance targets missing', { performanceTargets: [] }, 'performance_targets_required'],
    ['only a satisfaction target', { performanceTargets: [{ kind: 'satisfaction' as const, indicator: '满意度', value: '90', unit: '%' }] }, 'performance_targets_required'],
    ['beneficiaries missing', { beneficiaries: null }, 'beneficiaries_required'],
    ['beneficiaries of which more than all', { beneficiaries: { households: 10, formerlyPoorHouseholds: 8, monitoredHouseholds: 3 } }, 'beneficiaries_consistent'],
    ['industry without 联农带农 mechanism', { linkageMechanism: null }, 'industry_linkage_mechanism'],
    ['industry with a token mechanism', { linkageMechanism: '带动' }, 'industry_linkage_mechanism'],
    ['a period that ends before it starts', { period: { start: '2026-10-01', end: '2026-04-01' } }, 'period_valid'],
    ['a category no department argues', { category: 'tourism' }, 'category_has_departments'],
  ])('SF-20/SF-21: %s is refused with the rule named', (_label, over, rule) => {
    const input: ProjectInput = { areaCode: '411003100201', project: project(over as Partial<ProjectContent>), change: null };
    expect(contentProblems(input, policy)).toEqual([rule]);
    const s = start(over as Partial<ProjectContent>);
    expect(send(s, submitEv()).value).toBe('draft');
    expect(ruleOf(s, submitEv())).toBe(rule);
  });

  it('SF-20: a non-industry project needs no 联农带农 mechanism', () => {
    expect(contentProblems({ areaCode: '411003100201', project: project({ category: 'roads', linkageMechanism: null }), change: null }, policy)).toEqual([]);
  });

  it('SF-21: a change identical to the library version is refused', () => {
    const input: ProjectInput = { areaCode: '411003100201', project: project(), change: { projectId: 'p1', fromVersion: 1, previous: project() } };
    expect(contentProblems(input, policy)).toEqual(['change_differs']);
  });

  it('SF-21: a department of a sector the category does not require cannot approve, return or reject', () => {
    const s = toDepartment();
    for (const e of [
      dept('civil_affairs'),
      dept('transport', 'RETURN', { toState: 'draft' }, { reason: REASON }),
      dept('water', 'REJECT', {}, { reason: REASON }),
      ev('APPROVE', { opinion: '同意' }, { role: 'department', sector: null, evidence: ['feasibility_opinion'] }),
    ]) {
      const next = send(s, e);
      expect(next.value).toBe('department_review');
      expect(ctx(next).countersign?.approvals).toEqual([]);
      expect(ruleOf(s, e)).toBe('department_sector');
    }
  });

  it('SF-21: one sector cannot approve twice to complete the countersign alone', () => {
    const s = send(toDepartment(), dept('agriculture'));
    const again = send(s, dept('agriculture', 'APPROVE', { opinion: '再次同意' }, { actor: 'another-agri-user' }));
    expect(again.value).toBe('department_review');
    expect(ctx(again).countersign?.approvals).toHaveLength(1);
    expect(ruleOf(s, dept('agriculture'))).toBe('sector_not_yet_approved');
  });

  it("bypass: a department cannot cite another department's feasibility opinion, nor one a village uploaded (SF-21, issue 12)", () => {
    const s = toDepartment();
    for (const uploader of [
      { role: 'department', sector: 'water' },
      { role: 'village', sector: null },
      { role: 'county', sector: null },
    ]) {
      for (const e of [dept('agriculture', 'APPROVE', { opinion: '项目可行，同意' }, { uploader }), dept('agriculture', 'REJECT', {}, { reason: REASON, uploader })]) {
        expect(send(s, e).value).toBe('department_review');
        expect(ruleOf(s, e)).toBe('opinion_from_own_sector');
      }
    }
    // its own department's opinion passes, whoever of the department uploaded it
    const own = send(s, dept('agriculture', 'APPROVE', { opinion: '项目可行，同意' }, { uploader: { role: 'department', sector: 'agriculture' } }));
    expect(ctx(own).countersign?.approvals).toHaveLength(1);
  });

  it('SF-20: county approval that does not approve the performance targets is refused', () => {
    const e = ev('APPROVE', { opinion: '同意入库', performanceTargetsApproved: false }, { role: 'county' });
    expect(send(toCounty(), e).value).toBe('county_approval');
    expect(ruleOf(toCounty(), e)).toBe('performance_targets_approved');
  });

  it('SF-22: the notice cannot close before its period, nor before it is published', () => {
    const early = ev('CLOSE_NOTICE', {}, { role: 'system', now: later(9) });
    expect(send(published(), early).value).toBe('county_notice');
    expect(ruleOf(published(), early)).toBe('notice_period_over');
    const unpublished = ev('CLOSE_NOTICE', {}, { role: 'system', now: later(30) });
    expect(send(toNotice(), unpublished).value).toBe('county_notice');
  });

  it('SF-22: a notice shorter than the configured minimum is refused, and one is published only once', () => {
    const short = ev('PUBLISH_NOTICE', { text: '建安区项目库入库公告内容', endsAt: later(5).toISOString() }, { role: 'county' });
    expect(ctx(send(toNotice(), short)).notice).toBeNull();
    expect(ruleOf(toNotice(), short)).toBe('notice_min_period');
    const twice = send(published(), ev('PUBLISH_NOTICE', { text: '第二次发布的公告内容文本' }, { role: 'county', now: later(1) }));
    expect(ctx(twice).notice).toEqual(ctx(published()).notice);
  });

  it('objections after the notice ended are refused', () => {
    expect(send(published(), ev('RAISE_OBJECTION', {}, { now: later(11), reason: REASON })).value).toBe('county_notice');
  });

  it('no withdrawal once department argumentation has started', () => {
    for (const s of [toDepartment(), toCounty(), toNotice()]) expect(branchesFor(machine, String(s.value), 'WITHDRAW')).toEqual([]);
  });

  it('final states accept no event', () => {
    for (const final of ['in_library', 'rejected', 'withdrawn']) expect(eventsOf(machine, final)).toEqual([]);
  });
});

describe('SF-18: no shortcut into the library', () => {
  const ROLES = ROLE_LABELS.map((r) => r.id);
  const ALL_EVENTS = [...new Set(stateIds(machine).flatMap((s) => eventsOf(machine, s).map((e) => e.type))), 'ENTER_LIBRARY', 'OVERRIDE'];
  const CHAIN = ['draft', 'township_review', 'department_review', 'county_approval', 'county_notice', 'in_library'];
  const FORWARD = new Set([
    'draft|SUBMIT|village',
    'township_review|APPROVE|township',
    'department_review|APPROVE|department',
    'county_approval|APPROVE|county',
    'county_notice|CLOSE_NOTICE|system',
  ]);
  const ALL_EVIDENCE = ['villager_resolution', 'notice_photo', 'project_proposal', 'feasibility_opinion', 'objection_record', 'application_form'];
  const actors = ROLES.flatMap((role): Array<{ role: string; sector: string | null }> =>
    role === 'department' ? ids(SECTORS).map((sector) => ({ role, sector })) : [{ role, sector: null }],
  );
  /** generous data: every field any branch selects on, every target a return may name */
  const dataFor = (type: string) =>
    (type === 'RETURN' ? stateIds(machine) : [undefined]).map((toState) => ({
      toState,
      opinion: '同意，按程序办理',
      performanceTargetsApproved: true,
      text: '建安区2026年度巩固衔接项目库入库公告',
    }));
  const times = [T0, later(400)];

  interface Edge { from: string; event: string; role: string; to: string }

  /**
   * Every event the engine would let through — the role check (403 otherwise), then the
   * machine with all evidence, a valid reason and every data variant — from every snapshot
   * reachable from a new application and from a change case.
   */
  function explore(): { edges: Edge[]; nodes: number } {
    const edges = new Map<string, Edge>();
    const key = (s: Snap) => stringify({ v: s.value, a: ctx(s).countersign?.approvals.map((a) => a.sector), n: ctx(s).notice?.startsAt ?? null });
    const queue: Snap[] = [start(), start({ category: 'roads', linkageMechanism: null }, { projectId: 'p', fromVersion: 1, previous: project() })];
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
              const next = send(s, ev(type, data, { role, sector, now, reason: REASON, evidence: ALL_EVIDENCE }));
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
    // the walk does reach the library, and every review outcome
    expect(new Set(edges.map((e) => e.to))).toEqual(new Set(stateIds(machine)));
  });

  it('SF-18: in_library is reached only from county_notice, by CLOSE_NOTICE, by the system', () => {
    const into = edges.filter((e) => e.to === 'in_library');
    expect(into).toEqual([{ from: 'county_notice', event: 'CLOSE_NOTICE', role: 'system', to: 'in_library' }]);
  });

  it('SF-18: every forward move goes exactly one step, by the step\'s own event and role, so every path to the library passes every step', () => {
    const forward = edges.filter((e) => CHAIN.includes(e.from) && CHAIN.includes(e.to) && CHAIN.indexOf(e.to) > CHAIN.indexOf(e.from));
    for (const e of forward) {
      expect({ edge: e, step: CHAIN.indexOf(e.to) - CHAIN.indexOf(e.from) }).toEqual({ edge: e, step: 1 });
      expect(FORWARD).toContain(`${e.from}|${e.event}|${e.role}`);
    }
    expect(new Set(forward.map((e) => `${e.from}|${e.event}|${e.role}`))).toEqual(FORWARD);
  });

  it('SF-18: admin and supervisor move no case at all', () => {
    expect(edges.filter((e) => e.role === 'admin' || e.role === 'supervisor')).toEqual([]);
  });
});

describe('project intake requirements, declared once in the machine (SF-25)', () => {
  const all = stateIds(machine).flatMap((state) => eventsOf(machine, state).map((e) => ({ state, ...e })));
  const roles = ROLE_LABELS.map((r) => r.id);

  it('every transition declares meta and the allowed guard, and one event has one data schema', () => {
    expect(all.length).toBeGreaterThan(12);
    for (const e of all) expect(new Set(e.branches.map((b) => b.meta.fields)).size).toBe(1);
  });

  it.each(all.map((e) => [e.state, e.type, e] as const))('%s/%s refuses every role it does not name', (_s, _t, e) => {
    const meta = e.branches[0].meta;
    for (const role of roles) {
      const err = checkRole(meta, role);
      if (meta.roles.includes(role)) expect(err).toBeNull();
      else expect(err?.code).toBe('ROLE_REQUIRED');
    }
    expect(meta.roles).not.toContain('admin');
    expect(meta.roles).not.toContain('supervisor');
  });

  it.each(
    all.flatMap((e) => e.branches.flatMap((b) => (b.meta.evidence?.allOf ?? []).map((t) => [e.state, e.type, t, b] as const))),
  )('%s/%s without %s is refused with EVIDENCE_MISSING naming it', (_s, _t, missing, b) => {
    const have = (b.meta.evidence?.allOf ?? []).filter((t) => t !== missing);
    expect(checkEvidence(b.meta, have)?.details?.missingEvidence).toEqual([missing]);
    expect(checkEvidence(b.meta, [...have, missing])).toBeNull();
  });

  it('the village submits with the resolution, the notice of the application and the proposal; departments with a feasibility opinion', () => {
    expect(branchesFor(machine, 'draft', 'SUBMIT')[0].meta.evidence).toEqual({ allOf: ['villager_resolution', 'notice_photo', 'project_proposal'] });
    for (const type of ['APPROVE', 'RETURN', 'REJECT']) {
      for (const b of branchesFor(machine, 'department_review', type)) expect(b.meta.evidence?.allOf).toEqual(['feasibility_opinion']);
    }
  });

  it('every negative outcome requires a reason', () => {
    const negative = all.filter((e) => ['RETURN', 'REJECT', 'WITHDRAW', 'RAISE_OBJECTION'].includes(e.type));
    expect(negative.length).toBe(9);
    for (const e of negative) for (const b of e.branches) expect(checkReason(b.meta, '无', 6)?.code).toBe('REASON_REQUIRED');
  });

  it('publishes a definition and a diagram from the same machine', () => {
    const d = describeProcedure(projectIntake);
    expect(d.initial).toBe('draft');
    expect(d.states.find((s) => s.id === 'in_library')).toMatchObject({ final: true, title: '已入库' });
    const close = d.events.find((e) => e.type === 'CLOSE_NOTICE');
    expect(close).toMatchObject({ from: ['county_notice'], to: 'in_library', role: ['system'] });
    const approve = d.events.find((e) => e.type === 'APPROVE' && (e.from as string[])[0] === 'department_review');
    expect(approve?.toOptions).toEqual(['county_approval', 'department_review']);
    expect(mermaidOf(projectIntake)).toContain('county_notice --> in_library: CLOSE_NOTICE');
  });
});
