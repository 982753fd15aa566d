/**
 * Issue 11 (first items): bodies built to hurt the service — nested thousands of levels deep,
 * or holding ~100,000 keys under the 1 MB limit — are refused with a 400 in the one error shape
 * before anything transforms them: no 500, no seconds of CPU, no login needed to try.
 */
import { startApp, target, type TestEnv } from './support/harness';

const CJK = /[\u4e00-\u9fff]/;

describe(`hostile JSON bodies (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp({ seedDemo: false });
  });
  afterAll(() => env?.close());

  const send = (path: string, raw: string) => env.http().post(path).set('Content-Type', 'application/json').send(raw);

  it('a body nested 2,000 levels deep is a 400 naming the body, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
    // refused before routing: the same for a public route and one that needs a token
    for (const path of ['/auth/login', '/procedures/monitoring-inclusion/cases']) {
      const res = await send(path, deep);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.message).toMatch(CJK);
      expect(res.body.details.fields.body).toMatch(CJK);
    }
    const arrays = await send('/auth/login', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(arrays.status).toBe(400);
  });

  it('a body of 95,000 keys is refused at once, and the service keeps answering meanwhile', async () => {
    const many = `{${Array.from({ length: 95_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(many.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const [res, health] = await Promise.all([send('/auth/login', many), env.http().get('/health')]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.fields.body).toMatch(CJK);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(health.status).toBe(200);
  });

  it('keys named like Object.prototype members are refused wherever they are, never silently dropped', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    for (const raw of [
      '{"effectiveFrom":"2026-01-01T00:00:00Z","values":{"__proto__":{"inclusion.noticePeriod":"PT1S"}}}',
      '{"effectiveFrom":"2026-01-01T00:00:00Z","values":{"constructor":"x"}}',
      '{"effectiveFrom":"2026-01-01T00:00:00Z","values":{"toString":"x"}}',
    ]) {
      const res = await env.http().put('/policies/000000000000').set('Authorization', admin).set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.details.fields)[0]).toMatch(/^values\.(__proto__|constructor|toString)$/);
    }
    const login = await send('/auth/login', '{"username":"admin","password":"x","constructor":{"prototype":{}}}');
    expect(login.status).toBe(400);
    expect(login.body.details.fields.constructor).toBe('不允许的字段');
  });

  it('an ordinary body still goes through to validation', async () => {
    const res = await env.http().post('/auth/login').send({ username: 'nobody', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(CJK);
  });
});

describe(`fields and accounts an attacker probes (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp({ seedDemo: false });
  });
  afterAll(() => env?.close());

  it('PATCH /admin/users with null for a field that cannot be empty is a 400 naming it, not a 500', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    const created = await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'null_probe', password: 'Probe@2026x', displayName: '空值探针', role: 'admin' });
    expect(created.status).toBe(201);
    for (const field of ['disabled', 'role', 'areaCode']) {
      const res = await env.http().patch(`/admin/users/${created.body.id}`).set('Authorization', admin).send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields[field]).toMatch(CJK);
    }
  });

  it('a new account needs a password that is long enough, not its username and not a common one', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    for (const password of ['short1!', 'pw_probe_2026', '12345678', 'P@ssw0rd', 'woaini1314']) {
      const res = await env.http().post('/admin/users').set('Authorization', admin).send({ username: 'pw_probe', password, displayName: '口令探针', role: 'admin' });
      expect({ password, status: res.status }).toEqual({ password, status: 400 });
      expect(res.body.details.fields.password).toMatch(CJK);
    }
  });

  it('a wrong password takes as long for an unknown username as for a real one (no probing by time)', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'timing_probe', password: 'Timing@2026x', displayName: '计时探针', role: 'admin' }).expect(201);
    // four tries each: the fifth failure in a row would lock the account
    const median = async (username: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        const res = await env.http().post('/auth/login').send({ username, password: 'not-the-password' });
        ms.push(performance.now() - started);
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('用户名或密码错误');
      }
      return (ms.sort((a, b) => a - b)[1] + ms[2]) / 2;
    };
    const known = await median('timing_probe');
    const unknown = await median('no_such_user_anywhere');
    // both run one scrypt verification; without the decoy the unknown name answered ~15× faster
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  it('five failures in a row lock the account with 429 and Retry-After, even for the right password; every attempt is recorded for admins', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'lock_probe', password: 'Locked@2026x', displayName: '锁定探针', role: 'admin' }).expect(201);
    for (let i = 0; i < 5; i++) {
      expect((await env.http().post('/auth/login').send({ username: 'lock_probe', password: `wrong-${i}` })).status).toBe(401);
    }
    const locked = await env.http().post('/auth/login').send({ username: 'lock_probe', password: 'Locked@2026x' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(locked.body.message).toMatch(CJK);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // another account is not affected
    expect((await env.http().post('/auth/login').send({ username: 'timing_probe', password: 'Timing@2026x' })).status).toBe(200);

    const events = await env.http().get('/admin/login-events?username=lock_probe').set('Authorization', admin);
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: any) => e.outcome)).toEqual(['throttled_account', ...Array(5).fill('bad_credentials')]);
    expect(events.body.items[0]).toMatchObject({ username: 'lock_probe', ip: expect.any(String) });
    const village = await env.http().get('/admin/login-events').set('Authorization', `Bearer ${await env.token('admin')}`);
    expect(village.body.total).toBeGreaterThan(6);
  });
});

describe(`an admin acts only inside its own area (${target})`, () => {
  let env: TestEnv;
  const JIANAN = '411003000000';
  const WEIDU = '411002000000';
  beforeAll(async () => {
    env = await startApp();
    const admin = `Bearer ${await env.token('admin')}`;
    // a neighbouring county, and an admin of 建安区 only
    await env.http().post('/admin/areas').set('Authorization', admin).send({ code: WEIDU, name: '魏都区', level: 'county' }).expect(201);
    await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'a_jianan', password: 'Jianan@2026x', displayName: '建安区管理员', role: 'admin', areaCode: JIANAN }).expect(201);
    await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'v_weidu', password: 'Weidu@2026xx', displayName: '魏都区村用户', role: 'county', areaCode: WEIDU }).expect(201);
  });
  afterAll(() => env?.close());

  it('bypass: a role is tied to its area level — no village user on a county code, no supervisor on a village (SF-25, issue 12)', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    const cases: Array<[string, string]> = [['village', JIANAN], ['township', '411003100201'], ['county', '411003100000'], ['department', '411003100201'], ['supervisor', '411003100201']];
    for (const [role, areaCode] of cases) {
      const res = await env.http().post('/admin/users').set('Authorization', admin)
        .send({ username: `lvl_${role}`, password: 'Level#2026xy', displayName: '层级探针', role, areaCode, ...(role === 'department' ? { sector: 'education' } : {}) });
      expect({ role, areaCode, status: res.status }).toEqual({ role, areaCode, status: 400 });
      expect(res.body.details.fields.areaCode).toMatch(CJK);
    }
    // moving a village user to the county code is refused too
    const ok = await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'lvl_ok', password: 'Level#2026xy', displayName: '层级探针', role: 'village', areaCode: '411003100201' });
    expect(ok.status).toBe(201);
    expect((await env.http().patch(`/admin/users/${ok.body.id}`).set('Authorization', admin).send({ areaCode: JIANAN })).status).toBe(400);
    expect((await env.http().patch(`/admin/users/${ok.body.id}`).set('Authorization', admin).send({ role: 'county' })).status).toBe(400);
    // a supervisor of the city is fine
    expect((await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'lvl_city', password: 'Level#2026xy', displayName: '市级督查', role: 'supervisor', areaCode: '411000000000' })).status).toBe(201);
  });

  it('cannot reach another county, create a global admin or change the national policy; can manage its own', async () => {
    const a = `Bearer ${await env.token('a_jianan', 'Jianan@2026x')}`;
    const other = (await env.http().post('/auth/login').send({ username: 'v_weidu', password: 'Weidu@2026xx' })).body.user.id as string;
    const refused = [
      await env.http().post('/admin/users').set('Authorization', a).send({ username: 'x_weidu', password: 'Weidu@2026xx', displayName: '越权', role: 'county', areaCode: WEIDU }),
      await env.http().patch(`/admin/users/${other}`).set('Authorization', a).send({ disabled: true }),
      await env.http().put(`/policies/${WEIDU}`).set('Authorization', a).send({ effectiveFrom: '2026-01-01T00:00:00Z', values: { 'inclusion.noticePeriod': 'P7D' } }),
      await env.http().post('/admin/areas').set('Authorization', a).send({ code: '411002001000', name: '越权乡', level: 'township' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    const wider = [
      await env.http().post('/admin/users').set('Authorization', a).send({ username: 'x_global', password: 'Global@2026x', displayName: '越权', role: 'admin' }),
      await env.http().put('/policies/000000000000').set('Authorization', a).send({ effectiveFrom: '2026-01-01T00:00:00Z', values: { 'inclusion.noticePeriod': 'P7D' } }),
    ];
    expect(wider.map((r) => r.status)).toEqual([403, 403]);
    for (const r of [...refused, ...wider]) expect(r.body.message).toMatch(CJK);
    // the county-B user is untouched
    expect((await env.http().post('/auth/login').send({ username: 'v_weidu', password: 'Weidu@2026xx' })).status).toBe(200);
    // its own area: allowed
    const mine = await env.http().post('/admin/users').set('Authorization', a)
      .send({ username: 'v_new_huozhuang', password: 'Huozhuang@2026', displayName: '霍庄村新用户', role: 'village', areaCode: '411003100201' });
    expect(mine.status).toBe(201);
    expect((await env.http().patch(`/admin/users/${mine.body.id}`).set('Authorization', a).send({ disabled: true })).status).toBe(200);
    expect((await env.http().patch(`/admin/users/${mine.body.id}`).set('Authorization', a).send({ areaCode: '411002000000' })).status).toBe(404);
    expect((await env.http().put(`/policies/${JIANAN}`).set('Authorization', a).send({ effectiveFrom: '2026-01-01T00:00:00Z', values: { 'inclusion.noticePeriod': 'P7D' } })).status).toBe(201);
  });
});

describe(`password guessing from one address (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp({ seedDemo: false });
  });
  afterAll(() => env?.close());

  it('twenty failures from one client address within 15 minutes block that address, whatever the usernames', async () => {
    const admin = await env.token('admin'); // signed in before the guessing starts
    for (let i = 0; i < 20; i++) {
      expect((await env.http().post('/auth/login').send({ username: `guess_${i}`, password: 'password123' })).status).toBe(401);
    }
    const blocked = await env.http().post('/auth/login').send({ username: 'admin', password: 'Admin@2026' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/地址/);
    expect(Number(blocked.headers['retry-after'])).toBe(900);
    const events = await env.http().get('/admin/login-events?outcome=throttled_address').set('Authorization', `Bearer ${admin}`);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({ username: 'admin', outcome: 'throttled_address' });
  });
});
