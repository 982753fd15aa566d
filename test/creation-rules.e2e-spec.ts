/**
 * Issue 12 (item 13): the rules for opening a case are declared in the procedure definition
 * beside the transition rules, published by `GET /procedures/{id}`, and judged by the engine
 * on its one creation path — the API, the alert import and a step that opens a case refuse
 * with the same rule and the definition's own message.
 */
import { startApp, type TestEnv, target } from './support/harness';
import { expectOk, inclusionCase, VILLAGE } from './support/flows';
import { newHousehold } from './support/households';
import { alertCsv, memberIds, uploadAlerts, waitForImport } from './support/imports';

const DECLARED: Record<string, string[]> = {
  'monitoring-inclusion': ['already_monitored', 'open_case_exists'],
  'risk-elimination': ['not_in_monitoring', 'min_monitoring_period', 'measure_recorded', 'open_case_exists'],
  'welfare-post-hiring': ['open_application_exists'],
  'project-intake': ['project_not_in_library', 'open_change_exists'],
};

describe(`creation rules live in the definition and the engine judges them (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());
  const get = async (path: string) => env.http().get(path).set('Authorization', `Bearer ${await env.token(VILLAGE)}`);

  it('bypass: GET /procedures/{id} lists the rules for opening a case, by name, with their messages (issue 12)', async () => {
    for (const [procedure, rules] of Object.entries(DECLARED)) {
      const def = await expectOk(await get(`/procedures/${procedure}`));
      expect(def.creationRules.map((r: any) => r.id)).toEqual(rules);
      for (const r of def.creationRules) expect(r).toEqual({ id: expect.any(String), message: expect.stringMatching(/[\u4e00-\u9fa5]/), messageEn: expect.any(String) });
    }
  });

  it('bypass: the API and the alert import refuse an inclusion lead by the same declared rule, with its message (SF-01, issue 12)', async () => {
    const def = await expectOk(await get('/procedures/monitoring-inclusion'));
    const message = (id: string) => def.creationRules.find((r: any) => r.id === id).message;
    const householdId = await newHousehold(env);
    const open = await inclusionCase(env, 'lead', { householdId });
    const again = await env
      .http()
      .post('/procedures/monitoring-inclusion/cases')
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .send({ householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元' });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'RULE_VIOLATED', message: message('open_case_exists'), details: { rule: 'open_case_exists', caseId: open.id } });
    // the import: no list of its own, the engine's refusal is the row's outcome
    const [idNumber] = await memberIds(env, householdId);
    const upload = await expectOk(await uploadAlerts(env, alertCsv([{ idNumber, areaCode: '411003100201' }])), 202);
    const done = await waitForImport(env, upload.id);
    expect(done.counts).toMatchObject({ opened: 0, openCase: 1 });
  });
});
