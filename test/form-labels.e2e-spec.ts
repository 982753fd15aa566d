/**
 * Issue 20: `GET /procedures/{id}` carries what a console form needs — a short Chinese title on
 * every field, `oneOf` (const + title) on every enum, and the titles of the states, roles and
 * evidence types — so a console renders every event of every procedure without a word of its own.
 */
import { startApp, type TestEnv, target } from './support/harness';
import { expectOk, inclusionCase, send, uploadAll, VILLAGE, verificationData } from './support/flows';
import { definitionLabelProblems } from '../src/machines/form-labels';

const PROCEDURES = [
  'monitoring-inclusion',
  'risk-elimination',
  'welfare-post-setting',
  'welfare-post-hiring',
  'project-intake',
  'project-implementation',
  'project-payment',
  'rectification',
];

describe(`trust: the definitions carry what a form needs (issue 20, ${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());
  const get = async (path: string) => env.http().get(path).set('Authorization', `Bearer ${await env.token(VILLAGE)}`);
  const choiceOf = (schema: any, title: string) => {
    const found = schema.oneOf.find((o: any) => o.title === title);
    if (!found) throw new Error(`no choice titled ${title} in ${JSON.stringify(schema.oneOf)}`);
    return found.const;
  };

  it('trust: every procedure GET /procedures lists publishes a title on every field, a complete oneOf on every enum, and titled states, roles and evidence types', async () => {
    const list = await expectOk(await get('/procedures'));
    expect(list.map((p: any) => p.procedure)).toEqual(expect.arrayContaining(PROCEDURES));
    const problems: string[] = [];
    for (const { procedure } of list) {
      const def = await expectOk(await get(`/procedures/${procedure}`));
      expect(def.events.length).toBeGreaterThan(0);
      problems.push(...definitionLabelProblems(def));
    }
    // each line names the procedure, the event (and the state it leaves) and the field path
    expect(problems.join('\n')).toBe('');

    const inclusion = await expectOk(await get('/procedures/monitoring-inclusion'));
    const verify = inclusion.events.find((e: any) => e.type === 'RECORD_VERIFICATION' && e.from[0] === 'lead');
    const p = verify.fields.properties;
    expect(p.conclusion).toMatchObject({
      title: '核实结论',
      enum: ['include', 'exclude'],
      oneOf: [
        { const: 'include', title: '建议纳入' },
        { const: 'exclude', title: '建议不纳入' },
      ],
    });
    // the long text stays as help text
    expect(p.conclusion.description).toContain('核实结论');
    expect(p.riskTypes.items.oneOf).toContainEqual({ const: 'illness', title: '因病' });
    expect(p.income.properties.lines.items.properties.category.oneOf).toContainEqual({ const: 'transfer', title: '其他转移性收入' });
    expect(p.guarantees.properties.medical.title).toBe('基本医疗有保障');
    const ret = inclusion.events.find((e: any) => e.type === 'RETURN' && e.from[0] === 'county_approval');
    expect(ret.fields.properties.toState.oneOf).toEqual([
      { const: 'township_review', title: '乡镇审核' },
      { const: 'household_verification', title: '入户核实' },
    ]);
    expect(ret.fields.properties.toState).not.toHaveProperty('stateChoice');
    expect(inclusion.roles).toEqual(expect.arrayContaining([{ id: 'village', title: '村级经办', titleEn: 'Village' }, { id: 'system', title: '系统', titleEn: 'System' }]));
    expect(inclusion.evidenceTypes).toContainEqual({ id: 'commitment_letter', title: '承诺书', titleEn: 'Commitment letter' });
    expect(inclusion.evidenceTypes.map((t: any) => t.id)).not.toContain('invoice');
  });

  it('trust: a form filled from the published choices is accepted, and a value outside them is refused with the same message as before', async () => {
    const inclusion = await expectOk(await get('/procedures/monitoring-inclusion'));
    const fields = inclusion.events.find((e: any) => e.type === 'RECORD_VERIFICATION' && e.from[0] === 'lead').fields.properties;
    const { id } = await inclusionCase(env, 'lead');
    const evidenceIds = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);

    const refused = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds, data: { ...verificationData(), conclusion: '建议纳入' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: { 'data.conclusion': '取值应为：include, exclude' } } });
    expect(refused.body.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(Object.keys(refused.body.details.fields)).toEqual(['data.conclusion']);

    const data = {
      ...verificationData(),
      conclusion: choiceOf(fields.conclusion, '建议纳入'),
      riskTypes: [choiceOf(fields.riskTypes.items, '因病')],
      monitoringType: choiceOf(fields.monitoringType, '突发严重困难户'),
    };
    const done = await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds, data }));
    expect(done.state).toBe('village_appraisal');
  });

  it('trust: the definition is not published without a login, nor for an unknown procedure', async () => {
    const anonymous = await env.http().get('/procedures/monitoring-inclusion');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toMatch(/[\u4e00-\u9fa5]/);
    const unknown = await get('/procedures/no-such-procedure');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
  });
});
