/**
 * SF-05 (issue 13): verification income per member and category; 赡养费 a transfer category of its
 * own; wages name a registry member and an employer or place; totals and the member count are
 * the service's. Seed document 000: 20,000 yuan of support from the daughter 顾红朵 entered as wages.
 */
import { startApp, type TestEnv, target } from './support/harness';
import { approvalData, COUNTY, expectOk, getCase, household, HUOZHUANG, inclusionCase, OTHER_VILLAGE, send, shortNotice, TOWNSHIP, uploadAll, VILLAGE, verificationData, waitForState } from './support/flows';
import { regId } from './support/registry';
import { addMeasure, auth, createHousehold, monitoringObject, propose, SECURE, setPolicy, submitBatch, verifyCase } from './support/elimination';
import { secondsFloor, widenPolicyBounds } from './support/policy-bounds';

type Res = { status: number; body: any };
function expectRefused(res: Res, status: number, code: string, rule?: string) {
  expect({ status: res.status, code: res.body?.code, rule: res.body?.details?.rule }).toEqual({ status, code, rule });
  // Chinese message, no English library text
  expect(res.body.message).toMatch(/[\u4e00-\u9fa5]/);
}

const period = { periodStart: '2022-01-01', periodEnd: '2022-12-31' };
const rigid = { medical: 800, education: 0 };
const guarantees = { education: true, medical: true, housing: true, water: true };

