/**
 * Monitoring inclusion (监测对象识别纳入): every forbidden path, against the real application.
 * Each refusal is checked for its status and code, for the details a front-end needs, and for
 * leaving the case untouched (state, version and audit trail); where it matters, the same
 * request done right afterwards succeeds, so the refusal is known to come from the check under
 * test and not from something else in the request.
 */
import { jest } from '@jest/globals';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { startApp, type TestEnv, target } from './support/harness';
import {
  approvalData,
  COUNTY,
  COUNTY2,
  expectOk,
  getCase,
  inclusionCase,
  type InclusionStep,
  OTHER_TOWNSHIP,
  OTHER_VILLAGE,
  pdf,
  registerHousehold,
  send,
  shortNotice,
  TOWNSHIP,
  TOWNSHIP2,
  upload,
  uploadAll,
  VILLAGE,
  verificationData,
  waitForState,
} from './support/flows';

jest.setTimeout(90_000);

const SUPERVISOR = 's_jianan';
const ADMIN = 'admin';
const DEPARTMENT = 'd_civil';
const REAL_REASON = '经入户核实，该户家庭收入稳定，人均纯收入明显高于监测标准';

type Res = { status: number; body: any; headers: Record<string, any> };

/** The one error shape of the contract, with the expected status and code. */
function expectError(res: Res, status: number, code: string) {
  // status and code first, in one assertion, so a failure shows both
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.body).toEqual(
    expect.objectContaining({ statusCode: status, code, message: expect.any(String), requestId: expect.any(String) }),
  );
  expect(res.body.message.length).toBeGreaterThan(0);
  expect(res.body.requestId.length).toBeGreaterThan(0);
  for (const key of Object.keys(res.body)) expect(['statusCode', 'code', 'message', 'details', 'requestId']).toContain(key);
  return res.body;
}

