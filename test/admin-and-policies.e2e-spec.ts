/**
 * Authentication, health and API docs, administration of areas and users, and the versioned
 * policy parameters (api-contract.md "Authentication", "Administration", "Public";
 * domain/parameters.md "Keys").
 */
import { randomUUID } from 'node:crypto';
import { startApp, type TestEnv, target } from './support/harness';
import { COUNTY, expectOk, household, HUOZHUANG, TOWNSHIP, VILLAGE } from './support/flows';
import { PolicyVersionEntity, UserEntity } from '../src/database/entities';
import { PoliciesService } from '../src/modules/policies/policies.service';

const JIANAN = '411003000000';
const HENAN = '410000000000';
const LINGJING = '411003100000';
const DALUCHEN = '411003100202';

describe(`administration, authentication and policies (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  const auth = async (user: string) => ({ Authorization: `Bearer ${await env.token(user)}` });
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = (username: string, password: string) => env.http().post('/auth/login').send({ username, password });

  describe('authentication', () => {
    it('logs a demo user in without revealing the password or its hash', async () => {
      const res = await login(VILLAGE, 'Demo@2026');
      const body = await expectOk(res, 200);
      expect(typeof body.accessToken).toBe('string');
      expect(body.accessToken.length).toBeGreaterThan(20);
      expect(body.user).toEqual({
        id: expect.any(String),
        username: VILLAGE,
        displayName: '霍庄村村级经办 李红梅',
        role: 'village',
        areaCode: HUOZHUANG,
        sector: null,
      });
      const stored = await env.ds.getRepository(UserEntity).findOneByOrFail({ username: VILLAGE });
      expect(res.text).not.toContain(stored.passwordHash);
      expect(res.text).not.toMatch(/password|hash/i);
      expect(res.text).not.toContain('Demo@2026');
    });

    it('answers a wrong password or an unknown user with 401 UNAUTHENTICATED', async () => {
      for (const [username, password] of [[VILLAGE, 'Demo@2025'], ['no_such_user', 'Demo@2026'], ['admin', 'Demo@2026']]) {
        const res = await login(username, password);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String), requestId: expect.any(String) });
        expect(res.body.accessToken).toBeUndefined();
      }
    });

    it('logs the bootstrap admin in with the embedded default credentials', async () => {
      const body = await expectOk(await login('admin', 'Admin@2026'));
      expect(body.user).toMatchObject({ username: 'admin', role: 'admin', areaCode: null });
    });

    it('GET /auth/me returns the caller, and needs a valid token', async () => {
      const logged = await expectOk(await login(TOWNSHIP, 'Demo@2026'));
      const me = await expectOk(await env.http().get('/auth/me').set(bearer(logged.accessToken)));
      expect(me).toEqual(logged.user);
      expect(me).toMatchObject({ username: TOWNSHIP, role: 'township', areaCode: LINGJING });
      expect(JSON.stringify(me)).not.toMatch(/password|hash/i);

      const none = await env.http().get('/auth/me');
      expect(none.status).toBe(401);
      expect(none.body.code).toBe('UNAUTHENTICATED');
      const bad = await env.http().get('/auth/me').set(bearer(`${logged.accessToken}x`));
      expect(bad.status).toBe(401);
      expect(bad.body.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('health and API docs', () => {
    it('GET /health answers without a token', async () => {
      const res = await env.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', database: 'up', queue: 'up' });
    });

    it('serves the OpenAPI document without a token, listing the case event endpoint', async () => {
      const res = await env.http().get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toContain('/cases/{id}/events');
      expect(res.body.paths['/cases/{id}/events'].post).toBeDefined();
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/auth/login', '/policies/{areaCode}', '/households', '/evidence']));
    });
  });

  describe('areas', () => {
    it('GET /areas?parent= lists the three townships of the demo county', async () => {
      const list = await expectOk(await env.http().get(`/areas?parent=${JIANAN}`).set(await auth(VILLAGE)));
      expect(list.map((a: any) => a.code)).toEqual(['411003100000', '411003101000', '411003102000']);
      expect(list[0]).toMatchObject({ code: LINGJING, name: '灵井镇', level: 'township', parentCode: JIANAN });
      const one = await expectOk(await env.http().get(`/areas/${HUOZHUANG}`).set(await auth(VILLAGE)));
      expect(one).toMatchObject({ code: HUOZHUANG, name: '霍庄村', level: 'village', parentCode: LINGJING });
      expect((await env.http().get('/areas/411003100299').set(await auth(VILLAGE))).status).toBe(404);
    });

    it('admin creates a village under an existing township', async () => {
      const res = await env
        .http()
        .post('/admin/areas')
        .set(await auth('admin'))
        .send({ code: '411003100203', name: '新庄村', level: 'village' });
      expect(await expectOk(res, 201)).toMatchObject({ code: '411003100203', name: '新庄村', level: 'village', parentCode: LINGJING });
      const children = await expectOk(await env.http().get(`/areas?parent=${LINGJING}`).set(await auth(TOWNSHIP)));
      expect(children.map((a: any) => a.code)).toEqual(['411003100201', '411003100202', '411003100203']);
    });

    it('refuses a code whose parent does not exist, naming the field', async () => {
      // township 411003103000 does not exist
      const res = await env.http().post('/admin/areas').set(await auth('admin')).send({ code: '411003103201', name: '无主村', level: 'village' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.details.fields)).toEqual(['code']);
      expect((await env.http().get('/areas/411003103201').set(await auth('admin'))).status).toBe(404);
    });

    it('refuses a level that does not match the code', async () => {
      const res = await env.http().post('/admin/areas').set(await auth('admin')).send({ code: '411003100204', name: '错级村', level: 'township' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.level).toEqual(expect.any(String));
      const county = await env.http().post('/admin/areas').set(await auth('admin')).send({ code: '411004000000', name: '错级镇', level: 'township' });
      expect(county.status).toBe(400);
      expect(county.body.details.fields.level).toEqual(expect.any(String));
      expect((await env.http().get('/areas/411003100204').set(await auth('admin'))).status).toBe(404);
    });

    it('an existing code is 409', async () => {
      const res = await env.http().post('/admin/areas').set(await auth('admin')).send({ code: HUOZHUANG, name: '霍庄村', level: 'village' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ALREADY_EXISTS');
    });

    it('the same new code sent twice at once is created once; the other request is 409, not 500', async () => {
      const admin = await auth('admin');
      const results = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(() => env.http().post('/admin/areas').set(admin).send({ code: '411003101203', name: '并发村', level: 'village' })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      results.filter((r) => r.status === 409).forEach((r) => expect(r.body.code).toBe('ALREADY_EXISTS'));
      const children = await expectOk(await env.http().get('/areas?parent=411003101000').set(admin));
      expect(children.filter((a: any) => a.code === '411003101203')).toHaveLength(1);
    });

    it('a non-admin may not create areas', async () => {
      const res = await env.http().post('/admin/areas').set(await auth(COUNTY)).send({ code: '411003100205', name: '越权村', level: 'village' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ROLE_REQUIRED');
      expect((await env.http().get('/areas/411003100205').set(await auth('admin'))).status).toBe(404);
    });
  });

  describe('users', () => {
    const newUser = (over: Record<string, unknown> = {}) => ({
      username: `u_${randomUUID().slice(0, 8)}`,
      password: 'Secret#2026x',
      displayName: '测试用户',
      role: 'village',
      areaCode: HUOZHUANG,
      ...over,
    });
    const createUser = async (body: Record<string, unknown>) => env.http().post('/admin/users').set(await auth('admin')).send(body);

    it('admin creates a user who can log in; no password in the response', async () => {
      const body = newUser({ role: 'department', areaCode: JIANAN, sector: 'education', displayName: '建安区教育局 测试' });
      const res = await createUser(body);
      const created = await expectOk(res, 201);
      expect(created).toEqual({
        id: expect.any(String),
        username: body.username,
        displayName: '建安区教育局 测试',
        role: 'department',
        areaCode: JIANAN,
        sector: 'education',
      });
      expect(res.text).not.toMatch(/password|hash/i);
      expect(res.text).not.toContain('Secret#2026x');

      const logged = await expectOk(await login(body.username as string, 'Secret#2026x'));
      expect(logged.user).toEqual(created);
      expect((await login(body.username as string, 'Secret#2026y')).status).toBe(401);
      const me = await expectOk(await env.http().get('/auth/me').set(bearer(logged.accessToken)));
      expect(me.id).toBe(created.id);
    });

    it('a duplicate username is 409', async () => {
      const body = newUser();
      await expectOk(await createUser(body), 201);
      const again = await createUser({ ...body, displayName: '另一个人' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('ALREADY_EXISTS');
      const demo = await createUser(newUser({ username: VILLAGE }));
      expect(demo.status).toBe(409);
    });

    it('the same username sent twice at once creates one user; the other request is 409, not 500', async () => {
      const body = newUser();
      const admin = await auth('admin');
      const results = await Promise.all([1, 2, 3, 4].map(() => env.http().post('/admin/users').set(admin).send(body)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409]);
      results.filter((r) => r.status === 409).forEach((r) => expect(r.body.code).toBe('ALREADY_EXISTS'));
      await expectOk(await login(body.username as string, 'Secret#2026x'));
    });

    it('a department user without a sector is 400 naming the sector', async () => {
      const body = newUser({ role: 'department', areaCode: JIANAN });
      const res = await createUser(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.sector).toEqual(expect.any(String));
      expect((await login(body.username as string, 'Secret#2026x')).status).toBe(401);
    });

    it('refuses a user in an area that does not exist, and non-admins', async () => {
      const missing = await createUser(newUser({ areaCode: '411003100299' }));
      expect(missing.status).toBe(400);
      expect(missing.body.details.fields.areaCode).toEqual(expect.any(String));
      const byCounty = await env.http().post('/admin/users').set(await auth(COUNTY)).send(newUser());
      expect(byCounty.status).toBe(403);
      expect(byCounty.body.code).toBe('ROLE_REQUIRED');
    });

    it('disabling a user stops their existing token and their login', async () => {
      const body = newUser();
      const created = await expectOk(await createUser(body), 201);
      const { accessToken } = await expectOk(await login(body.username as string, 'Secret#2026x'));
      await expectOk(await env.http().get('/auth/me').set(bearer(accessToken)));

      const patched = await env.http().patch(`/admin/users/${created.id}`).set(await auth('admin')).send({ disabled: true });
      expect(await expectOk(patched)).toMatchObject({ id: created.id, disabled: true });
      expect(patched.text).not.toMatch(/password|hash/i);

      const me = await env.http().get('/auth/me').set(bearer(accessToken));
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('UNAUTHENTICATED');
      const households = await env.http().get('/households').set(bearer(accessToken));
      expect(households.status).toBe(401);
      const again = await login(body.username as string, 'Secret#2026x');
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('UNAUTHENTICATED');

      // and enabling again restores access
      await expectOk(await env.http().patch(`/admin/users/${created.id}`).set(await auth('admin')).send({ disabled: false }));
      await expectOk(await login(body.username as string, 'Secret#2026x'));
    });

    it('moving a user to another village changes what their token can see', async () => {
      const body = newUser();
      const created = await expectOk(await createUser(body), 201);
      const { accessToken } = await expectOk(await login(body.username as string, 'Secret#2026x'));
      const wang = await household(env, '王建国'); // 霍庄村
      const chen = await household(env, '陈志刚'); // 大路陈村
      await expectOk(await env.http().get(`/households/${wang}`).set(bearer(accessToken)));
      expect((await env.http().get(`/households/${chen}`).set(bearer(accessToken))).status).toBe(404);

      const moved = await env.http().patch(`/admin/users/${created.id}`).set(await auth('admin')).send({ areaCode: DALUCHEN });
      expect(await expectOk(moved)).toMatchObject({ id: created.id, areaCode: DALUCHEN, role: 'village', disabled: false });

      const old = await env.http().get(`/households/${wang}`).set(bearer(accessToken));
      expect(old.status).toBe(404);
      expect(old.body.code).toBe('NOT_FOUND');
      await expectOk(await env.http().get(`/households/${chen}`).set(bearer(accessToken)));
      const me = await expectOk(await env.http().get('/auth/me').set(bearer(accessToken)));
      expect(me.areaCode).toBe(DALUCHEN);
    });

    it('PATCH of an unknown user is 404; by a non-admin 403', async () => {
      const res = await env.http().patch(`/admin/users/${randomUUID()}`).set(await auth('admin')).send({ disabled: true });
      expect(res.status).toBe(404);
      const me = await expectOk(await env.http().get('/auth/me').set(await auth(VILLAGE)));
      const byCounty = await env.http().patch(`/admin/users/${me.id}`).set(await auth(COUNTY)).send({ disabled: true });
      expect(byCounty.status).toBe(403);
      expect(byCounty.body.code).toBe('ROLE_REQUIRED');
      await expectOk(await env.http().get('/auth/me').set(await auth(VILLAGE)));
    });
  });

  describe('policies', () => {
    // issue 19: a user reads the policy of their area, above and below it; the areas elsewhere are read by the global admin
    const getPolicy = async (code: string, at?: string, user = VILLAGE) =>
      env.http().get(`/policies/${code}${at ? `?at=${encodeURIComponent(at)}` : ''}`).set(await auth(user));
    const putPolicy = async (code: string, values: Record<string, unknown>, effectiveFrom = new Date(Date.now() - 1000).toISOString(), user = 'admin') =>
      env.http().put(`/policies/${code}`).set(await auth(user)).send({ effectiveFrom, values });

    it('GET /policies/{village} merges the national defaults with the province override, every key present', async () => {
      const p = await expectOk(await getPolicy(HUOZHUANG));
      expect(p.areaCode).toBe(HUOZHUANG);
      expect(p.version).toContain('410000000000#1');
      expect(new Date(p.effectiveFrom).toISOString()).toBe(p.effectiveFrom);
      expect(p.values).toMatchObject({
        'monitoring.incomeLine': 7500,
        'inclusion.deadline': 'P15D',
        'inclusion.noticePeriod': 'P5D',
        'elimination.noticePeriod': 'P5D',
        'elimination.minMonitoringPeriod': 'P6M',
        'elimination.incomeStablePeriod': 'P6M',
        'elimination.concentrationThreshold': 0.3,
        'elimination.concentrationWindow': 'P30D',
        'posts.noticePeriod': 'P5D',
        'posts.minAge': 16,
        'posts.maxAge': 65,
        'posts.neverAge': 80,
        'posts.maxPerPerson': 1,
        'posts.maxPerHousehold': 1,
        'posts.maxMembersAway': 2,
        'posts.maxTermMonths': 12,
        'posts.minAttendanceDays': 8,
        'projects.noticePeriod': 'P10D',
        'projects.industryShareMin': 0.6,
      });
      const negative = p.values['projects.negativeList'];
      expect(Array.isArray(negative)).toBe(true);
      expect(negative).toHaveLength(10);
      negative.forEach((id: unknown) => expect(id).toMatch(/^[a-z][a-z0-9_]*$/));
      const map = p.values['projects.departmentsByCategory'];
      expect(map).toEqual(expect.any(Object));
      const sectors = Object.values(map as Record<string, string[]>).flat();
      expect(sectors).toEqual(expect.arrayContaining(['agriculture', 'human_resources', 'transport', 'water', 'housing', 'education', 'health']));
    });

    it('a PUT by admin creates a new version that the county and its villages see, and nobody else', async () => {
      const before = await expectOk(await getPolicy(HUOZHUANG));
      const res = await putPolicy(JIANAN, { 'monitoring.incomeLine': 7800, 'inclusion.noticePeriod': 'P7D' });
      const put = await expectOk(res, 201);
      expect(put).toMatchObject({ areaCode: JIANAN, version: 1, values: { 'monitoring.incomeLine': 7800, 'inclusion.noticePeriod': 'P7D' } });

      for (const code of [JIANAN, LINGJING, HUOZHUANG, '411003102201']) {
        const p = await expectOk(await getPolicy(code, undefined, 'admin'));
        expect(p.values['monitoring.incomeLine']).toBe(7800);
        expect(p.values['inclusion.noticePeriod']).toBe('P7D');
        expect(p.version).toContain(`${JIANAN}#1`);
        expect(p.version).toContain('410000000000#1');
        // keys not given are inherited
        expect(p.values['inclusion.deadline']).toBe('P15D');
        expect(p.values['posts.maxAge']).toBe(65);
        expect(p.values['projects.industryShareMin']).toBe(0.6);
      }
      expect(before.version).not.toContain(JIANAN);

      for (const code of [HENAN, '411000000000', '420000000000', '420100000000', '411004000000']) {
        const p = await expectOk(await getPolicy(code, undefined, 'admin'));
        expect(p.values['monitoring.incomeLine']).toBe(7500);
        expect(p.values['inclusion.noticePeriod']).toBe('P5D');
        expect(p.version).not.toContain(JIANAN);
      }
    });

    it('a second PUT increments the version; keys not given are inherited from above', async () => {
      const first = await expectOk(await getPolicy(HUOZHUANG));
      const put = await expectOk(await putPolicy(JIANAN, { 'monitoring.incomeLine': 8000, 'posts.maxAge': 60 }), 201);
      expect(put.version).toBe(2);
      const p = await expectOk(await getPolicy(HUOZHUANG));
      expect(p.version).toContain(`${JIANAN}#2`);
      expect(p.version).not.toBe(first.version);
      expect(p.values['monitoring.incomeLine']).toBe(8000);
      expect(p.values['posts.maxAge']).toBe(60);
      expect(p.values['posts.minAge']).toBe(16);
      expect(p.values['elimination.concentrationThreshold']).toBe(0.3);

      // a village's own override sits on top of its county's
      const village = await expectOk(await putPolicy(HUOZHUANG, { 'posts.minAttendanceDays': 10 }), 201);
      expect(village.version).toBe(1);
      const v = await expectOk(await getPolicy(HUOZHUANG));
      expect(v.values).toMatchObject({ 'posts.minAttendanceDays': 10, 'monitoring.incomeLine': 8000, 'posts.maxAge': 60 });
      const neighbour = await expectOk(await getPolicy(DALUCHEN, undefined, 'admin'));
      expect(neighbour.values['posts.minAttendanceDays']).toBe(8);
    });

    it('a case keeps the values of the versions it was opened under after a new version (forCase, remembered per process): the same frozen answer each time', async () => {
      const policies = env.app.get(PoliciesService);
      const opened = await policies.effective(HUOZHUANG);
      const under = await policies.forCase(HUOZHUANG, opened.ids);
      expect(under.values).toEqual(opened.values);
      expect(await policies.forCase(HUOZHUANG, opened.ids)).toBe(under);
      expect(Object.isFrozen(under) && Object.isFrozen(under.values)).toBe(true);
      expect(() => {
        (under.values as Record<string, unknown>)['monitoring.incomeLine'] = 1;
      }).toThrow(TypeError);
      const line = opened.values['monitoring.incomeLine'];
      await expectOk(await putPolicy(HUOZHUANG, { 'monitoring.incomeLine': line + 100 }), 201);
      const now = await policies.effective(HUOZHUANG);
      expect(now.values['monitoring.incomeLine']).toBe(line + 100);
      expect((await policies.forCase(HUOZHUANG, opened.ids)).values['monitoring.incomeLine']).toBe(line);
      expect((await policies.forCase(HUOZHUANG, now.ids)).values['monitoring.incomeLine']).toBe(line + 100);
      await expectOk(await putPolicy(HUOZHUANG, { 'monitoring.incomeLine': null }), 201);
    });

    it("a new version of an area carries that area's earlier values forward; null hands a key back to the area above", async () => {
      await expectOk(await putPolicy(DALUCHEN, { 'posts.maxAge': 62, 'posts.minAge': 18 }), 201);
      const second = await expectOk(await putPolicy(DALUCHEN, { 'posts.maxAge': 63 }), 201);
      expect(second.values).toEqual({ 'posts.maxAge': 63, 'posts.minAge': 18 });
      expect((await expectOk(await getPolicy(DALUCHEN, undefined, 'admin'))).values).toMatchObject({ 'posts.maxAge': 63, 'posts.minAge': 18 });
      const third = await expectOk(await putPolicy(DALUCHEN, { 'posts.minAge': null }), 201);
      expect(third.values).toEqual({ 'posts.maxAge': 63 });
      expect((await expectOk(await getPolicy(DALUCHEN, undefined, 'admin'))).values['posts.minAge']).toBe(16);
    });

    it('an unknown key is 400 naming it, and creates no version', async () => {
      const res = await putPolicy(JIANAN, { 'monitoring.incomeLine': 9000, nope: 1 });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields['values.nope']).toEqual(expect.any(String));
      expect(res.body.details.fields['values.monitoring.incomeLine']).toBeUndefined();
      expect((await expectOk(await getPolicy(JIANAN))).values['monitoring.incomeLine']).toBe(8000);
      const next = await expectOk(await putPolicy(JIANAN, { 'monitoring.incomeLine': 8000 }), 201);
      expect(next.version).toBe(3);
    });

    it.each([
      ['monitoring.incomeLine', 'abc'],
      ['monitoring.incomeLine', -1],
      ['monitoring.incomeLine', 7500.123],
      ['inclusion.noticePeriod', 'five days'],
      ['inclusion.noticePeriod', 5],
      ['elimination.concentrationThreshold', 1.5],
      ['projects.industryShareMin', -0.1],
      ['posts.maxAge', 65.5],
      ['posts.maxAge', '65'],
      ['projects.negativeList', 'office_buildings'],
    ])('a value of the wrong type is 400: %s = %p', async (key, value) => {
      const res = await putPolicy(JIANAN, { [key]: value });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields[`values.${key}`]).toEqual(expect.any(String));
    });

    it('refuses a PUT from a non-admin and a body without effectiveFrom or values', async () => {
      for (const user of [COUNTY, VILLAGE, 's_jianan']) {
        const res = await putPolicy(JIANAN, { 'monitoring.incomeLine': 1 }, undefined, user);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('ROLE_REQUIRED');
      }
      const noDate = await env.http().put(`/policies/${JIANAN}`).set(await auth('admin')).send({ values: { 'monitoring.incomeLine': 1 } });
      expect(noDate.status).toBe(400);
      expect(noDate.body.details.fields.effectiveFrom).toEqual(expect.any(String));
      const noValues = await env.http().put(`/policies/${JIANAN}`).set(await auth('admin')).send({ effectiveFrom: new Date().toISOString() });
      expect(noValues.status).toBe(400);
      expect(noValues.body.details.fields.values).toEqual(expect.any(String));
      const badArea = await putPolicy('4110030000', { 'monitoring.incomeLine': 1 });
      expect(badArea.status).toBe(400);
      expect((await expectOk(await getPolicy(JIANAN))).values['monitoring.incomeLine']).toBe(8000);
    });

    it('a version effective in the future leaves today unchanged and applies from its date', async () => {
      const today = await expectOk(await getPolicy(HUOZHUANG));
      const from = new Date(Date.now() + 30 * 86400_000);
      const put = await expectOk(await putPolicy(JIANAN, { 'monitoring.incomeLine': 9900, 'inclusion.deadline': 'P20D' }, from.toISOString()), 201);
      expect(put.version).toBe(4);
      expect(new Date(put.effectiveFrom).getTime()).toBe(from.getTime());

      const still = await expectOk(await getPolicy(HUOZHUANG));
      expect(still.version).toBe(today.version);
      expect(still.values).toEqual(today.values);
      expect(still.values['monitoring.incomeLine']).toBe(8000);
      expect(still.values['inclusion.deadline']).toBe('P15D');

      const later = await expectOk(await getPolicy(HUOZHUANG, new Date(from.getTime() + 86400_000).toISOString()));
      expect(later.values['monitoring.incomeLine']).toBe(9900);
      expect(later.values['inclusion.deadline']).toBe('P20D');
      expect(later.version).toContain(`${JIANAN}#4`);
      // the village's own override still applies on top
      expect(later.values['posts.minAttendanceDays']).toBe(10);

      const justBefore = await expectOk(await getPolicy(HUOZHUANG, new Date(from.getTime() - 60_000).toISOString()));
      expect(justBefore.values['monitoring.incomeLine']).toBe(8000);

      const badAt = await getPolicy(HUOZHUANG, 'not-a-date');
      expect(badAt.status).toBe(400);
    });

    it('PUTs of one area sent at once each get their own version (or 409), never a 5xx', async () => {
      const CHENCAO = '411003102000';
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => putPolicy(CHENCAO, { 'posts.maxAge': 60 + i })));
      results.forEach((r) => expect([201, 409]).toContain(r.status));
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThan(0);
      const versions = created.map((r) => r.body.version).sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      const p = await expectOk(await getPolicy('411003102201', undefined, 'admin'));
      expect(p.version).toContain(`${CHENCAO}#${versions.length}`);
    });
  });

  describe('trust: policy and its ledger within the caller\'s area (issue 19)', () => {
    const OTHER_COUNTY = '411002000000';
    const read = async (user: string, code: string) => env.http().get(`/policies/${code}`).set(await auth(user));
    const ledgerOf = async (user: string, query = '') => env.http().get(`/policies/ledger${query}`).set(await auth(user));

    it('trust: GET /policies/{areaCode} of another county, township or village is a 404 for every role; the national level, the levels above and the own area are read', async () => {
      const reason = '魏都区调整公益岗位出勤天数，经区政府常务会议研究决定';
      expect([201, 409]).toContain((await env.http().post('/admin/areas').set(await auth('admin')).send({ code: OTHER_COUNTY, name: '魏都区', level: 'county' })).status);
      await expectOk(await env.http().put(`/policies/${OTHER_COUNTY}`).set(await auth('admin')).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'posts.minAttendanceDays': 12 }, reason }), 201);
      const cases: Array<[string, string[], string[]]> = [
        [VILLAGE, ['000000000000', HENAN, '411000000000', JIANAN, LINGJING, HUOZHUANG], [OTHER_COUNTY, DALUCHEN, '411003101000', '420000000000']],
        [TOWNSHIP, [JIANAN, LINGJING, HUOZHUANG, DALUCHEN], [OTHER_COUNTY, '411003101000', '411003101201']],
        [COUNTY, [HENAN, JIANAN, HUOZHUANG, '411003101201'], [OTHER_COUNTY, '411002001000', '420000000000']],
        ['d_agri', [JIANAN, HUOZHUANG], [OTHER_COUNTY]],
        ['s_jianan', [JIANAN, '411003101201'], [OTHER_COUNTY, '420000000000']],
        ['s_xuchang', ['411000000000', JIANAN, OTHER_COUNTY], ['410100000000', '420000000000']],
      ];
      for (const [user, own, elsewhere] of cases) {
        for (const code of own) expect({ user, code, status: (await read(user, code)).status }).toEqual({ user, code, status: 200 });
        for (const code of elsewhere) {
          const res = await read(user, code);
          expect({ user, code, status: res.status, code_: res.body.code }).toEqual({ user, code, status: 404, code_: 'NOT_FOUND' });
          expect(JSON.stringify(res.body)).not.toContain('posts.minAttendanceDays');
        }
      }
      // the global admin reads every area
      expect((await expectOk(await read('admin', OTHER_COUNTY))).values['posts.minAttendanceDays']).toBe(12);
    });

    it('trust: the policy ledger\'s reasons and authors of another county are kept from a supervisor of this one', async () => {
      const reason = '魏都区调整公益岗位出勤天数，经区政府常务会议研究决定';
      expect((await ledgerOf('s_jianan', `?areaCode=${OTHER_COUNTY}`)).status).toBe(404);
      const mine = await expectOk(await ledgerOf('s_jianan', '?pageSize=200'));
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((e: any) => ['000000000000', HENAN, '411000000000'].includes(e.areaCode) || e.areaCode.startsWith('411003'))).toBe(true);
      expect(JSON.stringify(mine)).not.toContain(reason);
      // the city's supervisor sees the county below it; the global admin sees everything
      const city = await expectOk(await ledgerOf('s_xuchang', `?areaCode=${OTHER_COUNTY}`));
      expect(city.items[0]).toMatchObject({ areaCode: OTHER_COUNTY, reason, actor: { username: 'admin' } });
      expect(JSON.stringify(await expectOk(await ledgerOf('admin', '?pageSize=200')))).toContain(reason);
    });
  });

  describe('national bounds and the policy ledger (issue 12)', () => {
    const CJK = /[\u4e00-\u9fff]/;
    const ZHENJIAN = '411003101000';
    const getPolicy = async (code: string) => env.http().get(`/policies/${code}`).set(await auth(VILLAGE));
    const put = async (code: string, values: Record<string, unknown>, user = 'admin', extra: Record<string, unknown> = {}) =>
      env.http().put(`/policies/${code}`).set(await auth(user)).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values, ...extra });
    const putBounds = async (body: Record<string, unknown>, user = 'admin') => env.http().put('/policies/bounds').set(await auth(user)).send(body);
    const bounds = async () => expectOk(await env.http().get('/policies/bounds').set(await auth(VILLAGE)));
    const ledger = async (query = '', user = 's_jianan') => expectOk(await env.http().get(`/policies/ledger${query}`).set(await auth(user)));
    const verify = async () => expectOk(await env.http().get('/policies/ledger/verify').set(await auth('s_jianan')));
    const REASON = '省里通知：公示期允许缩短到一小时，仅用于应急演练';

    it('GET /policies/bounds gives the national defaults of parameters.md, version 1, set by the system', async () => {
      const b = await bounds();
      expect(b).toMatchObject({ version: 1, changedBy: { username: 'system' }, reason: expect.stringMatching(CJK) });
      expect(b.bounds['inclusion.noticePeriod']).toEqual({ min: 'P3D', max: 'P7D' });
      expect(b.bounds['posts.neverAge']).toEqual({ min: 65, max: 80 });
      expect(b.bounds['projects.negativeList'].mustInclude).toHaveLength(5);
      expect(Object.keys(b.bounds).sort()).toEqual((await expectOk(await env.http().get('/policies').set(await auth(VILLAGE)))).map((k: any) => k.key).sort());
    });

    it('bypass: a county cannot set a policy outside the national bounds — no neverAge of 200, no one-second notice, no emptied negative list, no removed caps (SF-13, SF-22, SF-19, SF-12, issue 12)', async () => {
      const before = await expectOk(await getPolicy(JIANAN));
      const entries = (await ledger()).total;
      const cases: Array<[Record<string, unknown>, string, unknown, string]> = [
        [{ 'posts.neverAge': 200 }, 'posts.neverAge', { min: 65, max: 80 }, '80'],
        [{ 'posts.neverAge': 81 }, 'posts.neverAge', { min: 65, max: 80 }, '80'],
        [{ 'inclusion.noticePeriod': 'PT1S' }, 'inclusion.noticePeriod', { min: 'P3D', max: 'P7D' }, 'P3D'],
        [{ 'inclusion.noticePeriod': 'P2DT23H' }, 'inclusion.noticePeriod', { min: 'P3D', max: 'P7D' }, 'P3D'],
        [{ 'projects.negativeList': [] }, 'projects.negativeList', expect.objectContaining({ minItems: 5 }), 'office_buildings'],
        [{ 'projects.negativeList': ['office_buildings', 'urban_infrastructure'] }, 'projects.negativeList', expect.any(Object), 'debt_repayment'],
        [{ 'posts.capPerVillage': {} }, 'posts.capPerVillage', expect.any(Object), 'cleaner'],
        [{ 'posts.capPerVillage': { cleaner: { perHouseholds: 1 }, forest_ranger: { perHouseholds: 50 }, road_maintainer: { absolute: 5 } } }, 'posts.capPerVillage', expect.any(Object), '20'],
        [{ 'posts.maxPerHousehold': 3 }, 'posts.maxPerHousehold', { min: 1, max: 2 }, '2'],
        [{ 'posts.capDefault': { absolute: 60 } }, 'posts.capDefault', { minPerHouseholds: 20, maxAbsolute: 20 }, '20'],
        [{ 'reasons.placeholders': ['测试'] }, 'reasons.placeholders', expect.objectContaining({ minItems: 3 }), '同意'],
        [{ 'records.maxBackdate': 'P1Y' }, 'records.maxBackdate', { min: 'P1D', max: 'P30D' }, 'P30D'],
        [{ 'elimination.keepNoLabourInMonitoring': false }, 'elimination.keepNoLabourInMonitoring', { allowed: [true] }, 'true'],
        [{ 'elimination.concentrationThreshold': 1 }, 'elimination.concentrationThreshold', { min: 0.1, max: 0.5 }, '0.5'],
      ];
      for (const [values, key, bound, named] of cases) {
        const res = await put(JIANAN, values);
        expect({ values, status: res.status }).toEqual({ values, status: 422 });
        expect(res.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'within_national_bounds' } });
        expect(res.body.details.violations).toEqual([{ key, value: values[key], bound, message: expect.any(String) }]);
        // the message names the key, the value and the bound, in Chinese
        expect(res.body.message).toMatch(CJK);
        expect(res.body.message).toContain(key);
        expect(res.body.message).toContain(named);
      }
      // a province, a village and the national level itself are held to the same bounds
      const province = await put(HENAN, { 'monitoring.incomeLine': 5000 });
      expect(province.status).toBe(422);
      expect(province.body.details.violations[0]).toMatchObject({ key: 'monitoring.incomeLine', value: 5000, bound: { min: 6900 } });
      expect((await put(HUOZHUANG, { 'inclusion.noticePeriod': 'PT2S' })).status).toBe(422);
      expect((await put('000000000000', { 'posts.neverAge': 90 })).status).toBe(422);
      // nothing was written
      expect(await expectOk(await getPolicy(JIANAN))).toEqual(before);
      expect((await ledger()).total).toBe(entries);

      // at the edges, and stricter than the nation, a county may
      const ok = await expectOk(await put(JIANAN, { 'posts.neverAge': 80, 'inclusion.noticePeriod': 'P3D', 'projects.negativeList': ['unit_basic_expenditure', 'vehicles_and_communication', 'office_buildings', 'bonuses_and_allowances', 'debt_repayment', 'golf_courses'] }), 201);
      expect(ok.values).toMatchObject({ 'posts.neverAge': 80, 'inclusion.noticePeriod': 'P3D' });
      expect((await put(JIANAN, { 'posts.neverAge': 70 })).status).toBe(201);
    });

    it('bypass: only a global admin changes the national bounds, and never without a reason (issue 12)', async () => {
      const change = { reason: REASON, bounds: { 'inclusion.noticePeriod': { min: 'PT1H' } } };
      for (const user of [COUNTY, VILLAGE, 's_jianan', 's_xuchang']) {
        const res = await putBounds(change, user);
        expect({ user, status: res.status, code: res.body.code }).toEqual({ user, status: 403, code: 'ROLE_REQUIRED' });
      }
      // an admin of a county manages its county's policy, not the nation's bounds
      await expectOk(await env.http().post('/admin/users').set(await auth('admin'))
        .send({ username: 'a_bounds', password: 'Bounds#2026xy', displayName: '建安区管理员', role: 'admin', areaCode: JIANAN }), 201);
      const areaAdmin = await expectOk(await login('a_bounds', 'Bounds#2026xy'));
      const byAreaAdmin = await env.http().put('/policies/bounds').set(bearer(areaAdmin.accessToken)).send(change);
      expect(byAreaAdmin.status).toBe(403);
      expect(byAreaAdmin.body.code).toBe('FORBIDDEN');

      for (const reason of [undefined, '', '   ', '测试', '同意', '改']) {
        const res = await putBounds({ ...change, reason });
        expect({ reason, status: res.status, code: res.body.code }).toEqual({ reason, status: 422, code: 'REASON_REQUIRED' });
        expect(res.body.details.fields.reason).toMatch(CJK);
      }
      // malformed bounds: 400 naming the key
      for (const [b, key] of [
        [{ 'inclusion.noticePeriod': { min: 'P9D' } }, 'inclusion.noticePeriod'], // above its max P7D
        [{ 'inclusion.noticePeriod': { min: 'three days' } }, 'inclusion.noticePeriod'],
        [{ 'posts.neverAge': { max: 80.5 } }, 'posts.neverAge'],
        [{ 'posts.neverAge': { ceiling: 90 } }, 'posts.neverAge'],
        [{ 'no.such.key': { min: 1 } }, 'no.such.key'],
        [{ 'projects.negativeList': ['office_buildings'] }, 'projects.negativeList'],
      ] as Array<[Record<string, unknown>, string]>) {
        const res = await putBounds({ reason: REASON, bounds: b });
        expect({ b, status: res.status }).toEqual({ b, status: 400 });
        expect(res.body.details.fields[`bounds.${key}`]).toMatch(CJK);
      }
      expect((await putBounds({ reason: REASON, bounds: {} })).status).toBe(400);
      expect((await bounds()).version).toBe(1);
      expect((await put(ZHENJIAN, { 'inclusion.noticePeriod': 'PT2H' })).status).toBe(422);

      // the global admin, with a reason: the bound is lowered and the ledger says who and why
      const changed = await expectOk(await putBounds(change), 201);
      expect(changed).toMatchObject({ version: 2, changed: ['inclusion.noticePeriod'], reason: REASON });
      expect(changed.bounds['inclusion.noticePeriod']).toEqual({ min: 'PT1H', max: 'P7D' });
      expect(await bounds()).toMatchObject({ version: 2, reason: REASON, changedBy: { username: 'admin', role: 'admin' } });
      await expectOk(await put(ZHENJIAN, { 'inclusion.noticePeriod': 'PT2H' }, 'admin', { reason: '椹涧乡应急演练，公示期两小时' }), 201);
      const [entry] = (await ledger('?kind=bounds')).items;
      expect(entry).toMatchObject({ kind: 'bounds', version: 2, actor: { username: 'admin', role: 'admin' }, reason: REASON });
      expect(entry.before['inclusion.noticePeriod']).toEqual({ min: 'P3D', max: 'P7D' });
      expect(entry.after['inclusion.noticePeriod']).toEqual({ min: 'PT1H', max: 'P7D' });

      // raising it back while 椹涧乡 is at two hours is refused, naming the area: change it first
      const back = await putBounds({ reason: '演练结束，恢复全国公示期下限三天', bounds: { 'inclusion.noticePeriod': { min: 'P3D' } } });
      expect(back.status).toBe(422);
      expect(back.body.details).toMatchObject({ rule: 'versions_within_new_bounds', conflicts: [expect.objectContaining({ areaCode: ZHENJIAN, key: 'inclusion.noticePeriod', value: 'PT2H' })] });
      expect((await bounds()).version).toBe(2);
    });

    it('every policy version is a ledger entry: who, when, why, before and after; supervisors and admins read it', async () => {
      const v = await expectOk(await put(ZHENJIAN, { 'inclusion.noticePeriod': 'P5D' }, 'admin', { reason: '演练结束，椹涧乡恢复五天公示期' }), 201);
      const { items, total } = await ledger(`?areaCode=${ZHENJIAN}`);
      expect(total).toBe(2);
      expect(items[0]).toMatchObject({
        kind: 'version',
        areaCode: ZHENJIAN,
        version: v.version,
        actor: { username: 'admin', role: 'admin' },
        reason: '演练结束，椹涧乡恢复五天公示期',
        before: { values: { 'inclusion.noticePeriod': 'PT2H' } },
        after: { values: { 'inclusion.noticePeriod': 'P5D' }, effectiveFrom: v.effectiveFrom },
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(new Date(items[0].at).getTime()).toBeGreaterThan(Date.now() - 60_000);
      // the seeded and bootstrapped versions are entries too
      const national = await ledger('?areaCode=000000000000&kind=version');
      expect(national.items.at(-1)).toMatchObject({ version: 1, actor: { username: 'system' }, before: null });
      expect((await ledger(`?areaCode=${HENAN}`)).items[0]).toMatchObject({ version: 1, reason: expect.stringMatching(CJK) });
      const all = await expectOk(await env.http().get('/policies/ledger?pageSize=200').set(await auth('admin')));
      expect(all.items[all.items.length - 1]).toMatchObject({ seq: 1, kind: 'bounds', prevHash: '0'.repeat(64) });
      for (const user of [VILLAGE, TOWNSHIP, COUNTY]) {
        expect((await env.http().get('/policies/ledger').set(await auth(user))).status).toBe(403);
        expect((await env.http().get('/policies/ledger/verify').set(await auth(user))).status).toBe(403);
      }
      expect(await verify()).toEqual({ valid: true, entries: all.total });
    });

    it('a policy version written around the service (or before the ledger existed) breaks verify until the next start records it', async () => {
      const HUBEI = '420000000000';
      const adminUser = await env.ds.getRepository(UserEntity).findOneByOrFail({ username: 'admin' });
      const repo = env.ds.getRepository(PolicyVersionEntity);
      await repo.save(repo.create({
        areaCode: HUBEI, version: 1, effectiveFrom: new Date('2024-01-01T00:00:00Z'),
        values: { 'monitoring.incomeLine': 8000 }, createdById: adminUser.id, createdAt: new Date('2024-01-01T00:00:00Z'),
      }));
      expect(await verify()).toMatchObject({ valid: false, unrecordedVersions: [{ areaCode: HUBEI, version: 1 }] });
      // what every start does (onApplicationBootstrap): an entry for each version without one
      await env.app.get(PoliciesService).onApplicationBootstrap();
      const [entry] = (await ledger(`?areaCode=${HUBEI}`, 'admin')).items;
      expect(entry).toMatchObject({ kind: 'version', version: 1, actor: { username: 'admin' }, reason: expect.stringMatching(CJK), before: null, after: { values: { 'monitoring.incomeLine': 8000 } } });
      expect((await verify()).valid).toBe(true);
      // a second start adds nothing
      const total = (await ledger()).total;
      await env.app.get(PoliciesService).onApplicationBootstrap();
      expect((await ledger()).total).toBe(total);
    });

    it('the ledger is append-only, and verify detects a row changed behind the service (trigger disabled by a DBA) (SF-24, issue 12)', async () => {
      const { items } = await ledger(`?areaCode=${ZHENJIAN}&kind=version`);
      const seq = items[items.length - 1].seq as number;
      const q = (sql: string) => (target === 'postgres' ? sql : sql.replace(/\$\d/g, '?'));
      const forged = JSON.stringify({ effectiveFrom: items[items.length - 1].after.effectiveFrom, values: { 'inclusion.noticePeriod': 'P3D' } });
      await expect(env.ds.query(q('UPDATE policy_ledger SET after = $1 WHERE seq = $2'), [forged, seq])).rejects.toThrow(/append-only/);
      await expect(env.ds.query(q('DELETE FROM policy_ledger WHERE seq = $1'), [seq])).rejects.toThrow(/append-only/);
      expect((await verify()).valid).toBe(true);

      // a policy version changed behind the service no longer matches its entry
      const [row] = await env.ds.query(q('SELECT id, "values" FROM policy_versions WHERE "areaCode" = $1 AND version = 1'), [ZHENJIAN]);
      await env.ds.query(q('UPDATE policy_versions SET "values" = $1 WHERE id = $2'), [JSON.stringify({ 'inclusion.noticePeriod': 'PT1S' }), row.id]);
      expect(await verify()).toMatchObject({ valid: false, unrecordedVersions: [{ areaCode: ZHENJIAN, version: 1 }] });
      await env.ds.query(q('UPDATE policy_versions SET "values" = $1 WHERE id = $2'), [row.values, row.id]);
      expect((await verify()).valid).toBe(true);

      // the ledger entry itself rewritten, as a DBA could with the trigger off
      if (target === 'postgres') {
        await env.ds.query('ALTER TABLE policy_ledger DISABLE TRIGGER policy_ledger_append_only');
        await env.ds.query('UPDATE policy_ledger SET after = $1 WHERE seq = $2', [forged, seq]);
        await env.ds.query('ALTER TABLE policy_ledger ENABLE TRIGGER policy_ledger_append_only');
      } else {
        await env.ds.query('DROP TRIGGER policy_ledger_no_update');
        await env.ds.query('UPDATE policy_ledger SET after = ? WHERE seq = ?', [forged, seq]);
      }
      const broken = await verify();
      expect(broken).toMatchObject({ valid: false, brokenAt: seq });
    });
  });
});
