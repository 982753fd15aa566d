/**
 * Authentication, health and API docs, administration of areas and users, and the versioned
 * policy parameters (api-contract.md "Authentication", "Administration", "Public";
 * domain/parameters.md "Keys").
 */
import { randomUUID } from 'node:crypto';
import { startApp, type TestEnv, target } from './support/harness';
import { COUNTY, expectOk, household, HUOZHUANG, TOWNSHIP, VILLAGE } from './support/flows';
import { UserEntity } from '../src/database/entities';

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
    const getPolicy = async (code: string, at?: string) =>
      env.http().get(`/policies/${code}${at ? `?at=${encodeURIComponent(at)}` : ''}`).set(await auth(VILLAGE));
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
        const p = await expectOk(await getPolicy(code));
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
        const p = await expectOk(await getPolicy(code));
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
      const neighbour = await expectOk(await getPolicy(DALUCHEN));
      expect(neighbour.values['posts.minAttendanceDays']).toBe(8);
    });

    it("a new version of an area carries that area's earlier values forward; null hands a key back to the area above", async () => {
      await expectOk(await putPolicy(DALUCHEN, { 'posts.maxAge': 62, 'posts.minAge': 18 }), 201);
      const second = await expectOk(await putPolicy(DALUCHEN, { 'posts.maxAge': 63 }), 201);
      expect(second.values).toEqual({ 'posts.maxAge': 63, 'posts.minAge': 18 });
      expect((await expectOk(await getPolicy(DALUCHEN))).values).toMatchObject({ 'posts.maxAge': 63, 'posts.minAge': 18 });
      const third = await expectOk(await putPolicy(DALUCHEN, { 'posts.minAge': null }), 201);
      expect(third.values).toEqual({ 'posts.maxAge': 63 });
      expect((await expectOk(await getPolicy(DALUCHEN))).values['posts.minAge']).toBe(16);
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
      const p = await expectOk(await getPolicy('411003102201'));
      expect(p.version).toContain(`${CHENCAO}#${versions.length}`);
    });
  });
});
