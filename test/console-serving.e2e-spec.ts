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
import { household } from './support/flows';

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
});
