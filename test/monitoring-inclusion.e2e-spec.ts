import { startApp, type TestEnv, target } from './support/harness';
import {
  approvalData,
  COUNTY,
  expectOk,
  getCase,
  household,
  inclusionCase,
  send,
  shortNotice,
  TOWNSHIP,
  upload,
  uploadAll,
  VILLAGE,
  verificationData,
  waitForState,
} from './support/flows';

describe(`monitoring inclusion, from lead to monitoring object (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
    await shortNotice(env);
  });
  afterAll(() => env?.close());

  it('publishes the procedure definition and diagram from the machine', async () => {
    const token = await env.token(VILLAGE);
    const list = await expectOk(await env.http().get('/procedures').set('Authorization', `Bearer ${token}`));
    expect(list).toContainEqual(expect.objectContaining({ procedure: 'monitoring-inclusion', version: 1, title: '监测对象识别纳入' }));
    const def = await expectOk(await env.http().get('/procedures/monitoring-inclusion').set('Authorization', `Bearer ${token}`));
    expect(def.initial).toBe('lead');
    const verify = def.events.find((e: any) => e.type === 'RECORD_VERIFICATION' && e.from[0] === 'lead');
    expect(verify).toMatchObject({
      role: ['village', 'township'],
      evidence: { allOf: ['household_survey'], anyOf: [['income_calculation', 'commitment_letter']] },
    });
    // SF-05: the contract's fields stay (members and the four sums, required with the aggregated shape);
    // income.lines is the per-member extension; exactly one of the two shapes (incomeShape)
    expect(verify.fields.required).toEqual(['conclusion', 'income', 'rigidExpenditure', 'guarantees']);
    expect(verify.fields.incomeShape).toBe(true);
    expect(verify.fields.properties.members).toMatchObject({ type: 'integer' });
    expect(Object.keys(verify.fields.properties.income.properties)).toEqual(['periodStart', 'periodEnd', 'wage', 'businessNet', 'transfer', 'property', 'lines', 'wageEarners']);
    expect(verify.fields.properties.income.required).toEqual(['periodStart', 'periodEnd']);
    const diagram = await env.http().get('/procedures/monitoring-inclusion/diagram').set('Authorization', `Bearer ${token}`);
    expect(diagram.status).toBe(200);
    expect(diagram.headers['content-type']).toMatch(/text\/plain/);
    expect(diagram.text).toMatch(/^stateDiagram-v2/);
    expect((await env.http().get('/procedures/no-such').set('Authorization', `Bearer ${token}`)).status).toBe(404);
  });

  it('walks one household from lead to monitoring object, with history, verify, tasks and the public notice', async () => {
    const householdId = await household(env, '王建国');
    const created = await env
      .http()
      .post('/procedures/monitoring-inclusion/cases')
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .send({ householdId, channel: 'cadre_visit', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true });
    const c = await expectOk(created, 201);
    expect(c).toMatchObject({ procedure: 'monitoring-inclusion', machineVersion: 1, version: 1, state: 'lead', stateTitle: '线索', areaCode: '411003100201' });
    expect(c.subject).toEqual({ type: 'household', id: householdId });
    // SF-04: a deadline from the moment the lead is recorded, 15 days by default
    const due = new Date(c.deadline.dueAt).getTime() - new Date(c.createdAt).getTime();
    expect(due).toBe(15 * 86400_000);
    expect(c.deadline.overdue).toBe(false);
    const verifyAction = c.availableActions.find((a: any) => a.event === 'RECORD_VERIFICATION');
    expect(verifyAction).toMatchObject({ allowed: false, blockedBy: 'EVIDENCE_MISSING', missing: { evidence: ['household_survey'] } });

    // SF-06: the lead is in the village's to-do list
    const tasks = await expectOk(await env.http().get('/tasks').set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(tasks.items.map((t: any) => t.id)).toContain(c.id);

    const survey = await upload(env, VILLAGE, 'household_survey', { caseId: c.id });
    const income = await upload(env, VILLAGE, 'income_calculation', { caseId: c.id });
    const afterUpload = await expectOk(await getCase(env, VILLAGE, c.id));
    expect(afterUpload.availableActions.find((a: any) => a.event === 'RECORD_VERIFICATION')).toMatchObject({ allowed: true, blockedBy: null });

    const verified = await expectOk(
      await send(env, VILLAGE, c.id, { type: 'RECORD_VERIFICATION', evidenceIds: [survey.id, income.id], data: verificationData() }),
    );
    expect(verified.state).toBe('village_appraisal');
    expect(verified.version).toBe(2);
    // SF-05: the service computes the income
    expect(verified.data.verification).toMatchObject({ perCapitaNetIncome: 4000, incomeLine: 7500, signals: { incomeBelowLine: true } });

    const appraisal = await uploadAll(env, VILLAGE, c.id, ['meeting_minutes', 'sign_in_sheet', 'meeting_photos']);
    expect((await expectOk(await send(env, VILLAGE, c.id, { type: 'RECORD_APPRAISAL', evidenceIds: appraisal, data: { result: 'passed' } }))).state).toBe('public_notice');

    const photo = await upload(env, VILLAGE, 'notice_photo', { caseId: c.id });
    const published = await expectOk(
      await send(env, VILLAGE, c.id, { type: 'PUBLISH_NOTICE', evidenceIds: [photo.id], data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：王建国户，公示期内如有异议请向村委会反映' } }),
    );
    expect(published.notice).not.toBeNull();
    // SF-22: readable without login, personal data masked
    const board = await expectOk(await env.http().get('/public/notices?areaCode=411003100000'));
    const mine = board.find((n: any) => n.caseId === c.id);
    expect(mine).toMatchObject({ procedure: 'monitoring-inclusion', areaCode: '411003100201' });
    expect(mine.summary).toContain('王*国');
    expect(mine.summary).not.toContain('王建国');

    // the notice period (PT2S in this county) is closed by the system timer
    await waitForState(env, VILLAGE, c.id, 'township_review');
    const approved = await expectOk(await send(env, TOWNSHIP, c.id, { type: 'APPROVE', data: { opinion: '经乡镇复核，情况属实，同意上报' } }));
    expect(approved.state).toBe('county_approval');
    const included = await expectOk(await send(env, COUNTY, c.id, { type: 'APPROVE', data: approvalData }));
    expect(included).toMatchObject({ state: 'included', stateTitle: '已纳入监测', availableActions: [] });
    expect(included.closedAt).not.toBeNull();

    // the household is now a monitoring object
    const objects = await expectOk(
      await env.http().get('/monitoring-objects?areaCode=411003100201').set('Authorization', `Bearer ${await env.token(COUNTY)}`),
    );
    const mo = objects.items.find((o: any) => o.householdId === householdId);
    expect(mo).toMatchObject({
      monitoringType: 'sudden_hardship',
      monitoringTypeTitle: '突发严重困难户',
      riskTypes: ['illness'],
      status: 'monitoring',
      inclusionCaseId: c.id,
      startDate: '2026-11-01',
      assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' },
    });
    expect(['orange', 'yellow']).toContain(mo.colour);
    const one = await expectOk(await env.http().get(`/monitoring-objects/${mo.id}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(one.assistanceContact.phone).toBe('139****0000');

    const history = await expectOk(await env.http().get(`/cases/${c.id}/history`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    expect(history.map((h: any) => h.event)).toEqual(['CREATE', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL', 'PUBLISH_NOTICE', 'CLOSE_NOTICE', 'APPROVE', 'APPROVE']);
    expect(history[4].actor).toEqual({ id: 'system', username: 'system', role: 'system' });
    expect(history[1].evidence).toEqual([
      { id: survey.id, type: 'household_survey', sha256: survey.sha256 },
      { id: income.id, type: 'income_calculation', sha256: income.sha256 },
    ]);
    expect(history[1].prevHash).toBe(history[0].hash);
    expect(history[6].policyVersion).toMatch(/^000000000000#1\+410000000000#1\+411003000000#1$/);

    const verify = await expectOk(await env.http().get(`/cases/${c.id}/verify`).set('Authorization', `Bearer ${await env.token('s_jianan')}`));
    expect(verify).toEqual({ valid: true, entries: 7, files: { checked: expect.any(Number), problems: [] } });
    expect(verify.files.checked).toBeGreaterThanOrEqual(5);

    const done = await expectOk(await env.http().get('/tasks/done').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`));
    expect(done.items.map((t: any) => t.id)).toContain(c.id);
    const started = await expectOk(await env.http().get('/cases?startedByMe=true').set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(started.items.map((t: any) => t.id)).toContain(c.id);

    // no second inclusion case for a household already under monitoring
    const again = await env
      .http()
      .post('/procedures/monitoring-inclusion/cases')
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .send({ householdId, channel: 'self_report', riskDescription: '再次申报' });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'already_monitored' } });
  });

  it('SF-02: an exclusion needs a reason and township confirmation, and the reason stays visible', async () => {
    const { id } = await inclusionCase(env, 'lead', { householdId: await household(env, '赵桂英') });
    const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'commitment_letter']);
    const noReason = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData('exclude') });
    expect(noReason.status).toBe(422);
    expect(noReason.body.code).toBe('REASON_REQUIRED');
    const placeholder = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData('exclude'), reason: '不符合' });
    expect(placeholder.body.code).toBe('REASON_REQUIRED');
    const proposed = await expectOk(
      await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData('exclude'), reason: '经入户核实，该户子女务工收入稳定，人均纯收入高于监测标准' }),
    );
    expect(proposed).toMatchObject({ state: 'township_review', data: { exclusionProposed: true } });
    const approve = await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '同意纳入监测' } });
    expect(approve.status).toBe(422);
    expect(approve.body.details.rule).toBe('not_exclusion_proposal');
    const confirmed = await expectOk(
      await send(env, TOWNSHIP, id, { type: 'CONFIRM_EXCLUSION', reason: '乡镇复核确认：家庭收入高于监测标准，不予纳入' }),
    );
    expect(confirmed).toMatchObject({ state: 'not_included', data: { outcomeReason: '乡镇复核确认：家庭收入高于监测标准，不予纳入' } });
  });

  it('lists cases by state and overdue, within the caller area only', async () => {
    const token = await env.token('t_zhenjian');
    const other = await expectOk(await env.http().get('/cases?procedure=monitoring-inclusion').set('Authorization', `Bearer ${token}`));
    expect(other.total).toBe(0);
    const county = await expectOk(await env.http().get('/cases?procedure=monitoring-inclusion&overdue=false&pageSize=5').set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    expect(county.total).toBeGreaterThanOrEqual(2);
    expect(county.pageSize).toBe(5);
    const outside = await env.http().get('/cases?areaCode=411003101201').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`);
    expect(outside.status).toBe(404);
  });
});
