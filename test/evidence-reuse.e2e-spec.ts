/**
 * Issue 12 (item 2): a file serves one step. Within one event every file is a different
 * content; a file or a content that served a step cannot serve another (another case's
 * appraisal, a later step of the same case), and the case view offers only what the engine
 * will accept. The batch, attendance and department cases are in the specs of their procedures
 * (risk-elimination, welfare-posts, project-intake).
 */
import { startApp, type TestEnv, target } from './support/harness';
import { expectOk, getCase, inclusionCase, pdf, send, upload, VILLAGE } from './support/flows';
import { newHousehold } from './support/households';

describe(`evidence serves one step (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  const content = async (id: string) =>
    (await env.http().get(`/evidence/${id}/content`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`).buffer(true)).body as Buffer;
  const appraisal = (caseId: string, evidenceIds: string[]) => send(env, VILLAGE, caseId, { type: 'RECORD_APPRAISAL', evidenceIds, data: { result: 'passed' } });

  it('bypass: one file uploaded as both the minutes and the sign-in sheet is refused (SF-07, issue 12)', async () => {
    const { id } = await inclusionCase(env, 'village_appraisal', { householdId: await newHousehold(env) });
    const bytes = pdf();
    const minutes = await upload(env, VILLAGE, 'meeting_minutes', { caseId: id, file: bytes });
    const sheet = await upload(env, VILLAGE, 'sign_in_sheet', { caseId: id, file: bytes });
    const res = await appraisal(id, [minutes.id, sheet.id]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'EVIDENCE_REUSED', details: { rule: 'evidence_distinct_in_step' } });
    expect([...res.body.details.reusedEvidenceIds].sort()).toEqual([minutes.id, sheet.id].sort());
    expect(res.body.message).toMatch(/不同的文件/);
    const view = await expectOk(await getCase(env, VILLAGE, id));
    expect(view).toMatchObject({ state: 'village_appraisal', version: 2 });
    // a sign-in sheet of its own passes, with the same minutes
    const own = await upload(env, VILLAGE, 'sign_in_sheet', { caseId: id });
    expect((await expectOk(await appraisal(id, [minutes.id, own.id]))).state).toBe('public_notice');
  });

  it("bypass: another case's appraisal minutes, uploaded again, are refused and the view does not offer them (SF-07, issue 12)", async () => {
    const a = await inclusionCase(env, 'public_notice', { householdId: await newHousehold(env) });
    const usedMinutes = (await expectOk(await getCase(env, VILLAGE, a.id))).evidence.find((e: any) => e.type === 'meeting_minutes');
    expect(usedMinutes).toMatchObject({ usedInSeq: 3, usedFor: 'RECORD_APPRAISAL' });
    const b = await inclusionCase(env, 'village_appraisal', { householdId: await newHousehold(env) });
    const copy = await upload(env, VILLAGE, 'meeting_minutes', { caseId: b.id, file: await content(usedMinutes.id) });
    const sheet = await upload(env, VILLAGE, 'sign_in_sheet', { caseId: b.id });
    const view = await expectOk(await getCase(env, VILLAGE, b.id));
    expect(view.availableActions.find((x: any) => x.event === 'RECORD_APPRAISAL')).toMatchObject({
      allowed: false,
      blockedBy: 'EVIDENCE_MISSING',
      missing: { evidence: ['meeting_minutes'] },
    });
    const res = await appraisal(b.id, [copy.id, sheet.id]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'EVIDENCE_REUSED', details: { rule: 'evidence_single_use', reusedEvidenceIds: [copy.id], reusedTypes: ['meeting_minutes'] } });
    // B's own minutes: the view offers the step and the engine takes it
    const own = await upload(env, VILLAGE, 'meeting_minutes', { caseId: b.id });
    const ready = await expectOk(await getCase(env, VILLAGE, b.id));
    expect(ready.availableActions.find((x: any) => x.event === 'RECORD_APPRAISAL')).toMatchObject({ allowed: true, blockedBy: null });
    expect((await expectOk(await appraisal(b.id, [own.id, sheet.id]))).state).toBe('public_notice');
  });

  it('bypass: a file that served one step of a case cannot serve a later one (SF-24, issue 12)', async () => {
    const { id } = await inclusionCase(env, 'public_notice', { householdId: await newHousehold(env) });
    const survey = (await expectOk(await getCase(env, VILLAGE, id))).evidence.find((e: any) => e.type === 'household_survey');
    const photo = await upload(env, VILLAGE, 'notice_photo', { caseId: id });
    const res = await send(env, VILLAGE, id, {
      type: 'PUBLISH_NOTICE',
      evidenceIds: [photo.id, survey.id],
      data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：王建国户' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'EVIDENCE_REUSED', details: { rule: 'evidence_single_use', reusedEvidenceIds: [survey.id] } });
    // the same photo alone is fine: the refusal used nothing up
    expect((await expectOk(await send(env, VILLAGE, id, { type: 'PUBLISH_NOTICE', evidenceIds: [photo.id], data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：王建国户' } }))).state).toBe('public_notice');
  });
});
