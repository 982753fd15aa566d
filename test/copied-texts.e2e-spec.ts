/**
 * Issue 12: `GET /inspection/copied-texts` — the same reason, opinion or justification pasted into
 * many cases of an area. Scoped to the caller's area like every /inspection endpoint; township,
 * county and supervisor users only.
 */
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk, HUOZHUANG, OTHER_TOWNSHIP, OTHER_VILLAGE, send, TOWNSHIP, VILLAGE } from './support/flows';
import { newHousehold } from './support/households';

const ZHANGZHUANG = '411003101201';
const PASTED = '经村两委核实，该户已举家迁往外省居住，不再符合本村监测条件';
/** the same words with other spaces and punctuation: still the same text */
const PASTED_AGAIN = '经村两委核实 该户已举家迁往外省居住。不再符合本村监测条件！';
const ONCE = '户主已在本镇企业稳定就业，家庭收入明显提高，风险已解除';

describe(`issue 12: the copied-texts detector (${target})`, () => {
  let env: TestEnv;
  const huozhuang: string[] = [];
  const zhangzhuang: string[] = [];

  /** A self-reported lead of the village, withdrawn with the given reason. */
  async function withdrawn(user: string, householdId: string, reason: string): Promise<string> {
    const created = await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(user)}`)
      .send({ householdId, channel: 'self_report', riskDescription: '家庭成员突发疾病住院，自付医疗费用较高' });
    const id = (await expectOk(created, 201)).id as string;
    expect((await expectOk(await send(env, user, id, { type: 'WITHDRAW', reason }))).state).toBe('withdrawn');
    return id;
  }

  async function get(user: string, query = '') {
    return env.http().get(`/inspection/copied-texts${query}`).set('Authorization', `Bearer ${await env.token(user)}`);
  }

  beforeAll(async () => {
    env = await startApp();
    const h1 = await newHousehold(env);
    const h2 = await newHousehold(env);
    const z1 = await newHousehold(env, { user: OTHER_VILLAGE, areaCode: ZHANGZHUANG });
    // 霍庄村: three cases with the pasted reason (one household twice), one with a text of its own
    huozhuang.push(await withdrawn(VILLAGE, h1, PASTED));
    huozhuang.push(await withdrawn(VILLAGE, h1, PASTED_AGAIN));
    huozhuang.push(await withdrawn(VILLAGE, h2, PASTED));
    await withdrawn(VILLAGE, h2, ONCE);
    // 张庄村 (another township): two more with the same text
    zhangzhuang.push(await withdrawn(OTHER_VILLAGE, z1, PASTED));
    zhangzhuang.push(await withdrawn(OTHER_VILLAGE, z1, PASTED));
  });
  afterAll(() => env?.close());

  it('the county sees the text in five cases of two villages, with every case, area and field', async () => {
    const body = await expectOk(await get('c_jianan'));
    expect(body).toMatchObject({ minCases: 3, minLength: 10 });
    const found = body.items.find((i: any) => i.text === PASTED);
    expect(found).toMatchObject({ cases: 5, areas: [HUOZHUANG, ZHANGZHUANG], fields: ['reason'] });
    expect([...found.caseIds].sort()).toEqual([...huozhuang, ...zhangzhuang].sort());
    expect(found.occurrences[0]).toMatchObject({ procedure: 'monitoring-inclusion', event: 'WITHDRAW', field: 'reason', actorUsername: 'v_huozhuang' });
    // a text written once is no pattern
    expect(body.items.some((i: any) => i.text === ONCE)).toBe(false);
  });

  it('a township sees only its own area: 霍庄村’s three cases for 灵井镇, nothing above the threshold for 椹涧乡', async () => {
    const lingjing = (await expectOk(await get(TOWNSHIP))).items.find((i: any) => i.text === PASTED);
    expect(lingjing).toMatchObject({ cases: 3, areas: [HUOZHUANG] });
    expect([...lingjing.caseIds].sort()).toEqual([...huozhuang].sort());
    const zhenjian = await expectOk(await get(OTHER_TOWNSHIP));
    expect(zhenjian.items).toEqual([]);
    // its own two cases, once it asks for two
    const two = await expectOk(await get(OTHER_TOWNSHIP, '?minCases=2'));
    expect(two.items).toHaveLength(1);
    expect(two.items[0]).toMatchObject({ cases: 2, areas: [ZHANGZHUANG] });
    expect(JSON.stringify(two)).not.toContain(huozhuang[0]);
    // another township's area is a 404, as everywhere
    expect((await get(TOWNSHIP, `?areaCode=${ZHANGZHUANG}`)).status).toBe(404);
  });

  it('the county narrows to a village; a supervisor of the county sees what the county sees', async () => {
    const village = await expectOk(await get('c_jianan', `?areaCode=${ZHANGZHUANG}&minCases=2`));
    expect(village.items.map((i: any) => i.cases)).toEqual([2]);
    const supervisor = await expectOk(await get('s_jianan'));
    expect(supervisor.items.find((i: any) => i.text === PASTED)?.cases).toBe(5);
  });

  it('parameters: minimum cases and length from the query (defaults are policies), bad values a 400 in Chinese', async () => {
    expect((await expectOk(await get('c_jianan', '?minCases=6'))).items.find((i: any) => i.text === PASTED)).toBeUndefined();
    expect((await expectOk(await get('c_jianan', '?minLength=40'))).items).toEqual([]);
    expect((await expectOk(await get('c_jianan', `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`))).items).toEqual([]);
    for (const q of ['?minCases=1', '?minCases=abc', '?minLength=0', '?since=yesterday', '?areaCode=123']) {
      const res = await get('c_jianan', q);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.details)).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('wrong role: village, department and admin users are refused (403 ROLE_REQUIRED)', async () => {
    for (const user of [VILLAGE, 'd_civil', 'admin']) {
      const res = await get(user);
      expect({ user, status: res.status, code: res.body.code }).toEqual({ user, status: 403, code: 'ROLE_REQUIRED' });
    }
  });
});