/** An HS256 JSON Web Token, built by hand. */
function hs256(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }) {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signing = `${b64(header)}.${b64(payload)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

describe(`monitoring inclusion: forbidden paths (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
    await shortNotice(env); // PT2S: the notice closes by itself, so township_review is reached quickly
  });
  afterAll(() => env?.close());

  const bearer = async (user: string) => `Bearer ${await env.token(user)}`;

  async function history(id: string, user = COUNTY): Promise<any[]> {
    return expectOk(await env.http().get(`/cases/${id}/history`).set('Authorization', await bearer(user)));
  }

  /** What a refused request must leave unchanged. */
  async function snapshot(id: string) {
    const c = await expectOk(await getCase(env, COUNTY, id));
    const h = await history(id);
    return { state: c.state, version: c.version, entries: h.length, head: h[h.length - 1].hash };
  }

  /** A new household and a case on it, driven to the given step. */
  async function fresh(step: InclusionStep = 'lead', opts: { channel?: string } = {}) {
    return inclusionCase(env, step, { householdId: await registerHousehold(env), ...opts });
  }

  /** A case whose notice stays open (P5D), for steps that must happen during the notice. */
  async function withLongNotice<T>(fn: () => Promise<T>): Promise<T> {
    await shortNotice(env, 'P5D');
    try {
      return await fn();
    } finally {
      await shortNotice(env);
    }
  }

  /** A case at township_review without waiting for a notice: the village proposes exclusion. */
  async function exclusionProposal() {
    const { id } = await fresh('lead');
    const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'commitment_letter']);
    const c = await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData('exclude'), reason: REAL_REASON }));
    expect(c).toMatchObject({ state: 'township_review', data: { exclusionProposed: true } });
    return id;
  }

  /** Raw event POST with an explicit version (no version look-up). */
  async function post(user: string, id: string, body: Record<string, unknown>, key: string | null = randomUUID()) {
    const req = env.http().post(`/cases/${id}/events`).set('Authorization', await bearer(user));
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body);
  }

  async function createInclusion(user: string, body: unknown) {
    return env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', await bearer(user)).send(body as object);
  }

  // ------------------------------------------------------------------ 401

  describe('401 UNAUTHENTICATED', () => {
    it('refuses every case endpoint without a token, in the contract error shape', async () => {
      const { id } = await fresh('lead');
      const before = await snapshot(id);
      const calls = [
        env.http().get(`/cases/${id}`),
        env.http().get(`/cases/${id}/history`),
        env.http().get(`/cases/${id}/verify`),
        env.http().get('/cases'),
        env.http().get('/tasks'),
        env.http().get('/auth/me'),
        env.http().post(`/cases/${id}/events`).set('Idempotency-Key', randomUUID()).send({ type: 'WITHDRAW', version: 1, reason: REAL_REASON }),
        env.http().post('/procedures/monitoring-inclusion/cases').send({ householdId: randomUUID(), channel: 'self_report', riskDescription: '户主突发疾病住院' }),
      ];
      for (const call of calls) {
        const res = await call;
        const body = expectError(res, 401, 'UNAUTHENTICATED');
        expect(res.headers['x-request-id']).toBe(body.requestId);
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses a malformed token or a wrong scheme', async () => {
      const { id } = await fresh('lead');
      const real = await env.token(VILLAGE);
      for (const header of ['Bearer not-a-jwt', 'Bearer a.b.c', 'Bearer ', 'Bearer', `Basic ${Buffer.from('v_huozhuang:Demo@2026').toString('base64')}`, real, `Bearer ${real}x`, `Bearer ${real.split('.').slice(0, 2).join('.')}.`]) {
        const res = await env.http().get(`/cases/${id}`).set('Authorization', header);
        expectError(res, 401, 'UNAUTHENTICATED');
      }
      const res = await env
        .http()
        .post(`/cases/${id}/events`)
        .set('Authorization', 'Bearer not-a-jwt')
        .set('Idempotency-Key', randomUUID())
        .send({ type: 'WITHDRAW', version: 1, reason: REAL_REASON });
      expectError(res, 401, 'UNAUTHENTICATED');
      expect((await getCase(env, VILLAGE, id)).body.state).toBe('lead');
    });

    it('refuses a token signed by another secret (and an unsigned or expired one), while the same claims signed by the service pass', async () => {
      const { id } = await fresh('lead');
      const me = await expectOk(await env.http().get('/auth/me').set('Authorization', await bearer(COUNTY)));
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: me.id, role: 'county', iat: now, exp: now + 3600 };
      // control: the hand-built token is well-formed, so only its signature can make the difference
      const genuine = hs256(claims, env.config.jwt.secret);
      expect((await env.http().get(`/cases/${id}`).set('Authorization', `Bearer ${genuine}`)).status).toBe(200);

      const forged = hs256(claims, 'another-secret-that-is-long-enough-0123456789');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      const expired = hs256({ ...claims, iat: now - 7200, exp: now - 3600 }, env.config.jwt.secret);
      for (const token of [forged, unsigned, expired]) {
        expectError(await env.http().get(`/cases/${id}`).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHENTICATED');
        const ev = await env
          .http()
          .post(`/cases/${id}/events`)
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', randomUUID())
          .send({ type: 'RECORD_VERIFICATION', version: 1, data: verificationData() });
        expectError(ev, 401, 'UNAUTHENTICATED');
      }
      expect((await history(id)).length).toBe(1);
    });
  });

  // ------------------------------------------------------------------ 404

  describe('404 NOT_FOUND', () => {
    /** GET case, history, verify and POST an event: all 404 with the same message as a missing case. */
    async function expectInvisible(user: string, id: string) {
      const missing = expectError(await env.http().get(`/cases/${randomUUID()}`).set('Authorization', await bearer(user)), 404, 'NOT_FOUND');
      for (const path of [`/cases/${id}`, `/cases/${id}/history`, `/cases/${id}/verify`]) {
        const body = expectError(await env.http().get(path).set('Authorization', await bearer(user)), 404, 'NOT_FOUND');
        // never tell "exists but not yours" from "does not exist"
        expect(body.message).toBe(missing.message);
        expect(body.details).toEqual(missing.details);
      }
      const ev = await post(user, id, { type: 'RECORD_VERIFICATION', version: 1, data: verificationData() });
      expect(expectError(ev, 404, 'NOT_FOUND').message).toBe(missing.message);
      const withdraw = await post(user, id, { type: 'WITHDRAW', version: 1, reason: REAL_REASON });
      expectError(withdraw, 404, 'NOT_FOUND');
    }

    it('SF-25: a case of 霍庄村 is invisible to the township user of another township (t_zhenjian)', async () => {
      const { id } = await fresh('lead');
      const before = await snapshot(id);
      await expectInvisible(OTHER_TOWNSHIP, id);
      expect(await snapshot(id)).toEqual(before);
      // control: the township of the case sees it
      expect((await getCase(env, TOWNSHIP, id)).status).toBe(200);
    });

    it('SF-25: a case of 霍庄村 is invisible to the village user of another village (v_zhangzhuang)', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      await expectInvisible(OTHER_VILLAGE, id);
      // even with the case's own evidence ids and a valid body
      const res = await post(OTHER_VILLAGE, id, { type: 'RECORD_VERIFICATION', version: 1, evidenceIds: ev, data: verificationData() });
      expectError(res, 404, 'NOT_FOUND');
      expect(await snapshot(id)).toEqual(before);
      expect((await getCase(env, VILLAGE, id)).status).toBe(200);
    });

    it('answers 404 (never 500) for a non-existent uuid and for ids that are not uuids', async () => {
      for (const id of [randomUUID(), '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '12345', encodeURIComponent("1' OR '1'='1"), 'x'.repeat(300)]) {
        for (const path of [`/cases/${id}`, `/cases/${id}/history`, `/cases/${id}/verify`]) {
          expectError(await env.http().get(path).set('Authorization', await bearer(COUNTY)), 404, 'NOT_FOUND');
        }
        expectError(await post(VILLAGE, id, { type: 'RECORD_VERIFICATION', version: 1, data: verificationData() }), 404, 'NOT_FOUND');
      }
    });
  });

  // ------------------------------------------------------------------ 403 ROLE_REQUIRED

  describe('403 ROLE_REQUIRED', () => {
    it('SF-25: a township user cannot record the village appraisal (requiredRoles: village)', async () => {
      const { id } = await fresh('village_appraisal');
      const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      const before = await snapshot(id);
      const res = await send(env, TOWNSHIP, id, { type: 'RECORD_APPRAISAL', evidenceIds: ev, data: { result: 'passed' } });
      expect(expectError(res, 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(['village']);
      expect(await snapshot(id)).toEqual(before);
      // the same request by the village passes
      expect((await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_APPRAISAL', evidenceIds: ev, data: { result: 'passed' } }))).state).toBe('public_notice');
    });

    it('SF-25: a village (or county) user cannot approve at township_review (requiredRoles: township)', async () => {
      const { id } = await fresh('township_review');
      const before = await snapshot(id);
      for (const user of [VILLAGE, COUNTY]) {
        const res = await send(env, user, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } });
        expect(expectError(res, 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(['township']);
      }
      expect(await snapshot(id)).toEqual(before);
      expect((await expectOk(await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }))).state).toBe('county_approval');
    });

    for (const [user, label] of [
      [SUPERVISOR, 'supervisor s_jianan'],
      [ADMIN, 'admin'],
    ] as const) {
      it(`SF-25: the ${label} reads the case but can send no event and open no case`, async () => {
        const lead = (await fresh('lead')).id;
        const ev = await uploadAll(env, VILLAGE, lead, ['household_survey', 'income_calculation']);
        const review = await exclusionProposal();
        expect((await getCase(env, user, lead)).status).toBe(200);
        const leadBefore = await snapshot(lead);
        const reviewBefore = await snapshot(review);
        const attempts: Array<[string, Record<string, unknown>, string[]]> = [
          [lead, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData() }, ['village', 'township']],
          [lead, { type: 'WITHDRAW', reason: REAL_REASON }, ['village']],
          [review, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }, ['township']],
          [review, { type: 'CONFIRM_EXCLUSION', reason: REAL_REASON }, ['township']],
          [review, { type: 'RETURN', data: { toState: 'household_verification' }, reason: REAL_REASON }, ['township']],
          [review, { type: 'REJECT', reason: REAL_REASON }, ['township']],
        ];
        for (const [id, body, roles] of attempts) {
          const res = await send(env, user, id, body as any);
          expect(expectError(res, 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(roles);
        }
        const created = await createInclusion(user, { householdId: await registerHousehold(env), channel: 'self_report', riskDescription: '户主突发疾病住院，自付费用较高' });
        expect(expectError(created, 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(['village', 'department']);
        expect(await snapshot(lead)).toEqual(leadBefore);
        expect(await snapshot(review)).toEqual(reviewBefore);
        // the case view offers this caller nothing to do
        expect((await getCase(env, user, review)).body.availableActions).toEqual([]);
      });
    }

    it('CLOSE_NOTICE is system-only: every user role gets 403 (requiredRoles: system), even during the notice', async () => {
      const { id } = await withLongNotice(() => fresh('published'));
      const before = await snapshot(id);
      expect(before.state).toBe('public_notice');
      for (const user of [VILLAGE, TOWNSHIP, COUNTY, DEPARTMENT, SUPERVISOR, ADMIN]) {
        const res = await send(env, user, id, { type: 'CLOSE_NOTICE' });
        expect(expectError(res, 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(['system']);
      }
      expect(await snapshot(id)).toEqual(before);
      expect((await history(id)).map((h) => h.event)).not.toContain('CLOSE_NOTICE');
    });
  });

  // ------------------------------------------------------------------ 403 SEPARATION_OF_DUTIES

  describe('403 SEPARATION_OF_DUTIES', () => {
    it('SF-25: the township user who recorded the verification cannot approve at township_review; another township user can', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      // the township may join the household verification
      const verified = await expectOk(await send(env, TOWNSHIP, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData() }));
      expect(verified.state).toBe('village_appraisal');
      const appraisal = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_APPRAISAL', evidenceIds: appraisal, data: { result: 'passed' } }));
      const photo = await uploadAll(env, VILLAGE, id, ['notice_photo']);
      await expectOk(await send(env, VILLAGE, id, { type: 'PUBLISH_NOTICE', evidenceIds: photo, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示' } }));
      await waitForState(env, VILLAGE, id, 'township_review');

      const view = await expectOk(await getCase(env, TOWNSHIP, id));
      expect(view.availableActions.find((a: any) => a.event === 'APPROVE')).toMatchObject({ allowed: false, blockedBy: 'SEPARATION_OF_DUTIES' });
      const before = await snapshot(id);
      const res = await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } });
      expect(expectError(res, 403, 'SEPARATION_OF_DUTIES').details).toMatchObject({ performedStep: 'lead' });
      // nor may they close it the other way
      expectError(await send(env, TOWNSHIP, id, { type: 'REJECT', reason: REAL_REASON }), 403, 'SEPARATION_OF_DUTIES');
      expect(await snapshot(id)).toEqual(before);

      const approved = await expectOk(await send(env, TOWNSHIP2, id, { type: 'APPROVE', data: { opinion: '经复核情况属实，同意上报' } }));
      expect(approved.state).toBe('county_approval');
      expect((await history(id)).at(-1)).toMatchObject({ event: 'APPROVE', actor: { username: TOWNSHIP2, role: 'township' } });
    });

    it('SF-25: acting again at the same step is not a later step: a county user may RETURN and later APPROVE at county_approval', async () => {
      const { id } = await fresh('county_approval');
      const returned = await expectOk(
        await send(env, COUNTY, id, { type: 'RETURN', data: { toState: 'township_review', opinion: '请核实帮扶责任人' }, reason: '帮扶责任人尚未落实，请乡镇明确后重新上报' }),
      );
      expect(returned.state).toBe('township_review');
      // the township user who approved before acts again at the same step
      expect((await expectOk(await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '已明确帮扶责任人，同意上报' } }))).state).toBe('county_approval');
      const view = await expectOk(await getCase(env, COUNTY, id));
      expect(view.availableActions.find((a: any) => a.event === 'APPROVE')).toMatchObject({ blockedBy: null });
      const included = await expectOk(await send(env, COUNTY, id, { type: 'APPROVE', data: approvalData }));
      expect(included.state).toBe('included');
      const h = await history(id);
      expect(h.slice(-3).map((e) => [e.event, e.fromState, e.actor.username])).toEqual([
        ['RETURN', 'county_approval', COUNTY],
        ['APPROVE', 'township_review', TOWNSHIP],
        ['APPROVE', 'county_approval', COUNTY],
      ]);
    });
  });

  // ------------------------------------------------------------------ 409

  describe('409 INVALID_TRANSITION', () => {
    it('refuses APPROVE (and an unknown event) on a lead', async () => {
      const { id } = await fresh('lead');
      const before = await snapshot(id);
      for (const user of [TOWNSHIP, VILLAGE, COUNTY]) {
        const res = await send(env, user, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } });
        expect(expectError(res, 409, 'INVALID_TRANSITION').details).toMatchObject({ state: 'lead', event: 'APPROVE' });
      }
      expectError(await send(env, VILLAGE, id, { type: 'NO_SUCH_EVENT' }), 409, 'INVALID_TRANSITION');
      expect(await snapshot(id)).toEqual(before);
    });

    const everyEvent = (ev: { survey: string; income: string; objection: string }): Array<[string, Record<string, unknown>]> => [
      [VILLAGE, { type: 'RECORD_VERIFICATION', evidenceIds: [ev.survey, ev.income], data: verificationData() }],
      [VILLAGE, { type: 'WITHDRAW', reason: REAL_REASON }],
      [VILLAGE, { type: 'RECORD_APPRAISAL', data: { result: 'passed' } }],
      [VILLAGE, { type: 'PUBLISH_NOTICE', data: { text: '霍庄村拟纳入防止返贫监测对象名单公示' } }],
      [TOWNSHIP2, { type: 'RAISE_OBJECTION', evidenceIds: [ev.objection], reason: REAL_REASON }],
      [VILLAGE, { type: 'CLOSE_NOTICE' }],
      [TOWNSHIP2, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }],
      [TOWNSHIP2, { type: 'CONFIRM_EXCLUSION', reason: REAL_REASON }],
      [TOWNSHIP2, { type: 'RETURN', data: { toState: 'household_verification' }, reason: REAL_REASON }],
      [TOWNSHIP2, { type: 'REJECT', reason: REAL_REASON }],
      [COUNTY2, { type: 'APPROVE', data: approvalData }],
      [COUNTY2, { type: 'RETURN', data: { toState: 'township_review' }, reason: REAL_REASON }],
      [COUNTY2, { type: 'REJECT', reason: REAL_REASON }],
    ];

    async function expectClosed(id: string, finalState: string, ev: { survey: string; income: string; objection: string }) {
      const before = await snapshot(id);
      expect(before.state).toBe(finalState);
      for (const [user, body] of everyEvent(ev)) {
        const res = await send(env, user, id, body as any);
        expect([body.type, res.status, res.body.code]).toEqual([body.type, 409, 'INVALID_TRANSITION']);
        expectError(res, 409, 'INVALID_TRANSITION');
      }
      expect(await snapshot(id)).toEqual(before);
      expect((await getCase(env, VILLAGE, id)).body.availableActions).toEqual([]);
    }

    it('refuses every event on an included case', async () => {
      const { id } = await fresh('county_approval');
      // uploaded while the case was open, so only the state can refuse them afterwards
      const [survey, income, objection] = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation', 'objection_record']);
      await expectOk(await send(env, COUNTY, id, { type: 'APPROVE', data: approvalData }));
      await expectClosed(id, 'included', { survey, income, objection });
    });

    it('bypass: the village cannot withdraw a verified case — after an objection or a township return — it ends through the township (SF-02, issue 12)', async () => {
      // an exclusion proposal returned by the township to verification
      const id = await exclusionProposal();
      await expectOk(await send(env, TOWNSHIP, id, { type: 'RETURN', data: { toState: 'household_verification' }, reason: '请补充收入核算材料后重新核实' }));
      const refused = await send(env, VILLAGE, id, { type: 'WITHDRAW', reason: '农户本人书面申请撤回，家庭困难已解决' });
      expect(refused.status).toBe(422);
      expect(refused.body.details.rule).toBe('no_verification_recorded');
      // the case view offers no WITHDRAW that the engine would then refuse
      const view = await expectOk(await getCase(env, VILLAGE, id));
      expect(view.availableActions.find((a: any) => a.event === 'WITHDRAW')).toMatchObject({ allowed: false, blockedBy: 'RULE_VIOLATED', rules: ['no_verification_recorded'] });
    });

    it('refuses every event on a not_included case (and on a withdrawn one)', async () => {
      const id = await exclusionProposal();
      const [survey, income, objection] = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation', 'objection_record']);
      await expectOk(await send(env, TOWNSHIP, id, { type: 'CONFIRM_EXCLUSION', reason: '乡镇复核确认：家庭收入高于监测标准，不予纳入' }));
      await expectClosed(id, 'not_included', { survey, income, objection });

      const w = (await fresh('lead')).id;
      const [s2, i2, o2] = await uploadAll(env, VILLAGE, w, ['household_survey', 'income_calculation', 'objection_record']);
      await expectOk(await send(env, VILLAGE, w, { type: 'WITHDRAW', reason: '农户本人书面申请撤回，家庭困难已由亲属帮助解决' }));
      await expectClosed(w, 'withdrawn', { survey: s2, income: i2, objection: o2 });
    });
  });

  describe('409 VERSION_CONFLICT', () => {
    it('refuses a stale version (version-1) and a future one; the state and the history stay as they were', async () => {
      const { id } = await fresh('village_appraisal');
      const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      const before = await snapshot(id);
      expect(before).toMatchObject({ state: 'village_appraisal', version: 2, entries: 2 });
      const body = { type: 'RECORD_APPRAISAL', evidenceIds: ev, data: { result: 'passed' } };
      const stale = await send(env, VILLAGE, id, { ...body, version: before.version - 1 });
      expect(expectError(stale, 409, 'VERSION_CONFLICT').details).toMatchObject({ expectedVersion: 2, givenVersion: 1 });
      expect(await snapshot(id)).toEqual(before);
      expectError(await send(env, VILLAGE, id, { ...body, version: before.version + 1 }), 409, 'VERSION_CONFLICT');
      expect(await snapshot(id)).toEqual(before);
      // with the current version the same request passes, once
      const ok = await expectOk(await send(env, VILLAGE, id, { ...body, version: before.version }));
      expect(ok).toMatchObject({ state: 'public_notice', version: 3 });
      expect((await history(id)).map((h) => h.event)).toEqual(['CREATE', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL']);
    });

    it('two users racing on the same version: one transition, the other gets 409 VERSION_CONFLICT', async () => {
      const { id } = await fresh('township_review');
      const [a, b] = await Promise.all([
        send(env, TOWNSHIP, id, { type: 'APPROVE', version: 5, data: { opinion: '经审核情况属实，同意上报' } }),
        send(env, TOWNSHIP2, id, { type: 'REJECT', version: 5, reason: REAL_REASON }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expectError(loser, 409, 'VERSION_CONFLICT');
      const h = await history(id);
      expect(h.filter((e) => e.fromState === 'township_review')).toHaveLength(1);
      expect((await snapshot(id)).version).toBe(6);
    });
  });

  // ------------------------------------------------------------------ idempotency

  describe('Idempotency-Key', () => {
    it('the same key and body twice: both 200 with identical bodies, one transition', async () => {
      const { id } = await fresh('village_appraisal');
      const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      const key = randomUUID();
      const body = { type: 'RECORD_APPRAISAL', version: 2, evidenceIds: ev, data: { result: 'passed', opinion: '参会代表一致同意' } };
      const first = await send(env, VILLAGE, id, body, key);
      const second = await send(env, VILLAGE, id, body, key);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body).toEqual(first.body);
      expect(first.body).toMatchObject({ state: 'public_notice', version: 3 });
      const h = await history(id);
      expect(h.map((e) => e.event)).toEqual(['CREATE', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL']);
      expect((await snapshot(id)).version).toBe(3);
    });

    it('the same key with a different body: 409 IDEMPOTENCY_KEY_REUSED, nothing happens', async () => {
      const { id } = await fresh('village_appraisal');
      const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      const key = randomUUID();
      await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_APPRAISAL', version: 2, evidenceIds: ev, data: { result: 'passed' } }, key));
      const before = await snapshot(id);
      const other = await send(env, VILLAGE, id, { type: 'RECORD_APPRAISAL', version: 2, evidenceIds: ev, data: { result: 'passed', opinion: '另一个意见' } }, key);
      expectError(other, 409, 'IDEMPOTENCY_KEY_REUSED');
      // a different event under the same key, on the case's current version
      const photo = await uploadAll(env, VILLAGE, id, ['notice_photo']);
      const publish = await send(env, VILLAGE, id, { type: 'PUBLISH_NOTICE', version: 3, evidenceIds: photo, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示' } }, key);
      expectError(publish, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(await snapshot(id)).toEqual(before);
      // the same event with a new key passes
      expect((await expectOk(await send(env, VILLAGE, id, { type: 'PUBLISH_NOTICE', version: 3, evidenceIds: photo, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示' } }))).version).toBe(4);
    });

    it('a missing or malformed Idempotency-Key is 400 VALIDATION_FAILED naming the header', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      const body = { type: 'RECORD_VERIFICATION', version: 1, evidenceIds: ev, data: verificationData() };
      for (const key of [null, '', 'abc', 'x'.repeat(101), 'has spaces in it']) {
        const res = await post(VILLAGE, id, body, key);
        expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details.fields)).toContain('Idempotency-Key');
      }
      expect(await snapshot(id)).toEqual(before);
      expect((await expectOk(await post(VILLAGE, id, body))).state).toBe('village_appraisal');
    });

    it('two concurrent identical requests with the same key make exactly one transition and get the same answer', async () => {
      const { id } = await fresh('village_appraisal');
      const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
      const key = randomUUID();
      const body = { type: 'RECORD_APPRAISAL', version: 2, evidenceIds: ev, data: { result: 'passed' } };
      const [a, b] = await Promise.all([send(env, VILLAGE, id, body, key), send(env, VILLAGE, id, body, key)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body).toEqual(a.body);
      expect(a.body).toMatchObject({ state: 'public_notice', version: 3 });
      expect((await history(id)).map((e) => e.event)).toEqual(['CREATE', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL']);
    });
  });

  // ------------------------------------------------------------------ 400

  describe('400 VALIDATION_FAILED (never 5xx)', () => {
    it('malformed JSON body', async () => {
      const { id } = await fresh('lead');
      const before = await snapshot(id);
      for (const raw of ['{"type":"RECORD_VERIFICATION","version":1,', '{type: RECORD_VERIFICATION}', '[1,2', '"unterminated']) {
        const res = await env
          .http()
          .post(`/cases/${id}/events`)
          .set('Authorization', await bearer(VILLAGE))
          .set('Idempotency-Key', randomUUID())
          .set('Content-Type', 'application/json')
          .send(raw);
        expectError(res, 400, 'VALIDATION_FAILED');
      }
      const create = await env
        .http()
        .post('/procedures/monitoring-inclusion/cases')
        .set('Authorization', await bearer(VILLAGE))
        .set('Content-Type', 'application/json')
        .send('{"householdId":');
      expectError(create, 400, 'VALIDATION_FAILED');
      expect(await snapshot(id)).toEqual(before);
    });

    it('an unknown top-level field in the event body is named in details.fields', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      const body = { type: 'RECORD_VERIFICATION', version: 1, evidenceIds: ev, data: verificationData() };
      const res = await post(VILLAGE, id, { ...body, actor: 'c_jianan' });
      expect(expectError(res, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty('actor');
      expect(await snapshot(id)).toEqual(before);
      expect((await expectOk(await post(VILLAGE, id, body))).state).toBe('village_appraisal');
    });

    it('SF-05: an unknown field in data (a typed-in per-capita income) is refused and named', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      const top = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: { ...verificationData(), perCapitaNetIncome: 9000 } });
      expect(expectError(top, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty(['data.perCapitaNetIncome']);
      const d = verificationData();
      const nested = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: { ...d, income: { ...d.income, bonus: 100 } } });
      expect(expectError(nested, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty(['data.income.bonus']);
      expect(await snapshot(id)).toEqual(before);
    });

    it('data.members = 0 is refused and named', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      for (const members of [0, -1, 2.5, '3']) {
        const res = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: { ...verificationData(), members } });
        expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details.fields)).toEqual(['data.members']);
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('a missing data.income is named as data.income', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      const { income: _income, ...data } = verificationData();
      const res = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data });
      const fields = expectError(res, 400, 'VALIDATION_FAILED').details.fields;
      expect(Object.keys(fields)).toEqual(['data.income']);
      expect(res.body.message).toContain('data.income');
      // no data at all names every required field
      const empty = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev });
      expect(Object.keys(expectError(empty, 400, 'VALIDATION_FAILED').details.fields)).toEqual(
        // SF-05: members is required with the contract's aggregated income shape only (the lines extension takes the registry's count)
        expect.arrayContaining(['data.conclusion', 'data.guarantees', 'data.income', 'data.rigidExpenditure']),
      );
      expect(await snapshot(id)).toEqual(before);
    });

    it('RETURN to a state outside the allowed list is refused, at township and at county', async () => {
      const { id } = await fresh('township_review');
      let before = await snapshot(id);
      for (const toState of ['lead', 'public_notice', 'included', 'withdrawn', 'township_review']) {
        const res = await send(env, TOWNSHIP, id, { type: 'RETURN', data: { toState }, reason: '公示材料不完整，请补充后重新上报' });
        expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details.fields)).toEqual(['data.toState']);
      }
      const noTarget = await send(env, TOWNSHIP, id, { type: 'RETURN', data: {}, reason: '公示材料不完整，请补充后重新上报' });
      expect(Object.keys(expectError(noTarget, 400, 'VALIDATION_FAILED').details.fields)).toEqual(['data.toState']);
      expect(await snapshot(id)).toEqual(before);

      await expectOk(await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
      before = await snapshot(id);
      for (const toState of ['village_appraisal', 'lead', 'county_approval']) {
        const res = await send(env, COUNTY, id, { type: 'RETURN', data: { toState }, reason: '帮扶措施不明确，请补充后重新上报' });
        expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details.fields)).toEqual(['data.toState']);
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('the creation payload: a bad channel, a missing or malformed householdId, an unknown field', async () => {
      const householdId = await registerHousehold(env);
      const good = { householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...good, channel: 'phone_call' }, 'channel'],
        [{ ...good, channel: undefined }, 'channel'],
        [{ ...good, householdId: undefined }, 'householdId'],
        [{ ...good, householdId: 'not-a-uuid' }, 'householdId'],
        [{ ...good, urgent: 'yes' }, 'urgent'],
        [{ ...good, state: 'included' }, 'state'],
      ];
      for (const [body, field] of cases) {
        const res = await createInclusion(VILLAGE, body);
        expect(expectError(res, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty([field]);
      }
      // a department may only push department alerts
      const dept = await createInclusion(DEPARTMENT, { ...good, channel: 'self_report' });
      expect(expectError(dept, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty(['channel']);
      // nothing was opened: the household can still get its one case
      expect((await expectOk(await createInclusion(VILLAGE, good), 201)).version).toBe(1);
    });

    it('version as a string (or missing, zero, fractional) is refused and named', async () => {
      const { id } = await fresh('lead');
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      const before = await snapshot(id);
      const body = { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData() };
      for (const version of ['1', undefined, 0, 1.5, null]) {
        const res = await post(VILLAGE, id, { ...body, version });
        expect(expectError(res, 400, 'VALIDATION_FAILED').details.fields).toHaveProperty(['version']);
      }
      expect(await snapshot(id)).toEqual(before);
      expect((await expectOk(await post(VILLAGE, id, { ...body, version: 1 }))).version).toBe(2);
    });
  });

  // ------------------------------------------------------------------ 422 evidence

  describe('422 EVIDENCE_MISSING / EVIDENCE_INVALID', () => {
    it('RECORD_VERIFICATION without the household survey names household_survey', async () => {
      const { id } = await fresh('lead');
      const income = await uploadAll(env, VILLAGE, id, ['income_calculation']);
      const before = await snapshot(id);
      const res = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: income, data: verificationData() });
      const details = expectError(res, 422, 'EVIDENCE_MISSING').details;
      expect(details.missingEvidence).toEqual(['household_survey']);
      expect(details.missingAllOf).toEqual(['household_survey']);
      expect(details.missingOneOf).toEqual([]);
      expect(res.body.message).toContain('入户核查表');
      // no evidence at all: both the survey and the alternative
      const none = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', data: verificationData() });
      expect(expectError(none, 422, 'EVIDENCE_MISSING').details.missingEvidence).toEqual(
        expect.arrayContaining(['household_survey', 'income_calculation', 'commitment_letter']),
      );
      expect(await snapshot(id)).toEqual(before);
    });

    it('RECORD_VERIFICATION without both income_calculation and commitment_letter names the one-of set', async () => {
      const { id } = await fresh('lead');
      const [survey, minutes] = await uploadAll(env, VILLAGE, id, ['household_survey', 'meeting_minutes']);
      const before = await snapshot(id);
      const res = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: [survey, minutes], data: verificationData() });
      const details = expectError(res, 422, 'EVIDENCE_MISSING').details;
      expect(details.missingOneOf).toEqual([['income_calculation', 'commitment_letter']]);
      expect(details.missingAllOf).toEqual([]);
      expect(await snapshot(id)).toEqual(before);
      // a commitment letter in place of the income calculation is enough
      const letter = await upload(env, VILLAGE, 'commitment_letter', { caseId: id });
      expect((await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: [survey, letter.id], data: verificationData() }))).state).toBe('village_appraisal');
    });

    it('SF-24: evidence attached to another case (or a loose upload of another user) is EVIDENCE_INVALID and is not moved', async () => {
      const a = (await fresh('lead')).id;
      const b = (await fresh('lead')).id;
      const [survey, income] = await uploadAll(env, VILLAGE, b, ['household_survey', 'income_calculation']);
      const before = await snapshot(a);
      const res = await send(env, VILLAGE, a, { type: 'RECORD_VERIFICATION', evidenceIds: [survey, income], data: verificationData() });
      expect(expectError(res, 422, 'EVIDENCE_INVALID').details.invalidEvidenceIds).toEqual([survey, income]);
      expect(await snapshot(a)).toEqual(before);
      const still = await expectOk(await env.http().get(`/evidence/${survey}`).set('Authorization', await bearer(VILLAGE)));
      expect(still.caseId).toBe(b);

      const loose = await upload(env, TOWNSHIP, 'household_survey');
      const [ownIncome] = await uploadAll(env, VILLAGE, a, ['income_calculation']);
      const notMine = await send(env, VILLAGE, a, { type: 'RECORD_VERIFICATION', evidenceIds: [loose.id, ownIncome], data: verificationData() });
      expect(expectError(notMine, 422, 'EVIDENCE_INVALID').details.invalidEvidenceIds).toEqual([loose.id]);
      const unknown = await send(env, VILLAGE, a, { type: 'RECORD_VERIFICATION', evidenceIds: [randomUUID(), ownIncome], data: verificationData() });
      expectError(unknown, 422, 'EVIDENCE_INVALID');
      expect(await snapshot(a)).toEqual(before);
      // case b can still use its own evidence
      expect((await expectOk(await send(env, VILLAGE, b, { type: 'RECORD_VERIFICATION', evidenceIds: [survey, income], data: verificationData() }))).state).toBe('village_appraisal');
    });
  });

  // ------------------------------------------------------------------ 422 reason

  describe('422 REASON_REQUIRED', () => {
    it.each([
      ['no reason', undefined],
      ['同意', '同意'],
      ['test', 'test'],
      ['。。。。。。', '。。。。。。'],
    ])('SF-02: REJECT at township_review with %s is refused', async (_label, reason) => {
      const { id } = await fresh('township_review');
      const before = await snapshot(id);
      const res = await send(env, TOWNSHIP, id, { type: 'REJECT', ...(reason === undefined ? {} : { reason }) });
      expect(expectError(res, 422, 'REASON_REQUIRED').details.fields).toHaveProperty(['reason']);
      expect(await snapshot(id)).toEqual(before);
      // a real reason passes, and stays visible
      const rejected = await expectOk(await send(env, TOWNSHIP, id, { type: 'REJECT', reason: REAL_REASON }));
      expect(rejected).toMatchObject({ state: 'not_included', data: { outcomeReason: REAL_REASON } });
      expect((await history(id)).at(-1)).toMatchObject({ event: 'REJECT', reason: REAL_REASON });
    });
  });

  // ------------------------------------------------------------------ 422 rules

  describe('422 RULE_VIOLATED', () => {
    it('SF-03: county approval without an assistance contact is refused (assistance_contact_assigned)', async () => {
      const { id } = await fresh('county_approval');
      const before = await snapshot(id);
      const { assistanceContact: _c, ...noContact } = approvalData;
      const res = await send(env, COUNTY, id, { type: 'APPROVE', data: noContact });
      const details = expectError(res, 422, 'RULE_VIOLATED').details;
      expect(details.rule).toBe('assistance_contact_assigned');
      expect(res.body.message).toContain('帮扶责任人');
      for (const assistanceContact of [{}, { name: '  ', unit: '建安区乡村振兴局', phone: '13903740000' }, { name: '孙立新', unit: '建安区乡村振兴局' }]) {
        const partial = await send(env, COUNTY, id, { type: 'APPROVE', data: { ...noContact, assistanceContact } });
        expect(expectError(partial, 422, 'RULE_VIOLATED').details.rule).toBe('assistance_contact_assigned');
      }
      expect(await snapshot(id)).toEqual(before);
      const included = await expectOk(await send(env, COUNTY, id, { type: 'APPROVE', data: approvalData }));
      expect(included.state).toBe('included');
    });

    it('SF-01/SF-06: a department_alert lead cannot be withdrawn before a household verification (lead_verified_before_closing)', async () => {
      const householdId = await registerHousehold(env);
      const created = await expectOk(
        await createInclusion(DEPARTMENT, { householdId, channel: 'department_alert', riskDescription: '民政整户低保名单比对：该户为整户低保，尚未纳入监测', urgent: false }),
        201,
      );
      const id: string = created.id;
      expect(created).toMatchObject({ state: 'lead', data: { channel: 'department_alert' } });
      // SF-06: the alert is on the village's to-do list
      const tasks = await expectOk(await env.http().get('/tasks?pageSize=200').set('Authorization', await bearer(VILLAGE)));
      expect(tasks.items.map((t: any) => t.id)).toContain(id);

      const before = await snapshot(id);
      const res = await send(env, VILLAGE, id, { type: 'WITHDRAW', reason: '经电话联系，该户表示暂不需要申请纳入监测' });
      expect(expectError(res, 422, 'RULE_VIOLATED').details.rule).toBe('lead_verified_before_closing');
      expect(await snapshot(id)).toEqual(before);

      // a cadre-visit lead is held to the same rule
      const cadre = (await fresh('lead', { channel: 'cadre_visit' })).id;
      const cadreRes = await send(env, VILLAGE, cadre, { type: 'WITHDRAW', reason: '经电话联系，该户表示暂不需要申请纳入监测' });
      expect(expectError(cadreRes, 422, 'RULE_VIOLATED').details.rule).toBe('lead_verified_before_closing');

      // after a verification (exclusion proposed, returned by the township) the village still may
      // not close it (SF-02, issue 12): it ends through the township's confirmation
      const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData('exclude'), reason: REAL_REASON }));
      await expectOk(await send(env, TOWNSHIP, id, { type: 'RETURN', data: { toState: 'household_verification' }, reason: '核实记录缺少赡养费收入，请重新核实' }));
      const refused = await send(env, VILLAGE, id, { type: 'WITHDRAW', reason: '重新核实后农户书面申请撤回，家庭困难已由亲属帮助解决' });
      expect(expectError(refused, 422, 'RULE_VIOLATED').details.rule).toBe('no_verification_recorded');
      const again = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
      await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: again, data: verificationData('exclude'), reason: REAL_REASON }));
      const closed = await expectOk(await send(env, TOWNSHIP2, id, { type: 'CONFIRM_EXCLUSION', reason: '乡镇复核确认：家庭收入高于监测标准，不予纳入' }));
      expect(closed.state).toBe('not_included');
    });

    it('SF-01: a self_report lead can be withdrawn with a real reason, not with a placeholder', async () => {
      const { id } = await fresh('lead');
      const before = await snapshot(id);
      expectError(await send(env, VILLAGE, id, { type: 'WITHDRAW', reason: '撤回' }), 422, 'REASON_REQUIRED');
      expectError(await send(env, VILLAGE, id, { type: 'WITHDRAW' }), 422, 'REASON_REQUIRED');
      expect(await snapshot(id)).toEqual(before);
      const reason = '农户本人书面申请撤回，家庭困难已由亲属帮助解决';
      const withdrawn = await expectOk(await send(env, VILLAGE, id, { type: 'WITHDRAW', reason }));
      expect(withdrawn).toMatchObject({ state: 'withdrawn', data: { outcomeReason: reason } });
      expect(withdrawn.closedAt).not.toBeNull();
      expect((await history(id)).at(-1)).toMatchObject({ event: 'WITHDRAW', fromState: 'lead', toState: 'withdrawn', reason });
    });

    it('CLOSE_NOTICE is never user-sendable: not before publication, not during the notice', async () => {
      const unpublished = (await fresh('public_notice')).id;
      for (const user of [VILLAGE, TOWNSHIP, COUNTY]) {
        expect(expectError(await send(env, user, unpublished, { type: 'CLOSE_NOTICE' }), 403, 'ROLE_REQUIRED').details.requiredRoles).toEqual(['system']);
      }
      expect((await snapshot(unpublished)).state).toBe('public_notice');
      const running = (await withLongNotice(() => fresh('published'))).id;
      const res = await send(env, VILLAGE, running, { type: 'CLOSE_NOTICE', data: { opinion: '提前结束公示' } });
      expectError(res, 403, 'ROLE_REQUIRED');
      const view = await expectOk(await getCase(env, VILLAGE, running));
      expect(view.state).toBe('public_notice');
      expect(view.availableActions.map((a: any) => a.event)).not.toContain('CLOSE_NOTICE');
    });

    it('RAISE_OBJECTION during the notice returns the case to household_verification, and is refused once the state has changed', async () => {
      const { id } = await withLongNotice(() => fresh('published'));
      const open = await expectOk(await getCase(env, TOWNSHIP, id));
      expect(open.state).toBe('public_notice');
      expect(new Date(open.notice.endsAt).getTime() - Date.now()).toBeGreaterThan(4 * 86400_000);
      const before = await snapshot(id);
      const record = await upload(env, TOWNSHIP, 'objection_record', { caseId: id });
      const reason = '村民反映该户子女在外务工收入较高，需重新入户核实';
      expect(expectError(await send(env, TOWNSHIP, id, { type: 'RAISE_OBJECTION', reason }), 422, 'EVIDENCE_MISSING').details.missingEvidence).toEqual(['objection_record']);
      expectError(await send(env, TOWNSHIP, id, { type: 'RAISE_OBJECTION', evidenceIds: [record.id] }), 422, 'REASON_REQUIRED');
      expect(await snapshot(id)).toEqual(before);

      const objected = await expectOk(await send(env, TOWNSHIP, id, { type: 'RAISE_OBJECTION', evidenceIds: [record.id], reason }));
      expect(objected.state).toBe('household_verification');
      expect((await history(id)).at(-1)).toMatchObject({
        event: 'RAISE_OBJECTION',
        fromState: 'public_notice',
        toState: 'household_verification',
        reason,
        evidence: [{ id: record.id, type: 'objection_record', sha256: record.sha256 }],
      });

      const second = await upload(env, VILLAGE, 'objection_record', { caseId: id });
      const again = await send(env, VILLAGE, id, { type: 'RAISE_OBJECTION', evidenceIds: [second.id], reason });
      expect(expectError(again, 409, 'INVALID_TRANSITION').details).toMatchObject({ state: 'household_verification', event: 'RAISE_OBJECTION' });

      // once the notice is over and the case is at township_review, objections are refused too
      const late = (await fresh('township_review')).id;
      const lateRecord = await upload(env, VILLAGE, 'objection_record', { caseId: late });
      const lateRes = await send(env, VILLAGE, late, { type: 'RAISE_OBJECTION', evidenceIds: [lateRecord.id], reason });
      expectError(lateRes, 409, 'INVALID_TRANSITION');
      expect((await snapshot(late)).state).toBe('township_review');
    });

    it('SF-22: an objection ends the notice: the case leaves the public board of current notices', async () => {
      const { id } = await withLongNotice(() => fresh('published'));
      const board = async () => (await expectOk(await env.http().get('/public/notices?areaCode=411003100201'))).map((n: any) => n.caseId);
      expect(await board()).toContain(id); // control: the running notice is on the public board
      const record = await upload(env, TOWNSHIP, 'objection_record', { caseId: id });
      const objected = await expectOk(
        await send(env, TOWNSHIP, id, { type: 'RAISE_OBJECTION', evidenceIds: [record.id], reason: '村民反映该户子女在外务工收入较高，需重新入户核实' }),
      );
      expect(objected.state).toBe('household_verification');
      expect(await board()).not.toContain(id);
    });

    it('RAISE_OBJECTION before the notice is published is refused (notice_open)', async () => {
      const { id } = await fresh('public_notice');
      const record = await upload(env, VILLAGE, 'objection_record', { caseId: id });
      const before = await snapshot(id);
      const res = await send(env, VILLAGE, id, { type: 'RAISE_OBJECTION', evidenceIds: [record.id], reason: '村民反映该户子女在外务工收入较高' });
      expect(expectError(res, 422, 'RULE_VIOLATED').details.rule).toBe('notice_open');
      expect(await snapshot(id)).toEqual(before);
    });
  });

  // ------------------------------------------------------------------ evidence is never replaced

  describe('SF-24: evidence is never replaced', () => {
    it('the same file uploaded twice gives two evidence ids with the same sha256, and the history keeps the sha256 used', async () => {
      const { id } = await fresh('lead');
      const file = pdf(randomUUID()); // one buffer, uploaded twice
      const sha256 = createHash('sha256').update(file).digest('hex');
      const first = await upload(env, VILLAGE, 'household_survey', { caseId: id, file, name: 'survey.pdf' });
      const second = await upload(env, VILLAGE, 'household_survey', { caseId: id, file, name: 'survey.pdf' });
      expect(second.id).not.toBe(first.id);
      expect([first.sha256, second.sha256]).toEqual([sha256, sha256]);
      for (const e of [first, second]) {
        const view = await expectOk(await env.http().get(`/evidence/${e.id}`).set('Authorization', await bearer(VILLAGE)));
        expect(view).toMatchObject({ id: e.id, sha256, size: file.length, caseId: id, type: 'household_survey' });
      }
      // no way to overwrite or delete a stored file
      for (const method of ['put', 'patch', 'delete'] as const) {
        const res = await env.http()[method](`/evidence/${first.id}`).set('Authorization', await bearer(VILLAGE)).send({ sha256: '0'.repeat(64) });
        expect(res.status).toBe(404);
      }
      const income = await upload(env, VILLAGE, 'income_calculation', { caseId: id });
      await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: [first.id, income.id], data: verificationData() }));
      const h = await history(id);
      expect(h[1].evidence).toEqual([
        { id: first.id, type: 'household_survey', sha256 },
        { id: income.id, type: 'income_calculation', sha256: income.sha256 },
      ]);
      const content = await env
        .http()
        .get(`/evidence/${first.id}/content`)
        .set('Authorization', await bearer(VILLAGE))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(content.status).toBe(200);
      expect(createHash('sha256').update(content.body as Buffer).digest('hex')).toBe(sha256);
      expect(await expectOk(await env.http().get(`/cases/${id}/verify`).set('Authorization', await bearer(SUPERVISOR)))).toMatchObject({ valid: true, entries: 2, files: { problems: [] } });
    });
  });
});
