/**
 * Issue 10: users, the audience of notifications and webhooks are kept in each instance's
 * memory on PostgreSQL (ChangeFeed: LISTEN/NOTIFY from triggers on the tables). Two instances
 * on one database: a change made through one, or by SQL behind the service's back, is seen by
 * the other at once — a disabled user is refused, a moved user gets the other area's work, a
 * new policy version is in force.
 */
import { ChangeFeed } from '../src/database/change-feed';
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk, registerHousehold, VILLAGE } from './support/flows';

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 2_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(`caches and their invalidation across instances (${target})`, () => {
  let a: TestEnv;
  let b: TestEnv;
  beforeAll(async () => {
    a = await startApp();
    b = await a.restart();
  });
  afterAll(async () => {
    await b?.stop();
    await a?.close();
  });

  it('the change feed listens on PostgreSQL (caches serve) and reads through on SQLite', () => {
    expect(a.app.get(ChangeFeed).live).toBe(target === 'postgres');
    expect(b.app.get(ChangeFeed).live).toBe(target === 'postgres');
  });

  it('a user disabled through instance A is refused by instance B at once, and readmitted when enabled again', async () => {
    const admin = await a.token('admin');
    const created = await expectOk(
      await a.http().post('/admin/users').set('Authorization', `Bearer ${admin}`)
        .send({ username: 'cache_probe', password: 'Probe@2026x', displayName: '缓存探针', role: 'village', areaCode: '411003100201' }),
      201,
    );
    const token = await b.token('cache_probe', 'Probe@2026x');
    // B has the user in memory now
    expect((await b.http().get('/tasks').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await b.http().get('/tasks').set('Authorization', `Bearer ${token}`)).status).toBe(200);

    await expectOk(await a.http().patch(`/admin/users/${created.id}`).set('Authorization', `Bearer ${admin}`).send({ disabled: true }));
    const refused = await until(() => b.http().get('/tasks').set('Authorization', `Bearer ${token}`), (r) => r.status === 401, 1_000);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');

    await expectOk(await a.http().patch(`/admin/users/${created.id}`).set('Authorization', `Bearer ${admin}`).send({ disabled: false }));
    const back = await until(() => b.http().get('/tasks').set('Authorization', `Bearer ${token}`), (r) => r.status === 200, 1_000);
    expect(back.status).toBe(200);
  });

  it('a change made by SQL behind the service (a DBA) reaches every instance too', async () => {
    const token = await b.token(VILLAGE);
    expect((await b.http().get('/tasks').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await a.ds.query(`UPDATE users SET disabled = ${target === 'postgres' ? 'true' : '1'} WHERE username = '${VILLAGE}'`);
    try {
      const refused = await until(() => b.http().get('/tasks').set('Authorization', `Bearer ${token}`), (r) => r.status === 401, 1_000);
      expect(refused.status).toBe(401);
    } finally {
      await a.ds.query(`UPDATE users SET disabled = ${target === 'postgres' ? 'false' : '0'} WHERE username = '${VILLAGE}'`);
    }
    const back = await until(() => b.http().get('/tasks').set('Authorization', `Bearer ${token}`), (r) => r.status === 200, 1_000);
    expect(back.status).toBe(200);
  });

  it('a policy version written through A is in force on B at once, and one changed by SQL behind the service too (the policy cache)', async () => {
    const area = '411003100201';
    const noticePeriod = async (env: TestEnv) =>
      (await expectOk(await env.http().get(`/policies/${area}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`))).values['inclusion.noticePeriod'];
    const before = await noticePeriod(b);
    expect(await noticePeriod(b)).toBe(before); // B has the area's lineage in memory now
    const next = before === 'P6D' ? 'P5D' : 'P6D';
    const admin = await a.token('admin');
    const put = await expectOk(
      await a.http().put(`/policies/${area}`).set('Authorization', `Bearer ${admin}`)
        .send({ effectiveFrom: new Date(Date.now() - 1_000).toISOString(), values: { 'inclusion.noticePeriod': next }, reason: '缓存验证：霍庄村公示期调整' }),
      201,
    );
    // the writer serves it from its next request on; the other instance as soon as the feed tells it
    expect(await noticePeriod(a)).toBe(next);
    expect(await until(() => noticePeriod(b), (v) => v === next, 1_000)).toBe(next);

    // a DBA rewrites the version's values: every instance drops its copy
    const q = (sql: string) => (target === 'postgres' ? sql : sql.replace(/\$\d/g, '?'));
    const [row] = await a.ds.query(q('SELECT id, "values" FROM policy_versions WHERE "areaCode" = $1 AND version = $2'), [area, put.version]);
    const forged = { ...(typeof row.values === 'string' ? JSON.parse(row.values) : row.values), 'inclusion.noticePeriod': before };
    await a.ds.query(q('UPDATE policy_versions SET "values" = $1 WHERE id = $2'), [JSON.stringify(forged), row.id]);
    try {
      expect(await until(() => noticePeriod(b), (v) => v === before, 1_000)).toBe(before);
      expect(await until(() => noticePeriod(a), (v) => v === before, 1_000)).toBe(before);
    } finally {
      await a.ds.query(q('UPDATE policy_versions SET "values" = $1 WHERE id = $2'), [typeof row.values === 'string' ? row.values : JSON.stringify(row.values), row.id]);
    }
  });

  it('a township user added through A is told of new work that instance B creates (the audience cache is dropped)', async () => {
    const admin = await a.token('admin');
    // B learns the current audience of 霍庄村's leads
    const first = await registerHousehold(b);
    await expectOk(await b.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await b.token(VILLAGE)}`)
      .send({ householdId: first, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元' }), 201);
    await expectOk(
      await a.http().post('/admin/users').set('Authorization', `Bearer ${admin}`)
        .send({ username: 't_newcomer', password: 'Probe@2026x', displayName: '新到岗', role: 'township', areaCode: '411003100000' }),
      201,
    );
    const householdId = await registerHousehold(b);
    // the notification reaches B within milliseconds of A's commit; leave it a generous moment
    await new Promise((r) => setTimeout(r, 300));
    const lead = await b.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await b.token(VILLAGE)}`)
      .send({ householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元' });
    expect(lead.status).toBe(201);
    const notes = await expectOk(await a.http().get('/notifications').set('Authorization', `Bearer ${await a.token('t_newcomer', 'Probe@2026x')}`));
    expect(notes.items.some((n: any) => n.caseId === lead.body.id && n.kind === 'task')).toBe(true);
  });
});
