import { randomUUID } from 'node:crypto';
import { TimerEntity } from '../src/database/entities';
import { startApp, target, type TestEnv } from './support/harness';
import { secondsFloor, widenPolicyBounds } from './support/policy-bounds';
import { COUNTY, expectOk, getCase, HUOZHUANG, OTHER_TOWNSHIP, send, TOWNSHIP, TOWNSHIP2, upload, VILLAGE, waitForState } from './support/flows';
import {
  appraiseAndNotice,
  auth,
  batchEvent,
  batchOk,
  COUNTY_CODE,
  history,
  inspection,
  MEETING,
  monitoringObject,
  monitoringObjectView,
  propose,
  proposeRaw,
  readyObject,
  setPolicy,
  sleep,
  submitBatch,
  SUPERVISOR,
  toCountyApproval,
  uploadBatch,
  verificationData,
  verifyCase,
} from './support/elimination';

const BASE_POLICY = {
  'inclusion.noticePeriod': 'PT1S',
  'elimination.minMonitoringPeriod': 'PT1S',
  'elimination.incomeStablePeriod': 'PT1S',
  'elimination.noticePeriod': 'PT1S',
};

const COUNTY_OPINION = { opinion: '经县级审定，该户风险已稳定消除' };

type Ready = Awaited<ReturnType<typeof readyObject>>;

/** Polls a detector until `pred` holds on its rows (income stability needs a second to pass). */
async function detectorUntil(env: TestEnv, what: 'overdue-elimination' | 'stale-monitoring', pred: (rows: any[]) => boolean) {
  let rows: any[] = [];
  for (let i = 0; i < 25; i++) {
    rows = await expectOk(await inspection(env, what));
    if (pred(rows)) break;
    await sleep(200);
  }
  return rows;
}