describe(`SF-05: income per member and category (issue 13, ${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
    await shortNotice(env);
    // a monitoring object may be proposed for elimination at once (the verification, not the period, is under test)
    await widenPolicyBounds(env, secondsFloor('elimination.minMonitoringPeriod'), '测试环境：监测期缩短到秒级，以便在测试中提出风险消除');
    await setPolicy(env, { 'elimination.minMonitoringPeriod': 'PT1S' });
  });
  afterAll(() => env?.close());

  const member = (name: string, relation: string, birthDate: string, gender: 'male' | 'female', laborAbility: string, employment: string) => ({
    name, idNumber: regId(birthDate, gender), relation, gender, birthDate, laborAbility, employment, disability: null,
  });

  /** 顾同仁's household of seed 000 registered with these members. */
  async function registerGu(members: Array<ReturnType<typeof member>>) {
    const body = { areaCode: HUOZHUANG, householderName: '顾同仁', address: '许昌市建安区灵井镇霍庄村九组', isFormerlyPoor: true, members };
    return expectOk(await env.http().post('/households').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send(body), 201);
  }

  /** 顾同仁's household of seed 000: five people, only the son 顾占旗 works (half a month, 1,300 yuan). */
  async function guHousehold() {
    const h = await registerGu([
      member('顾同仁', '户主', '1948-02-03', 'male', 'weak', 'retired'),
      member('王秀梅', '配偶', '1950-05-06', 'female', 'none', 'none'),
      member('顾占旗', '子', '1978-07-08', 'male', 'full', 'outside'),
      member('李娟', '儿媳', '1980-09-10', 'female', 'full', 'none'),
      member('顾小宝', '孙子', '2012-11-12', 'male', 'none', 'student'),
    ]);
    const id = (name: string) => h.members.find((x: any) => x.name === name).id as string;
    return { id: h.id as string, householder: id('顾同仁'), son: id('顾占旗'), daughterInLaw: id('李娟'), grandson: id('顾小宝') };
  }

  async function lead(householdId: string) {
    const created = await expectOk(
      await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ householdId, channel: 'self_report', riskDescription: '户主夫妇常年患病，家中仅一人务工，收入骤减' }),
      201,
    );
    return created.id as string;
  }

  const inclusion = (lines: unknown[], extra: Record<string, unknown> = {}) => ({ conclusion: 'include', income: { ...period, lines }, rigidExpenditure: rigid, guarantees, riskTypes: ['illness'], ...extra });

  it('bypass: seed 000 — 20,000 yuan of 赡养费 entered as wages is refused with a named rule, and recorded as family support it is accepted (SF-05, issue 12)', async () => {
    const g = await guHousehold();
    const caseId = await lead(g.id);
    const ev = await uploadAll(env, VILLAGE, caseId, ['household_survey', 'income_calculation']);
    const before = await expectOk(await getCase(env, VILLAGE, caseId));
    const attempt = (data: Record<string, unknown>) => send(env, VILLAGE, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data });

    // the aged householder's "wages" (registry: retired)
    const aged = await attempt(inclusion([{ category: 'wage', memberId: g.householder, amount: 20000, employer: '禹州市某厂' }]));
    expectRefused(aged, 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expect(aged.body.message).toContain('顾同仁');
    // a member the registry records as not working, one with no labour ability
    expectRefused(await attempt(inclusion([{ category: 'wage', memberId: g.daughterInLaw, amount: 20000, workplace: '禹州' }])), 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expectRefused(await attempt(inclusion([{ category: 'wage', memberId: g.grandson, amount: 20000, workplace: '禹州' }])), 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    // the working son, but the "employer" is the daughter who pays the support
    const family = await attempt(inclusion([{ category: 'wage', memberId: g.son, amount: 20000, employer: '小女儿顾红朵' }]));
    expectRefused(family, 422, 'RULE_VIOLATED', 'income_wage_not_family_support');
    expect(family.body.details.lines).toEqual([expect.objectContaining({ line: 0, memberId: g.son })]);
    // wages with no member or no employer/place
    expectRefused(await attempt(inclusion([{ category: 'wage', amount: 20000, employer: '禹州市某厂' }])), 422, 'RULE_VIOLATED', 'income_wage_names_member_and_employer');
    expectRefused(await attempt(inclusion([{ category: 'wage', memberId: g.son, amount: 20000 }])), 422, 'RULE_VIOLATED', 'income_wage_names_member_and_employer');
    // a typed member count with lines, lines and the contract's aggregated sums at once, typed totals: refused by the form
    const typed = await attempt(inclusion([], { members: 5 }));
    expectRefused(typed, 400, 'VALIDATION_FAILED');
    expect(typed.body.details.fields).toHaveProperty(['data.members']);
    const both = await attempt({ conclusion: 'include', members: 5, income: { ...period, wage: 20000, businessNet: 0, transfer: 0, property: 0, lines: [] }, rigidExpenditure: rigid, guarantees, riskTypes: ['illness'] });
    expectRefused(both, 400, 'VALIDATION_FAILED');
    expect(Object.keys(both.body.details.fields)).toEqual(expect.arrayContaining(['data.income.wage', 'data.income.lines']));
    expectRefused(await attempt(inclusion([], { totalIncome: 21300 })), 400, 'VALIDATION_FAILED');

    // nothing of the refusals reached the case or its history
    const still = await expectOk(await getCase(env, VILLAGE, caseId));
    expect({ state: still.state, version: still.version }).toEqual({ state: 'lead', version: before.version });

    // recorded rightly: the son's 1,300 of wages, the daughter's 20,000 as 赡养费
    const ok = await expectOk(
      await attempt(
        inclusion([
          { category: 'wage', memberId: g.son, amount: 1300, employer: '禹州市某建筑工地', workplace: '禹州市' },
          { category: 'family_support', memberId: g.householder, amount: 20000, payer: '小女儿顾红朵' },
          { category: 'transfer', amount: 2400, note: '养老金' },
        ]),
      ),
    );
    expect(ok.state).toBe('village_appraisal');
    expect(ok.data.verification).toMatchObject({
      members: 5, // the registry's count
      totalIncome: 23700,
      perCapitaNetIncome: 4740,
      byCategory: { wage: 1300, business_net: 0, family_support: 20000, transfer: 2400, property: 0 },
      registryVersion: 1,
      signals: { incomeBelowLine: true },
    });
    expect(ok.data.verification.byMember.find((m: any) => m.memberId === g.son)).toMatchObject({ name: '顾占旗', wage: 1300, total: 1300 });
    // the audit entry keeps the lines as sent, per member and category
    const entries = await expectOk(await env.http().get(`/cases/${caseId}/history`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    expect(entries.map((e: any) => e.event)).toEqual(['CREATE', 'RECORD_VERIFICATION']);
    expect(entries[1].data.income.lines).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'family_support', amount: 20000 })]));
  });

  it('bypass: a monitoring visit refuses the same wage lines, and lines for people outside the household (SF-05, issue 12)', async () => {
    const g = await guHousehold();
    const other = await guHousehold();
    // drive 顾同仁's household to a monitoring object through the normal flow
    const caseId = await lead(g.id);
    const ev = await uploadAll(env, VILLAGE, caseId, ['household_survey', 'income_calculation']);
    await expectOk(await send(env, VILLAGE, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: inclusion([{ category: 'wage', memberId: g.son, amount: 1300, workplace: '禹州市' }, { category: 'family_support', amount: 20000 }]) }));
    const ap = await uploadAll(env, VILLAGE, caseId, ['meeting_minutes', 'sign_in_sheet']);
    await expectOk(await send(env, VILLAGE, caseId, { type: 'RECORD_APPRAISAL', evidenceIds: ap, data: { result: 'passed' } }));
    const np = await uploadAll(env, VILLAGE, caseId, ['notice_photo']);
    await expectOk(await send(env, VILLAGE, caseId, { type: 'PUBLISH_NOTICE', evidenceIds: np, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：顾同仁户' } }));
    const { waitForState, approvalData, TOWNSHIP } = await import('./support/flows');
    await waitForState(env, VILLAGE, caseId, 'township_review');
    await expectOk(await send(env, TOWNSHIP, caseId, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
    await expectOk(await send(env, COUNTY, caseId, { type: 'APPROVE', data: approvalData }));
    const list = await expectOk(await env.http().get('/monitoring-objects').set('Authorization', await auth(env, COUNTY)));
    const mo = list.items.find((o: any) => o.householdId === g.id);

    const visit = async (lines: unknown[], user = VILLAGE, extra: Record<string, unknown> = {}) =>
      env.http().post(`/monitoring-objects/${mo.id}/income-records`).set('Authorization', await auth(env, user)).send({ income: { periodStart: '2026-01-01', periodEnd: '2026-06-30', lines }, rigidExpenditure: rigid, guarantees: SECURE, ...extra });

    expectRefused(await visit([{ category: 'wage', memberId: g.householder, amount: 20000, employer: '女儿' }]), 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expectRefused(await visit([{ category: 'wage', memberId: g.son, amount: 20000, employer: '女儿' }]), 422, 'RULE_VIOLATED', 'income_wage_not_family_support');
    expectRefused(await visit([{ category: 'wage', memberId: g.son, amount: 2000 }]), 422, 'RULE_VIOLATED', 'income_wage_names_member_and_employer');
    // the son of the other household (another registry household) is not a member of this one
    expectRefused(await visit([{ category: 'wage', memberId: other.son, amount: 2000, employer: '某厂' }]), 422, 'RULE_VIOLATED', 'income_member_of_household');
    expectRefused(await visit([{ category: 'family_support', amount: 1 }], VILLAGE, { members: 1 }), 400, 'VALIDATION_FAILED');
    expectRefused(await visit([{ category: 'transfer', amount: -5 }]), 400, 'VALIDATION_FAILED');
    // another village's user does not reach this object at all
    expect((await visit([{ category: 'family_support', amount: 1000 }], OTHER_VILLAGE)).status).toBe(404);
    const none = await expectOk(await env.http().get(`/monitoring-objects/${mo.id}/income-records`).set('Authorization', await auth(env, VILLAGE)));
    expect(none).toHaveLength(1); // the inclusion verification's only

    const ok = await expectOk(await visit([{ category: 'wage', memberId: g.son, amount: 6000, employer: '禹州市某建筑工地' }, { category: 'family_support', memberId: g.householder, amount: 10000, payer: '小女儿' }, { category: 'business_net', amount: -500 }]), 201);
    expect(ok).toMatchObject({ members: 5, totalIncome: 15500, perCapitaNetIncome: 3100, byCategory: { wage: 6000, family_support: 10000, business_net: -500 }, registryVersion: 1, source: 'monitoring_visit' });
  });

  it('SF-05: a normal per-member verification in risk elimination; wages paid by family refused there too (issue 12)', async () => {
    const o = await monitoringObject(env, { laborAbility: 'full' });
    const measure = await addMeasure(env, o.moId);
    const h = await expectOk(await env.http().get(`/households/${o.householdId}`).set('Authorization', await auth(env, COUNTY)));
    const memberId = (h.household ?? h).members?.[0]?.id ?? h.members[0].id;
    const { batchId, caseOf } = await propose(env, [o.moId]);
    await submitBatch(env, batchId);
    const caseId = caseOf(o.moId);
    const data = (lines: unknown[]) => ({ income: { periodStart: '2025-11-01', periodEnd: '2026-10-31', lines }, rigidExpenditure: { medical: 0, education: 0 }, guarantees: SECURE, risks: [{ riskType: 'illness', resolved: true, measureId: measure.id }] });
    expectRefused(await verifyCase(env, caseId, data([{ category: 'wage', memberId, amount: 12000, employer: '儿子赡养' }])), 422, 'RULE_VIOLATED', 'income_wage_not_family_support');
    expectRefused(await verifyCase(env, caseId, data([{ category: 'wage', memberId: '00000000-0000-4000-8000-000000000000', amount: 12000, employer: '某厂' }])), 422, 'RULE_VIOLATED', 'income_member_of_household');
    const ok = await expectOk(await verifyCase(env, caseId, data([{ category: 'wage', memberId, amount: 9000, employer: '许昌市某食品厂', workplace: '许昌市' }, { category: 'property', amount: 600, note: '土地流转租金' }])));
    expect(ok.state).toBe('village_appraisal');
    expect(ok.data.verification).toMatchObject({ members: 1, totalIncome: 9600, perCapitaNetIncome: 9600, byCategory: { wage: 9000, property: 600 } });
  });

  /** seed 000 at household level: the aged householder and his wife, nobody working (registry: retired; no labour ability). */
  async function agedHousehold() {
    const h = await registerGu([member('顾同仁', '户主', '1948-02-03', 'male', 'weak', 'retired'), member('王秀梅', '配偶', '1950-05-06', 'female', 'none', 'none')]);
    return h.id as string;
  }

  it("SF-05: the contract's aggregated income shape still works, and 赡养费 typed as wages for a household with no working member is refused", async () => {
    const householdId = await agedHousehold();
    const caseId = await lead(householdId);
    const ev = await uploadAll(env, VILLAGE, caseId, ['household_survey', 'income_calculation']);
    const before = await expectOk(await getCase(env, VILLAGE, caseId));
    const attempt = (data: Record<string, unknown>) => send(env, VILLAGE, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data });
    // api-contract.md, RECORD_VERIFICATION: { conclusion, members, income: { periodStart, periodEnd, wage, businessNet, transfer, property }, ... }
    const contract = (income: Record<string, number>, members = 2) => ({
      conclusion: 'include', members, income: { ...period, wage: 0, businessNet: 0, transfer: 0, property: 0, ...income }, rigidExpenditure: rigid, guarantees, riskTypes: ['illness'], monitoringType: 'unstable_formerly_poor',
    });

    // seed 000: the daughter's 20,000 yuan of 赡养费 typed as wages; nobody in the household works
    const wages = await attempt(contract({ wage: 20000, transfer: 2400 }));
    expectRefused(wages, 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expect(wages.body.message).toContain('顾同仁');
    expect(wages.body.message).toContain('转移性收入');
    // a member count other than the registry's (the household changed: record the change first)
    const count = await attempt(contract({ transfer: 22400 }, 3));
    expectRefused(count, 422, 'RULE_VIOLATED', 'members_match_registry');
    expect(count.body.message).toContain('3人');
    expect(count.body.message).toContain('户籍登记为2人');
    // exactly one shape: both, neither, or the aggregated shape without members — 400 naming the fields
    const both = await attempt({ ...contract({ transfer: 22400 }), income: { ...contract({ transfer: 22400 }).income, lines: [] } });
    expectRefused(both, 400, 'VALIDATION_FAILED');
    expect(Object.keys(both.body.details.fields)).toEqual(expect.arrayContaining(['data.income.wage', 'data.income.businessNet', 'data.income.transfer', 'data.income.property', 'data.income.lines']));
    const neither = await attempt({ ...contract({}), income: period });
    expectRefused(neither, 400, 'VALIDATION_FAILED');
    expect(Object.keys(neither.body.details.fields).sort()).toEqual(['data.income.businessNet', 'data.income.lines', 'data.income.property', 'data.income.transfer', 'data.income.wage']);
    expect(neither.body.details.fields['data.income.lines']).toMatch(/二者选一/);
    const { members: _members, ...noMembers } = contract({ transfer: 22400 });
    const missing = await attempt(noMembers);
    expectRefused(missing, 400, 'VALIDATION_FAILED');
    expect(Object.keys(missing.body.details.fields)).toEqual(['data.members']);
    const still = await expectOk(await getCase(env, VILLAGE, caseId));
    expect({ state: still.state, version: still.version }).toEqual({ state: 'lead', version: before.version });

    // the same 20,000 entered as transfer income: accepted; the service computes on the registry's count
    const ok = await expectOk(await attempt(contract({ transfer: 22400 })));
    expect(ok.state).toBe('village_appraisal');
    expect(ok.data.verification).toMatchObject({ incomeShape: 'aggregated', members: 2, registryVersion: 1, totalIncome: 22400, perCapitaNetIncome: 11200, income: { wage: 0, transfer: 22400 } });
    expect(ok.data.verification.byCategory).toMatchObject({ wage: 0, transfer: 22400 });

    // to a monitoring object, then the monitoring-visit door takes the contract's shape too
    const ap = await uploadAll(env, VILLAGE, caseId, ['meeting_minutes', 'sign_in_sheet']);
    await expectOk(await send(env, VILLAGE, caseId, { type: 'RECORD_APPRAISAL', evidenceIds: ap, data: { result: 'passed' } }));
    const np = await uploadAll(env, VILLAGE, caseId, ['notice_photo']);
    await expectOk(await send(env, VILLAGE, caseId, { type: 'PUBLISH_NOTICE', evidenceIds: np, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：顾同仁户' } }));
    await waitForState(env, VILLAGE, caseId, 'township_review');
    await expectOk(await send(env, TOWNSHIP, caseId, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
    await expectOk(await send(env, COUNTY, caseId, { type: 'APPROVE', data: approvalData }));
    const list = await expectOk(await env.http().get(`/monitoring-objects?areaCode=${HUOZHUANG}&pageSize=200`).set('Authorization', await auth(env, COUNTY)));
    const mo = list.items.find((o: any) => o.householdId === householdId);
    const visit = async (body: Record<string, unknown>) => env.http().post(`/monitoring-objects/${mo.id}/income-records`).set('Authorization', await auth(env, VILLAGE)).send(body);
    const visitBody = (income: Record<string, number>, members = 2) => ({ members, income: { periodStart: '2026-01-01', periodEnd: '2026-06-30', wage: 0, businessNet: 0, transfer: 0, property: 0, ...income }, rigidExpenditure: rigid, guarantees: SECURE });
    expectRefused(await visit(visitBody({ wage: 10000 })), 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expectRefused(await visit(visitBody({ transfer: 10000 }, 1)), 422, 'RULE_VIOLATED', 'members_match_registry');
    const visitBoth = await visit({ ...visitBody({ transfer: 10000 }), income: { ...visitBody({ transfer: 10000 }).income, lines: [] } });
    expectRefused(visitBoth, 400, 'VALIDATION_FAILED');
    expect(Object.keys(visitBoth.body.details.fields)).toEqual(expect.arrayContaining(['income.wage', 'income.lines']));
    const saved = await expectOk(await visit(visitBody({ transfer: 10000, property: 300 })), 201);
    expect(saved).toMatchObject({ members: 2, totalIncome: 10300, perCapitaNetIncome: 5150, registryVersion: 1, source: 'monitoring_visit' });

    // and the elimination verification door
    const measure = await addMeasure(env, mo.id);
    const { batchId, caseOf } = await propose(env, [mo.id]);
    await submitBatch(env, batchId);
    const eliminationCase = caseOf(mo.id);
    const eliminationData = (income: Record<string, number>, members = 2) => ({
      members, income: { periodStart: '2025-11-01', periodEnd: '2026-10-31', wage: 0, businessNet: 0, transfer: 0, property: 0, ...income }, rigidExpenditure: { medical: 0, education: 0 }, guarantees: SECURE, risks: [{ riskType: 'illness', resolved: true, measureId: measure.id }],
    });
    expectRefused(await verifyCase(env, eliminationCase, eliminationData({ wage: 20000, transfer: 2400 })), 422, 'RULE_VIOLATED', 'income_wage_member_employed');
    expectRefused(await verifyCase(env, eliminationCase, eliminationData({ transfer: 22400 }, 4)), 422, 'RULE_VIOLATED', 'members_match_registry');
    const eliminated = await expectOk(await verifyCase(env, eliminationCase, eliminationData({ transfer: 22400 })));
    expect(eliminated.state).toBe('village_appraisal');
    expect(eliminated.data.verification).toMatchObject({ incomeShape: 'aggregated', members: 2, totalIncome: 22400, perCapitaNetIncome: 11200 });
  });

  it("SF-05: the test helpers' default verification still passes, and so does the contract payload they used to send for 王建国's seeded household", async () => {
    // the helpers' default (lines, household-level categories), on a fresh one-person household
    const fresh = await inclusionCase(env, 'village_appraisal', { householdId: await createHousehold(env) });
    const helped = await expectOk(await getCase(env, VILLAGE, fresh.id));
    expect(helped.state).toBe('village_appraisal');
    expect(helped.data.verification).toMatchObject({ incomeShape: 'lines', members: 1, totalIncome: 12000, perCapitaNetIncome: 12000 });
    // the contract's shape as the helpers sent it before: 王建国 (registry: works locally) and his family of three
    const householdId = await household(env);
    const caseId = await lead(householdId);
    const ev = await uploadAll(env, VILLAGE, caseId, ['household_survey', 'income_calculation']);
    const { income: _lines, ...rest } = verificationData();
    const contract = { ...rest, members: 3, income: { periodStart: '2025-10-01', periodEnd: '2026-09-30', wage: 6000, businessNet: 2000, transfer: 4000, property: 0 } };
    // issue 19: the summed wage is attributed to the member who earned it (王建国, registry: works locally)
    const unattributed = await send(env, VILLAGE, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: contract });
    expectRefused(unattributed, 422, 'RULE_VIOLATED', 'income_wage_attributed');
    const wang = (await expectOk(await env.http().get(`/households/${householdId}`).set('Authorization', await auth(env, VILLAGE)))).members.find((m: any) => m.name === '王建国');
    const attributed = { ...contract, income: { ...contract.income, wageEarners: [{ memberId: wang.id, amount: 6000, workplace: '建安区灵井镇' }] } };
    const ok = await expectOk(await send(env, VILLAGE, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: attributed }));
    expect(ok.state).toBe('village_appraisal');
    expect(ok.data.verification).toMatchObject({ incomeShape: 'aggregated', members: 3, totalIncome: 12000, perCapitaNetIncome: 4000, signals: { incomeBelowLine: true } });
  });
});
