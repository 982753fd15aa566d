/**
 * Issue 20: the console is served by the service, same origin, under /app/ with a strict CSP,
 * while every API path answers as before; opening a case takes an optional Idempotency-Key so the
 * console's offline queue can send a lead again without a second case.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startApp, target, type TestEnv } from './support/harness';
import { COUNTY, household, inclusionCase, registerHousehold, TOWNSHIP, VILLAGE } from './support/flows';

describe(`console: served by the service (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    // a stand-in build: the spec does not depend on `npm run build`
    const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="zh-CN"><body><div id="app"></div><script type="module" src="/app/assets/main.js"></script></body></html>');
    writeFileSync(join(dir, 'assets', 'main.js'), 'console.log("console")');
    env = await startApp({ env: { CONSOLE_DIR: dir } });
  });
  afterAll(() => env?.close());

  it('console: / sends a browser to /app/; every console page (a reload of any route) answers the page with a CSP whose script-src is the console\'s own files', async () => {
    const root = await env.http().get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/app/');
    for (const path of ['/app', '/app/', '/app/tasks', '/app/cases/7d0c6f0e-0000-4000-8000-000000000000', '/app/new-lead?x=1', '/app/notices']) {
      const res = await env.http().get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<div id="app">');
      const csp = res.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
    }
    const js = await env.http().get('/app/assets/main.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    // a missing file is a 404 in the service's one error shape, never the page
    const missing = await env.http().get('/app/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    // the console's files need no token; writing under /app/ is no console route
    expect((await env.http().post('/app/tasks').send({})).status).toBe(404);
  });

  it('console: the API paths answer exactly as before (GET /tasks is the API, JSON, with its guard)', async () => {
    const anonymous = await env.http().get('/tasks').set('Accept', 'text/html');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const tasks = await env.http().get('/tasks').set('Authorization', `Bearer ${await env.token('t_lingjing')}`).set('Accept', 'text/html');
    expect(tasks.status).toBe(200);
    expect(Array.isArray(tasks.body.items)).toBe(true);
    const api = await env.http().get('/health');
    expect(api.body.status).toBe('ok');
    // the API keeps its own CSP
    expect(api.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await env.http().get('/public/notices')).status).toBe(200);
  });

  it('console: opening a case with an Idempotency-Key opens it once; a replay answers the first case; the key with another body is refused', async () => {
    const token = await env.token('v_huozhuang');
    const householdId = await household(env, '赵桂英');
    const body = { householdId, channel: 'cadre_visit', riskDescription: '独居老人，房屋漏雨，需核查住房安全', urgent: false };
    const key = randomUUID();
    const post = (b: unknown, k?: string) => {
      const r = env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${token}`);
      if (k !== undefined) r.set('Idempotency-Key', k);
      return r.send(b as object);
    };
    const [a, b] = await Promise.all([post(body, key), post(body, key)]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const again = await post(body, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(a.body.id);
    const other = await post({ ...body, riskDescription: '另一条线索的描述文字' }, key);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const bad = await post(body, 'x');
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields['Idempotency-Key']).toMatch(/[\u4e00-\u9fff]/);
    // without a key, as before: the household already has an open case
    const plain = await post(body);
    expect(plain.status).toBe(422);
    expect(plain.body.details.rule).toBe('open_case_exists');
    const list = await env.http().get('/cases?procedure=monitoring-inclusion&pageSize=200').set('Authorization', `Bearer ${await env.token('c_jianan')}`);
    expect(list.body.items.filter((c: { subject: { id: string } }) => c.subject.id === householdId)).toHaveLength(1);
  });
  it('console: 待办 and 已办 filter on the server by state, area and overdue, like the case list (a filter covers every page, not the one loaded); an area outside the caller\'s is a 404', async () => {
    const get = async (user: string, path: string) => env.http().get(path).set('Authorization', `Bearer ${await env.token(user)}`);
    const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((c) => c.id);
    const lead = await inclusionCase(env, 'lead', { householdId: await registerHousehold(env, { householderName: '筛选甲' }) });
    const appraisal = await inclusionCase(env, 'village_appraisal', { householdId: await registerHousehold(env, { householderName: '筛选乙' }) });
    // one lead's deadline has passed (written behind the service: the filter reads the stored deadline)
    await env.ds.query(`UPDATE cases SET "deadlineAt" = $1 WHERE id = $2`.replace(/\$\d/g, target === 'postgres' ? (m) => m : () => '?'), [new Date(Date.now() - 86_400_000).toISOString(), lead.id]);

    const byState = await get(VILLAGE, '/tasks?procedure=monitoring-inclusion&state=lead&pageSize=200');
    expect(byState.status).toBe(200);
    expect(ids(byState)).toContain(lead.id);
    expect(ids(byState)).not.toContain(appraisal.id);
    expect(byState.body.items.every((c: { state: string }) => c.state === 'lead')).toBe(true);

    const overdue = await get(VILLAGE, '/tasks?overdue=true&pageSize=200');
    expect(ids(overdue)).toContain(lead.id);
    expect(ids(overdue)).not.toContain(appraisal.id);
    expect(overdue.body.total).toBe(overdue.body.items.length);
    const notOverdue = await get(VILLAGE, '/tasks?overdue=false&pageSize=200');
    expect(ids(notOverdue)).toContain(appraisal.id);
    expect(ids(notOverdue)).not.toContain(lead.id);

    // area: the county narrows its 已办/待办 to a village; another village's code is a 404 for a village user
    expect((await get(COUNTY, '/tasks?areaCode=411003100202&pageSize=200')).body.items.every((c: { areaCode: string }) => c.areaCode === '411003100202')).toBe(true);
    const foreign = await get(VILLAGE, '/tasks?areaCode=411003100202');
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('NOT_FOUND');
    expect((await get(VILLAGE, '/tasks?areaCode=4110')).status).toBe(400);
    expect((await get(VILLAGE, '/tasks?overdue=perhaps')).status).toBe(400);

    // 已办 takes the same filters: the village acted on the appraisal case (verification), not on the bare lead
    const done = await get(VILLAGE, '/tasks/done?state=village_appraisal&pageSize=200');
    expect(ids(done)).toContain(appraisal.id);
    expect(ids(done)).not.toContain(lead.id);
    expect((await get(TOWNSHIP, '/tasks/done?state=village_appraisal')).body.items).toEqual([]);
  });
  it('console: 退出登录 ends the account\'s tokens on the service — this device\'s and every other\'s — at once; a new login works; logging out needs a token; the account\'s ledger record is unchanged', async () => {
    const login = async () => (await env.http().post('/auth/login').send({ username: 't_lingjing', password: 'Demo@2026' })).body.accessToken as string;
    const phone = await login();
    const desk = await login();
    const me = (token: string) => env.http().get('/auth/me').set('Authorization', `Bearer ${token}`);
    expect((await me(phone)).status).toBe(200);
    expect((await env.http().post('/auth/logout')).status).toBe(401);
    const out = await env.http().post('/auth/logout').set('Authorization', `Bearer ${phone}`);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ loggedOut: true });
    for (const token of [phone, desk]) {
      const refused = await me(token);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED', message: '您已退出登录，请重新登录' });
    }
    expect((await env.http().get('/tasks').set('Authorization', `Bearer ${desk}`)).status).toBe(401);
    const again = await login();
    expect((await me(again)).status).toBe(200);
    // only the column of the logout changed: the users' record ledger still verifies
    const ledger = await env.http().get('/audit/ledger/verify?kind=users').set('Authorization', `Bearer ${await env.token('admin')}`);
    expect(ledger.status).toBe(200);
    expect(ledger.body.valid).toBe(true);
  });
});