describe(`risk elimination, from the village list to 风险已消除 and rollback (${target})`, () => {
  let env: TestEnv;
  // A, B: the happy path; C: SF-07 and the verification rules; D: no measure;
  // S1..S4: one failing SF-09 criterion each; S5: income not yet stable; E: returned in the mixed batch
  let A: Ready, B: Ready, C: Ready, S1: Ready, S2: Ready, S3: Ready, S4: Ready, S5: Ready, E: Ready;
  let D: { householdId: string; moId: string };
  let happy: { batchId: string; caseA: string; caseB: string };
  let caseC: string;

  beforeAll(async () => {
    env = await startApp();
    // periods of seconds, the concentration alert off (1) and a one-day stale threshold are
    // outside the national bounds: the bounds are lowered first, with a reason (issue 12)
    await widenPolicyBounds(
      env,
      {
        ...secondsFloor(...Object.keys(BASE_POLICY), 'elimination.followUpVisits'),
        'elimination.concentrationThreshold': { max: 1 },
        'inspection.staleMonitoringAfter': { min: 'P1D' },
      },
      '测试环境：监测期、公示期和回头看缩短到秒级，集中消除预警可关闭，以便在测试中走完风险消除',
    );
    await setPolicy(env, { ...BASE_POLICY, 'elimination.followUpVisits': ['PT2S'], 'elimination.concentrationThreshold': 1 });
    [A, B, C, S1, S2, S3, S5, E] = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => readyObject(env)));
    // 兜底 only, no labour capacity
    S4 = await readyObject(env, { laborAbility: 'none', measureType: 'social_security' });
    D = await monitoringObject(env);
  });
  afterAll(() => env?.close());

  it('SF-11: the detectors list objects that meet every criterion (overdue elimination) and objects without recent measures (stale)', async () => {
    const overdue = await detectorUntil(env, 'overdue-elimination', (rows) => [A.moId, B.moId].every((id) => rows.some((r) => r.monitoringObjectId === id)));
    expect(overdue.find((r) => r.monitoringObjectId === A.moId)).toMatchObject({ householdId: A.householdId, areaCode: HUOZHUANG, latestPerCapitaNetIncome: 10000, incomeLine: 7500, measures: 1 });
    expect(overdue.map((r) => r.monitoringObjectId)).toContain(B.moId);
    // no measure: not eligible
    expect(overdue.map((r) => r.monitoringObjectId)).not.toContain(D.moId);

    // in monitoring since 2026-11-01: not stale under the default (P1Y)
    const before = await expectOk(await inspection(env, 'stale-monitoring'));
    expect(before.map((r: any) => r.monitoringObjectId)).not.toContain(D.moId);
    await setPolicy(env, { 'inspection.staleMonitoringAfter': 'P1D' });
    const stale = await expectOk(await inspection(env, 'stale-monitoring'));
    expect(stale.find((r: any) => r.monitoringObjectId === D.moId)).toMatchObject({ lastMeasureDate: null, staleAfter: 'P1D', openEliminationCase: false });
    // A has a measure recorded today
    expect(stale.map((r: any) => r.monitoringObjectId)).not.toContain(A.moId);
  });

  it('proposal eligibility: minimum monitoring period, a measure recorded, village only', async () => {
    await setPolicy(env, { 'elimination.minMonitoringPeriod': 'P6M' });
    const tooEarly = await proposeRaw(env, [D.moId]);
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'min_monitoring_period' } });
    expect(tooEarly.body.details.households).toEqual([expect.objectContaining({ monitoringObjectId: D.moId, rule: 'min_monitoring_period' })]);
    await setPolicy(env, { 'elimination.minMonitoringPeriod': 'PT1S' });

    // the list is all or nothing: A is fine, D has no measure, nothing is opened
    const noMeasure = await proposeRaw(env, [A.moId, D.moId]);
    expect(noMeasure.status).toBe(422);
    expect(noMeasure.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'measure_recorded' } });
    expect(noMeasure.body.details.households).toEqual([expect.objectContaining({ monitoringObjectId: D.moId, rule: 'measure_recorded' })]);
    const cases = await expectOk(await env.http().get('/cases?procedure=risk-elimination').set('Authorization', await auth(env, COUNTY)));
    expect(cases.total).toBe(0);

    for (const user of [TOWNSHIP, COUNTY]) {
      const res = await proposeRaw(env, [A.moId], { user });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ROLE_REQUIRED');
    }
    // another village's list cannot name 霍庄's households
    const foreign = await proposeRaw(env, [A.moId], { user: 'v_daluchen', areaCode: '411003100202' });
    expect(foreign.status).toBe(422);
    expect(foreign.body.details.households).toEqual([expect.objectContaining({ monitoringObjectId: A.moId, rule: 'not_found' })]);
  });

  it('happy path: a two-household list from proposal (SF-07) to 风险已消除, green, with follow-up visits scheduled', async () => {
    const greenBefore = await expectOk(await env.http().get(`/monitoring-objects?colour=green&pageSize=200`).set('Authorization', await auth(env, COUNTY)));
    expect(greenBefore.items.map((o: any) => o.id)).not.toContain(A.moId);

    const created = await propose(env, [A.moId, B.moId]);
    expect(created.body).toMatchObject({ batchId: expect.any(String), areaCode: HUOZHUANG, eliminationType: 'assisted' });
    expect(created.body.cases).toHaveLength(2);
    for (const c of created.body.cases) {
      expect(c).toMatchObject({ procedure: 'risk-elimination', state: 'proposed', batchId: created.batchId, subject: { type: 'monitoring-object' } });
    }
    happy = { batchId: created.batchId, caseA: created.caseOf(A.moId), caseB: created.caseOf(B.moId) };
    const batch = await expectOk(await env.http().get(`/batches/${happy.batchId}`).set('Authorization', await auth(env, TOWNSHIP)));
    expect(batch.cases.map((c: any) => c.id).sort()).toEqual([happy.caseA, happy.caseB].sort());

    // SF-11: once proposed, no longer overdue
    const overdue = await expectOk(await inspection(env, 'overdue-elimination'));
    expect(overdue.map((r: any) => r.monitoringObjectId)).not.toContain(A.moId);
    expect(overdue.map((r: any) => r.monitoringObjectId)).not.toContain(B.moId);

    // SF-07: the meeting's three documents, uploaded once for the batch
    const meeting = await uploadBatch(env, happy.batchId, MEETING);
    const submitted = await expectOk(await batchEvent(env, VILLAGE, happy.batchId, { type: 'SUBMIT', evidenceIds: Object.values(meeting) }));
    expect(submitted.batchId).toBe(happy.batchId);
    expect(submitted.results).toHaveLength(2);
    for (const r of submitted.results) expect(r).toMatchObject({ ok: true, status: 200, state: 'household_verification', version: 2 });

    for (const [caseId, o] of [[happy.caseA, A], [happy.caseB, B]] as const) {
      const verified = await expectOk(await verifyCase(env, caseId, verificationData(o.measureId)));
      expect(verified.state).toBe('village_appraisal');
      expect(verified.data.verification).toMatchObject({ perCapitaNetIncome: 10000, incomeLine: 7500, risks: [{ riskType: 'illness', resolved: true, measureId: o.measureId }] });
    }
    await appraiseAndNotice(env, happy.batchId, [happy.caseA, happy.caseB]);

    const township = await expectOk(await batchEvent(env, TOWNSHIP, happy.batchId, { type: 'APPROVE', data: { opinion: '经乡镇审核，两户风险均已消除，同意上报' } }));
    expect(township.results.map((r: any) => [r.ok, r.state])).toEqual([[true, 'county_approval'], [true, 'county_approval']]);

    const county = await expectOk(await batchEvent(env, COUNTY, happy.batchId, { type: 'APPROVE', data: COUNTY_OPINION }));
    expect(county.results.map((r: any) => [r.ok, r.state])).toEqual([[true, 'eliminated'], [true, 'eliminated']]);

    for (const [caseId, o] of [[happy.caseA, A], [happy.caseB, B]] as const) {
      const mo = await monitoringObjectView(env, o.moId);
      expect(mo).toMatchObject({ status: 'eliminated', statusTitle: '风险已消除', eliminationType: 'assisted', eliminationTypeTitle: '帮扶消除', eliminationCaseId: caseId, colour: 'green' });
      expect(mo.eliminatedAt).not.toBeNull();
      const c = await expectOk(await getCase(env, COUNTY, caseId));
      expect(c.data.followUps).toEqual([{ dueAt: expect.any(String), recordedAt: null }]);
      const timers = await env.ds.getRepository(TimerEntity).findBy({ caseId, event: 'FOLLOW_UP_DUE' });
      expect(timers).toHaveLength(1);
      expect(timers[0].dueAt.toISOString()).toBe(c.data.followUps[0].dueAt);
      const h = await history(env, caseId);
      // (the follow-up timer, due 2 s after approval, may add a ninth entry)
      expect(h.slice(0, 8).map((e: any) => e.event)).toEqual(['CREATE', 'SUBMIT', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL', 'PUBLISH_NOTICE', 'CLOSE_NOTICE', 'APPROVE', 'APPROVE']);
      expect(h[1].evidence.map((e: any) => e.type).sort()).toEqual([...MEETING].sort());
      expect(h[6].actor.username).toBe(TOWNSHIP);
      expect(h[7]).toMatchObject({ fromState: 'county_approval', toState: 'eliminated', actor: { username: COUNTY } });
    }
    const green = await expectOk(await env.http().get(`/monitoring-objects?colour=green&pageSize=200`).set('Authorization', await auth(env, COUNTY)));
    expect(green.items.map((o: any) => o.id).sort()).toEqual([A.moId, B.moId].sort());
  });

  it("bypass: a household cannot join another meeting's batch, nor be proposed alone (SF-07, issue 12)", async () => {
    const F = await readyObject(env);
    const { batchId } = await propose(env, [F.moId]);
    const before = await expectOk(await env.http().get(`/batches/${batchId}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    const token = `Bearer ${await env.token(VILLAGE)}`;
    for (const body of [
      { monitoringObjectId: E.moId, eliminationType: 'assisted', batchId },
      { monitoringObjectId: E.moId, eliminationType: 'assisted' },
    ]) {
      const res = await env.http().post('/procedures/risk-elimination/cases').set('Authorization', token).send(body);
      expect(res.status).toBe(422);
      expect(res.body.details.rule).toBe('proposed_by_list');
    }
    const after = await expectOk(await env.http().get(`/batches/${batchId}`).set('Authorization', token));
    expect(after.cases.map((c: any) => c.id)).toEqual(before.cases.map((c: any) => c.id));
  });

  it('SF-07: each of the three meeting documents missing in turn is refused, for the batch and for a single case', async () => {
    const { batchId, caseOf } = await propose(env, [C.moId]);
    const caseId = caseOf(C.moId);
    caseC = caseId;
    const meeting = await uploadBatch(env, batchId, MEETING);
    for (const missing of MEETING) {
      const given = MEETING.filter((t) => t !== missing).map((t) => meeting[t]);
      const res = await expectOk(await batchEvent(env, VILLAGE, batchId, { type: 'SUBMIT', evidenceIds: given }));
      expect(res.results).toEqual([
        expect.objectContaining({ caseId, ok: false, status: 422, code: 'EVIDENCE_MISSING', state: 'proposed', details: expect.objectContaining({ missingEvidence: [missing] }) }),
      ]);
      const single = await send(env, VILLAGE, caseId, { type: 'SUBMIT', evidenceIds: given });
      expect(single.status).toBe(422);
      expect(single.body).toMatchObject({ code: 'EVIDENCE_MISSING', details: { missingAllOf: [missing] } });
    }
    expect((await expectOk(await getCase(env, VILLAGE, caseId))).state).toBe('proposed');

    // a household with an open elimination case cannot be proposed again
    const again = await proposeRaw(env, [C.moId]);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'open_case_exists' } });
    expect(again.body.details.households).toEqual([expect.objectContaining({ monitoringObjectId: C.moId, rule: 'open_case_exists' })]);

    const ok = await expectOk(await send(env, VILLAGE, caseId, { type: 'SUBMIT', evidenceIds: Object.values(meeting) }));
    expect(ok.state).toBe('household_verification');
  });

  it('SF-09: the verification must list every recorded risk, each resolved one with a measure of the household', async () => {
    const caseId = caseC;
    const listed = await expectOk(await env.http().get('/cases?procedure=risk-elimination&state=household_verification').set('Authorization', await auth(env, COUNTY)));
    expect(listed.items.map((c: any) => c.id)).toEqual([caseId]);
    const unlisted = await verifyCase(env, caseId, verificationData(C.measureId, { risks: [{ riskType: 'education', resolved: true, measureId: C.measureId }] }));
    expect(unlisted.status).toBe(422);
    expect(unlisted.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'every_risk_listed' } });

    // a measure of another household is not this household's measure
    const foreignMeasure = await verifyCase(env, caseId, verificationData(A.measureId));
    expect(foreignMeasure.status).toBe(422);
    expect(foreignMeasure.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'measures_exist' } });
    const noMeasure = await verifyCase(env, caseId, verificationData(C.measureId, { risks: [{ riskType: 'illness', resolved: true }] }));
    expect(noMeasure.status).toBe(422);
    expect(noMeasure.body.details.rule).toBe('measures_exist');

    const ok = await expectOk(await verifyCase(env, caseId, verificationData(C.measureId)));
    expect(ok.state).toBe('village_appraisal');
  });

  it('回头看: the follow-up timer puts the case in the village to-do list; the visit returns it to eliminated', async () => {
    const due = await waitForState(env, VILLAGE, happy.caseA, 'follow_up_due', 15000);
    expect(due.stateTitle).toBe('回头看待办');
    expect(due.availableActions.map((a: any) => a.event)).toContain('RECORD_FOLLOW_UP');
    const tasks = await expectOk(await env.http().get('/tasks?procedure=risk-elimination&pageSize=200').set('Authorization', await auth(env, VILLAGE)));
    expect(tasks.items.map((t: any) => t.id)).toContain(happy.caseA);
    // still 风险已消除 while the visit is due
    expect((await monitoringObjectView(env, A.moId)).status).toBe('eliminated');

    const noSurvey = await send(env, VILLAGE, happy.caseA, { type: 'RECORD_FOLLOW_UP', data: { findings: '入户回访，家庭收入稳定', riskReturned: false } });
    expect(noSurvey.status).toBe(422);
    expect(noSurvey.body.code).toBe('EVIDENCE_MISSING');
    const survey = await upload(env, VILLAGE, 'household_survey', { caseId: happy.caseA });
    const visited = await expectOk(
      await send(env, VILLAGE, happy.caseA, { type: 'RECORD_FOLLOW_UP', evidenceIds: [survey.id], data: { findings: '入户回访，务工收入稳定，医疗报销到位，未发现返贫风险', riskReturned: false } }),
    );
    expect(visited.state).toBe('eliminated');
    expect(visited.data.followUps).toEqual([expect.objectContaining({ recordedAt: expect.any(String), riskReturned: false, findings: '入户回访，务工收入稳定，医疗报销到位，未发现返贫风险' })]);
    const after = await expectOk(await env.http().get('/tasks?procedure=risk-elimination&pageSize=200').set('Authorization', await auth(env, VILLAGE)));
    expect(after.items.map((t: any) => t.id)).not.toContain(happy.caseA);
    const h = await history(env, happy.caseA);
    expect(h.slice(-2).map((e: any) => [e.event, e.actor.role])).toEqual([['FOLLOW_UP_DUE', 'system'], ['RECORD_FOLLOW_UP', 'village']]);
  });

  it('SF-10: county rolls back an elimination (reason + evidence); the village cannot; a new risk starts a linked inclusion case', async () => {
    const villageTry = await send(env, VILLAGE, happy.caseA, { type: 'ROLLBACK', reason: '经复核该户收入核算有误，风险未消除' });
    expect(villageTry.status).toBe(403);
    expect(villageTry.body.code).toBe('ROLE_REQUIRED');

    const noEvidence = await send(env, COUNTY, happy.caseA, { type: 'ROLLBACK', reason: '经复核该户收入核算有误，风险未消除' });
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.body).toMatchObject({ code: 'EVIDENCE_MISSING', details: { missingAllOf: ['rollback_evidence'] } });
    const ev = await upload(env, COUNTY, 'rollback_evidence', { caseId: happy.caseA });
    const noReason = await send(env, COUNTY, happy.caseA, { type: 'ROLLBACK', evidenceIds: [ev.id] });
    expect(noReason.status).toBe(422);
    expect(noReason.body.code).toBe('REASON_REQUIRED');

    const rolled = await expectOk(await send(env, COUNTY, happy.caseA, { type: 'ROLLBACK', evidenceIds: [ev.id], reason: '经县级复核，该户务工收入核算有误，风险未稳定消除' }));
    expect(rolled.state).toBe('rolled_back');
    expect(rolled.closedAt).not.toBeNull();
    expect(rolled.data.rollback).toMatchObject({ reason: '经县级复核，该户务工收入核算有误，风险未稳定消除' });
    const mo = await monitoringObjectView(env, A.moId);
    expect(mo).toMatchObject({ status: 'monitoring', rollbackCaseId: happy.caseA, eliminationType: null, eliminatedAt: null });
    expect(mo.rolledBackAt).not.toBeNull();
    expect(mo.colour).not.toBe('green');
    // no timers left on a rolled-back case
    expect(await env.ds.getRepository(TimerEntity).countBy({ caseId: happy.caseA, status: 'pending' })).toBe(0);

    // re-identification: B's household gets a new risk after elimination
    const reopened = await env
      .http()
      .post('/procedures/monitoring-inclusion/cases')
      .set('Authorization', await auth(env, VILLAGE))
      .send({ householdId: B.householdId, channel: 'cadre_visit', riskDescription: '风险消除后户主再次患病住院，自付医疗费用约3万元' });
    const inclusion = await expectOk(reopened, 201);
    expect(inclusion).toMatchObject({ procedure: 'monitoring-inclusion', state: 'lead', subject: { type: 'household', id: B.householdId } });
    expect(inclusion.data.previousMonitoringObjectId).toBe(B.moId);
  });

  describe('one list, per-case outcomes', () => {
    let batchId: string;
    let stableBatch: { batchId: string; caseId: string };
    const caseIds: Record<string, string> = {};

    it('batch events with mixed outcomes: a returned case gets 409, the others move; each has its own audit entry; a replay changes nothing', async () => {
      // SF-09, income_stable: a list opened while the policy asks for six months of income above the line
      await setPolicy(env, { 'elimination.incomeStablePeriod': 'P6M' });
      const stable = await propose(env, [S5.moId]);
      stableBatch = { batchId: stable.batchId, caseId: stable.caseOf(S5.moId) };
      await setPolicy(env, { 'elimination.incomeStablePeriod': 'PT1S' });

      const list = await propose(env, [S1.moId, S2.moId, S3.moId, S4.moId, E.moId]);
      batchId = list.batchId;
      for (const [k, o] of Object.entries({ S1, S2, S3, S4, E })) caseIds[k] = list.caseOf(o.moId);

      // area checks: another township sees neither the batch nor can act on it
      const foreignGet = await env.http().get(`/batches/${batchId}`).set('Authorization', await auth(env, OTHER_TOWNSHIP));
      expect(foreignGet.status).toBe(404);
      const foreignEvent = await batchEvent(env, OTHER_TOWNSHIP, batchId, { type: 'APPROVE', data: { opinion: '同意上报县级审定' } });
      expect(foreignEvent.status).toBe(404);
      const foreignUpload = await env
        .http()
        .post('/evidence')
        .set('Authorization', await auth(env, 'v_daluchen'))
        .field('type', 'meeting_minutes')
        .field('batchId', batchId)
        .attach('file', Buffer.from('%PDF-1.4\n% minutes\n%%EOF\n'), 'minutes.pdf');
      expect(foreignUpload.status).toBe(404);

      await submitBatch(env, batchId);
      await submitBatch(env, stableBatch.batchId);
      const verifications: Record<string, Record<string, unknown>> = {
        S1: verificationData(S1.measureId, { risks: [{ riskType: 'illness', resolved: false, note: '仍需长期服药，医疗负担未化解' }] }),
        S2: verificationData(S2.measureId, { perCapita: 5000 }),
        S3: verificationData(S3.measureId, { guarantees: { education: true, medical: true, housing: false, water: true } }),
        S4: verificationData(S4.measureId),
        E: verificationData(E.measureId),
      };
      // E is verified by a township officer (together with the village), who then may not approve it
      for (const [k, data] of Object.entries(verifications)) {
        expect((await expectOk(await verifyCase(env, caseIds[k], data, k === 'E' ? TOWNSHIP2 : VILLAGE))).state).toBe('village_appraisal');
      }
      await expectOk(await verifyCase(env, stableBatch.caseId, verificationData(S5.measureId)));
      await appraiseAndNotice(env, batchId, Object.values(caseIds));
      await appraiseAndNotice(env, stableBatch.batchId, [stableBatch.caseId]);

      // the village cannot approve: 403 per case, nothing moves
      const village = await expectOk(await batchEvent(env, VILLAGE, batchId, { type: 'APPROVE', data: { opinion: '同意' } }));
      expect(village.results).toHaveLength(5);
      for (const r of village.results) expect(r).toMatchObject({ ok: false, status: 403, code: 'ROLE_REQUIRED', state: 'township_review' });

      const verifierApproves = await send(env, TOWNSHIP2, caseIds.E, { type: 'APPROVE', data: { opinion: '经乡镇审核，同意上报县级审定' } });
      expect(verifierApproves.status).toBe(403);
      expect(verifierApproves.body).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { performedStep: 'household_verification' } });

      const returned = await expectOk(
        await send(env, TOWNSHIP, caseIds.E, { type: 'RETURN', data: { toState: 'village_appraisal' }, reason: '民主评议签到表与会议记录人数不符，请重新评议' }),
      );
      expect(returned.state).toBe('village_appraisal');

      const key = randomUUID();
      const body = { type: 'APPROVE', data: { opinion: '经乡镇审核，同意上报县级审定' } };
      const approved = await expectOk(await batchEvent(env, TOWNSHIP, batchId, body, key));
      expect(approved.results).toHaveLength(5);
      const byCase = (res: any) => Object.fromEntries(res.results.map((r: any) => [r.caseId, r]));
      const first = byCase(approved);
      for (const k of ['S1', 'S2', 'S3', 'S4']) expect(first[caseIds[k]]).toMatchObject({ ok: true, status: 200, state: 'county_approval', version: 7 });
      expect(first[caseIds.E]).toMatchObject({ ok: false, status: 409, code: 'INVALID_TRANSITION', state: 'village_appraisal' });

      const entries = async () => Object.fromEntries(await Promise.all(Object.entries(caseIds).map(async ([k, id]) => [k, await history(env, id)])));
      const h = await entries();
      for (const k of ['S1', 'S2', 'S3', 'S4']) {
        const approvals = h[k].filter((e: any) => e.fromState === 'township_review' && e.event === 'APPROVE');
        expect(approvals).toHaveLength(1);
        expect(approvals[0]).toMatchObject({ toState: 'county_approval', actor: { username: TOWNSHIP }, data: body.data });
      }
      expect(h.E.map((e: any) => e.event).slice(-1)).toEqual(['RETURN']);

      // the same request with the same key: the same per-case outcomes, no new transition
      const replay = await expectOk(await batchEvent(env, TOWNSHIP, batchId, body, key));
      const again = await entries();
      for (const k of Object.keys(caseIds)) expect(again[k]).toHaveLength(h[k].length);
      const outcome = (r: any) => [r.caseId, r.ok, r.status, r.code ?? null, r.state, r.version ?? null];
      expect(replay.results.map(outcome)).toEqual(approved.results.map(outcome));
    });

    it('SF-09: county approval is refused for each failing criterion, each with its rule code', async () => {
      const res = await expectOk(await batchEvent(env, COUNTY, batchId, { type: 'APPROVE', data: COUNTY_OPINION }));
      const byCase = Object.fromEntries(res.results.map((r: any) => [r.caseId, r]));
      const expected: Record<string, string> = {
        S1: 'risks_resolved',
        S2: 'income_above_line',
        S3: 'guarantees_secure',
        S4: 'not_only_social_security',
      };
      for (const [k, rule] of Object.entries(expected)) {
        expect(byCase[caseIds[k]]).toMatchObject({ ok: false, status: 422, code: 'RULE_VIOLATED', state: 'county_approval', details: { rule } });
      }
      // S1, S3, S4 fail on exactly their own criterion; S2's income is below the line, so not stable either
      for (const k of ['S1', 'S3', 'S4']) expect(byCase[caseIds[k]].details.rules.map((r: any) => r.id)).toEqual([expected[k]]);
      expect(byCase[caseIds.S2].details.rules.map((r: any) => r.id)).toEqual(['income_above_line', 'income_stable']);
      expect(byCase[caseIds.E]).toMatchObject({ ok: false, status: 409, code: 'INVALID_TRANSITION' });

      // the same through the single-case endpoint
      const single = await send(env, COUNTY, caseIds.S3, { type: 'APPROVE', data: COUNTY_OPINION });
      expect(single.status).toBe(422);
      expect(single.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'guarantees_secure' } });

      // income_stable: the case was opened under P6M, the income is above the line only since today
      await batchOk(env, TOWNSHIP, stableBatch.batchId, { type: 'APPROVE', data: { opinion: '经乡镇审核，同意上报县级审定' } });
      const stable = await expectOk(await batchEvent(env, COUNTY, stableBatch.batchId, { type: 'APPROVE', data: COUNTY_OPINION }));
      expect(stable.results).toEqual([
        expect.objectContaining({ caseId: stableBatch.caseId, ok: false, status: 422, code: 'RULE_VIOLATED', details: expect.objectContaining({ rule: 'income_stable' }) }),
      ]);
      expect(stable.results[0].details.rules.map((r: any) => r.id)).toEqual(['income_stable']);

      for (const o of [S1, S2, S3, S4, S5]) expect((await monitoringObjectView(env, o.moId)).status).toBe('monitoring');
    });

    it('area and role checks on inspection: the supervisor reads every detector, the township only its own area', async () => {
      for (const what of ['concentration', 'overdue-elimination', 'stale-monitoring'] as const) {
        const res = await inspection(env, what, SUPERVISOR);
        expect(res.status).toBe(200);
        expect(Array.isArray(res.body)).toBe(true);
      }
      const stale = await expectOk(await inspection(env, 'stale-monitoring', SUPERVISOR));
      expect(stale.map((r: any) => r.monitoringObjectId)).toContain(D.moId);
      const outside = await inspection(env, 'stale-monitoring', OTHER_TOWNSHIP, HUOZHUANG);
      expect(outside.status).toBe(404);
      const admin = await inspection(env, 'concentration', 'admin');
      expect(admin.status).toBe(403);
    });
  });
});

describe(`SF-08: concentrated elimination needs a written justification (${target})`, () => {
  let env: TestEnv;
  let objects: Ready[];

  beforeAll(async () => {
    env = await startApp();
    // periods of seconds, the concentration alert off (1) and a one-day stale threshold are
    // outside the national bounds: the bounds are lowered first, with a reason (issue 12)
    await widenPolicyBounds(
      env,
      {
        ...secondsFloor(...Object.keys(BASE_POLICY), 'elimination.followUpVisits'),
        'elimination.concentrationThreshold': { max: 1 },
        'inspection.staleMonitoringAfter': { min: 'P1D' },
      },
      '测试环境：监测期、公示期和回头看缩短到秒级，集中消除预警可关闭，以便在测试中走完风险消除',
    );
    await setPolicy(env, { ...BASE_POLICY, 'elimination.concentrationThreshold': 0.3, 'elimination.concentrationWindow': 'P30D' });
    objects = await Promise.all([1, 2, 3, 4].map(() => readyObject(env)));
  });
  afterAll(() => env?.close());

  it('SF-08: below the threshold no justification; crossing it needs a real one, kept in the audit entry; the detector lists the area', async () => {
    const [P, Q] = objects;
    const { batchId, caseOf } = await propose(env, [P.moId, Q.moId]);
    await toCountyApproval(env, batchId, [
      { caseId: caseOf(P.moId), data: verificationData(P.measureId) },
      { caseId: caseOf(Q.moId), data: verificationData(Q.measureId) },
    ]);
    expect(await expectOk(await inspection(env, 'concentration'))).toEqual([]);

    // 4 monitoring objects in 霍庄 (and in 灵井镇): the first approval makes 1/4 = 0.25 ≤ 0.3, the second 2/4 = 0.5 > 0.3
    const plain = await expectOk(await batchEvent(env, COUNTY, batchId, { type: 'APPROVE', data: COUNTY_OPINION }));
    const okOnes = plain.results.filter((r: any) => r.ok);
    const refused = plain.results.filter((r: any) => !r.ok);
    expect(okOnes).toEqual([expect.objectContaining({ status: 200, state: 'eliminated' })]);
    expect(refused).toEqual([expect.objectContaining({ status: 422, code: 'RULE_VIOLATED', state: 'county_approval', details: expect.objectContaining({ rule: 'concentration_justified' }) })]);
    const firstId = okOnes[0].caseId;
    const secondId = refused[0].caseId;
    const firstApproval = (await history(env, firstId)).at(-1);
    expect(firstApproval).toMatchObject({ event: 'APPROVE', toState: 'eliminated', data: COUNTY_OPINION });
    expect(firstApproval.data.concentrationJustification).toBeUndefined();

    const placeholder = await send(env, COUNTY, secondId, { type: 'APPROVE', data: { ...COUNTY_OPINION, concentrationJustification: '同意' } });
    expect(placeholder.status).toBe(422);
    expect(placeholder.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'concentration_justified' } });

    const justification = '该村两户均为2026年同批纳入的因病监测户，医疗救助和务工帮扶同期落实到位，入户核实收入稳定超线，非为追求消除率集中消除';
    const justified = await expectOk(
      await batchEvent(env, COUNTY, batchId, { type: 'APPROVE', data: { ...COUNTY_OPINION, concentrationJustification: justification } }),
    );
    const byCase = Object.fromEntries(justified.results.map((r: any) => [r.caseId, r]));
    expect(byCase[secondId]).toMatchObject({ ok: true, state: 'eliminated' });
    expect(byCase[firstId]).toMatchObject({ ok: false, status: 409, code: 'INVALID_TRANSITION', state: 'eliminated' });
    const entry = (await history(env, secondId)).at(-1);
    expect(entry).toMatchObject({ event: 'APPROVE', fromState: 'county_approval', toState: 'eliminated', actor: { username: COUNTY } });
    expect(entry.data.concentrationJustification).toBe(justification);
    expect((await expectOk(await getCase(env, COUNTY, secondId))).data.approval.concentrationJustification).toBe(justification);

    const detected = await expectOk(await inspection(env, 'concentration'));
    expect(detected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ areaCode: HUOZHUANG, level: 'village', eliminated: 2, total: 4, share: 0.5, threshold: 0.3 }),
        expect.objectContaining({ areaCode: '411003100000', level: 'township', eliminated: 2, total: 4, share: 0.5 }),
      ]),
    );
    const supervisor = await expectOk(await inspection(env, 'concentration', SUPERVISOR, COUNTY_CODE));
    expect(supervisor.map((r: any) => r.areaCode)).toContain(HUOZHUANG);
    // another township's view does not include 灵井镇
    const other = await expectOk(await env.http().get('/inspection/concentration').set('Authorization', await auth(env, OTHER_TOWNSHIP)));
    expect(other).toEqual([]);
  });
});
