import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { NotificationEntity, WebhookDeliveryEntity } from '../src/modules/notifications/notifications.entities';
import { OverdueReminderService } from '../src/modules/notifications/overdue-reminder.service';
import { WebhookDispatcher } from '../src/modules/notifications/webhook-dispatcher.service';
import { startApp, target, type TestEnv } from './support/harness';
import { secondsFloor, widenPolicyBounds } from './support/policy-bounds';
import { COUNTY, expectOk, inclusionCase, registerHousehold, send, shortNotice, TOWNSHIP, TOWNSHIP2, VILLAGE } from './support/flows';
import { type Receiver, startReceiver } from './support/webhook-receiver';

const SECRET = 'whsec-test-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function notes(env: TestEnv, user: string, query = '') {
  return expectOk(await env.http().get(`/notifications${query}`).set('Authorization', `Bearer ${await env.token(user)}`));
}

/** A village user records a lead on a household: the case view. */
async function openLead(env: TestEnv, householdId: string, riskDescription: string, channel = 'self_report') {
  const res = await env
    .http()
    .post('/procedures/monitoring-inclusion/cases')
    .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
    .send({ householdId, channel, riskDescription });
  return expectOk(res, 201);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe(`notifications and webhooks (${target})`, () => {
  let env: TestEnv;
  let receiver: Receiver;
  let hookId: string;

  beforeAll(async () => {
    env = await startApp({ env: { WEBHOOK_BACKOFF_MS: '200', WEBHOOK_MAX_ATTEMPTS: '4' } });
    receiver = await startReceiver(SECRET);
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
  });

  it('an admin registers a webhook for the county; the secret is never shown; others may not', async () => {
    const admin = await env.token('admin');
    const created = await expectOk(
      await env.http().post('/webhooks').set('Authorization', `Bearer ${admin}`).send({ url: receiver.url, secret: SECRET, areaCode: '411003000000', events: ['task', 'deadline_near', 'deadline_overdue', 'overdue_digest'] }),
      201,
    );
    hookId = created.id;
    expect(created).toMatchObject({ url: receiver.url, areaCode: '411003000000', active: true });
    expect(JSON.stringify(created)).not.toContain(SECRET);
    expect(JSON.stringify(await expectOk(await env.http().get('/webhooks').set('Authorization', `Bearer ${admin}`)))).not.toContain(SECRET);

    expect((await env.http().post('/webhooks').set('Authorization', `Bearer ${await env.token(COUNTY)}`).send({ url: receiver.url, secret: SECRET })).status).toBe(403);
    const bad = await env.http().post('/webhooks').set('Authorization', `Bearer ${admin}`).send({ url: 'ftp://x', secret: 'short', events: ['everything'] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details.fields).sort()).toEqual(expect.arrayContaining(['url', 'secret']));
    expect((await env.http().post('/webhooks').send({ url: receiver.url, secret: SECRET })).status).toBe(401);
  });

  it('a transition that gives someone work notifies them (not the actor) and sends a signed webhook, retried after two failures, delivered once', async () => {
    receiver.failFirst(2);
    const householdId = await registerHousehold(env);
    const created = await openLead(env, householdId, '户主突发脑梗住院，自付医疗费用约4万元', 'self_report');
    // lead: village and township users may record the verification; the creating village user is not told
    const township = await notes(env, TOWNSHIP);
    const task = township.items.find((n: any) => n.caseId === created.id && n.kind === 'task');
    expect(task).toMatchObject({ read: false, procedure: 'monitoring-inclusion', areaCode: '411003100201' });
    expect(task.title).toContain('待办');
    expect((await notes(env, VILLAGE)).items.some((n: any) => n.caseId === created.id)).toBe(false);
    expect((await notes(env, 't_zhenjian')).items.some((n: any) => n.caseId === created.id)).toBe(false);

    const deliveries = await until('the delivery to succeed', async () => {
      const ok = [...receiver.succeeded().entries()].filter(([, n]) => n > 0);
      const mine = receiver.received.filter((r) => r.body.caseId === created.id);
      return mine.some((r) => r.status < 300) ? { ok, mine } : false;
    });
    const attempts = deliveries.mine;
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 204]);
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    expect(attempts.every((a) => a.signatureValid)).toBe(true);
    expect(attempts[2].body).toMatchObject({ deliveryId: attempts[2].deliveryId, event: 'task', caseId: created.id, procedure: 'monitoring-inclusion', areaCode: '411003100201' });
    expect(attempts[2].body.roles.sort()).toEqual(['township', 'village']);
    // the receiver has answered; the dispatcher records the outcome just after
    const row = await until('the delivery to be recorded', async () => {
      const r = await env.ds.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id: attempts[0].deliveryId });
      return r.status !== 'pending' ? r : false;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    // a delivered delivery is never sent again, however often it is run
    expect(await env.app.get(WebhookDispatcher).deliver(row.id)).toBe('skipped');
    await sleep(700);
    expect(receiver.succeeded().get(row.id)).toBe(1);
    receiver.failFirst(0);
  });

  it('a delivery that keeps failing stops after the configured attempts and is marked failed', async () => {
    receiver.failFirst(100);
    const householdId = await registerHousehold(env);
    const created = await openLead(env, householdId, '家中房屋漏雨，存在住房安全隐患', 'self_report');
    const failed = await until('the delivery to be given up', async () => {
      const d = await env.ds.getRepository(WebhookDeliveryEntity).findOne({ where: { webhookId: hookId }, order: { createdAt: 'DESC' } });
      return d && JSON.parse(d.body).caseId === created.id && d.status === 'failed' ? d : false;
    });
    expect(failed.attempts).toBe(4);
    expect(failed.lastError).toBe('HTTP 500');
    expect(receiver.received.filter((r) => r.body.caseId === created.id)).toHaveLength(4);
    const listed = await expectOk(await env.http().get(`/webhooks/${hookId}/deliveries`).set('Authorization', `Bearer ${await env.token('admin')}`));
    expect(listed.find((d: any) => d.id === failed.id)).toMatchObject({ status: 'failed', attempts: 4, nextAttemptAt: null });
    receiver.failFirst(0);
  });

  it('notifications are the caller\'s own: unread first, marked read one by one or all at once', async () => {
    const mine = await notes(env, TOWNSHIP2);
    expect(mine.unread).toBeGreaterThanOrEqual(2);
    const first = mine.items[0];
    const read = await expectOk(await env.http().post(`/notifications/${first.id}/read`).set('Authorization', `Bearer ${await env.token(TOWNSHIP2)}`));
    expect(read).toMatchObject({ id: first.id, read: true });
    const after = await notes(env, TOWNSHIP2);
    expect(after.unread).toBe(mine.unread - 1);
    expect(after.items[after.items.length - 1].id).toBe(first.id); // read ones sink to the bottom
    expect((await notes(env, TOWNSHIP2, '?unread=true')).items.map((n: any) => n.id)).not.toContain(first.id);
    // someone else's notification does not exist for the caller
    expect((await env.http().post(`/notifications/${first.id}/read`).set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`)).status).toBe(404);
    expect((await env.http().post(`/notifications/${randomUUID()}/read`).set('Authorization', `Bearer ${await env.token(TOWNSHIP2)}`)).status).toBe(404);
    const all = await expectOk(await env.http().post('/notifications/read-all').set('Authorization', `Bearer ${await env.token(TOWNSHIP2)}`));
    expect(all.updated).toBe(mine.unread - 1);
    expect((await notes(env, TOWNSHIP2)).unread).toBe(0);
    expect((await env.http().get('/notifications')).status).toBe(401);
    expect((await env.http().get('/notifications?pageSize=0').set('Authorization', `Bearer ${await env.token(TOWNSHIP2)}`)).status).toBe(400);
  });

  it('a transition in the outbox: the notification exists exactly when the transition was stored', async () => {
    await shortNotice(env, 'PT1S');
    const { id } = await inclusionCase(env, 'township_review', { householdId: await registerHousehold(env) });
    const count = () => env.ds.getRepository(NotificationEntity).countBy({ caseId: id });
    const before = await count();
    // a refused event (stale version) stores nothing, so it notifies nobody
    expect((await send(env, TOWNSHIP, id, { type: 'APPROVE', version: 1, data: { opinion: '同意' } })).status).toBe(409);
    expect(await count()).toBe(before);
    const approved = await expectOk(await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
    // (the county also heard of the notice, where it may raise an objection: its to-do list holds that too)
    const county = (await notes(env, COUNTY)).items.filter((n: any) => n.caseId === id && n.data.state === 'county_approval');
    expect(county).toHaveLength(1);
    expect(county[0].data.version).toBe(approved.version);
    expect(await count()).toBeGreaterThan(before);
    expect((await notes(env, 'c_jianan2')).items.some((n: any) => n.caseId === id)).toBe(true);
    // the system's CLOSE_NOTICE gave the township its review: that was notified too
    expect((await notes(env, TOWNSHIP)).items.some((n: any) => n.caseId === id && n.data.state === 'township_review')).toBe(true);
  });

  it('SF-04: a deadline near and passed notifies whoever holds the case, once each', async () => {
    // deadlines of seconds are below the national floors: the bounds are lowered first (issue 12)
    await widenPolicyBounds(env, secondsFloor('inclusion.deadline', 'notifications.deadlineNearBefore'), '测试环境：办理时限缩短到秒级，以便在测试中等到到期提醒');
    await expectOk(
      await env
        .http()
        .put('/policies/411003000000')
        .set('Authorization', `Bearer ${await env.token('admin')}`)
        .send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'inclusion.deadline': 'PT3S', 'notifications.deadlineNearBefore': 'PT2S' } }),
      201,
    );
    const householdId = await registerHousehold(env);
    const created = await openLead(env, householdId, '家庭成员因意外事故致残，收入骤减', 'cadre_visit');
    const kinds = async () => (await notes(env, TOWNSHIP)).items.filter((n: any) => n.caseId === created.id).map((n: any) => n.kind).sort();
    await until('both deadline notices', async () => (await kinds()).includes('deadline_overdue'), 15000);
    expect(await kinds()).toEqual(['deadline_near', 'deadline_overdue', 'task']);
    const overdue = (await notes(env, VILLAGE)).items.find((n: any) => n.caseId === created.id && n.kind === 'deadline_overdue');
    expect(overdue.message).toContain('已超过办理时限');
    const listed = await expectOk(await env.http().get('/cases?overdue=true&procedure=monitoring-inclusion&pageSize=200').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`));
    expect(listed.items.map((c: any) => c.id)).toContain(created.id);
    await until('the webhook to get the overdue event', async () => receiver.received.some((r) => r.event === 'deadline_overdue' && r.body.caseId === created.id && r.status < 300));
    await expectOk(
      await env
        .http()
        .put('/policies/411003000000')
        .set('Authorization', `Bearer ${await env.token('admin')}`)
        .send({ effectiveFrom: new Date().toISOString(), values: { 'inclusion.deadline': null, 'notifications.deadlineNearBefore': null } }),
      201,
    );
  });

  it('SF-04: the daily reminder lists overdue cases to the township and county users of their area, once a day', async () => {
    const reminders = env.app.get(OverdueReminderService);
    const day = new Date(Date.now() + 400 * 86400_000); // a day no other run has used: every open case is overdue by then
    const first = await reminders.run(day);
    expect(first.ran).toBe(true);
    expect(first.cases).toBeGreaterThan(0);
    const digest = (await notes(env, TOWNSHIP)).items.find((n: any) => n.kind === 'overdue_digest' && n.data.period === first.period);
    expect(digest.title).toContain('逾期提醒');
    expect(digest.data.cases.every((c: any) => c.areaCode.startsWith('411003100'))).toBe(true);
    const countyDigest = (await notes(env, COUNTY)).items.find((n: any) => n.kind === 'overdue_digest' && n.data.period === first.period);
    expect(countyDigest.data.count).toBe(first.cases);
    expect((await notes(env, VILLAGE)).items.some((n: any) => n.kind === 'overdue_digest')).toBe(false);

    const again = await reminders.run(day);
    expect(again.ran).toBe(false);

    // two instances at the same moment of a new day: one runs it
    const next = new Date(day.getTime() + 86400_000);
    const digests = await env.ds.getRepository(NotificationEntity).countBy({ kind: 'overdue_digest' });
    const both = await Promise.all([reminders.run(next), reminders.run(next)]);
    expect(both.map((r) => r.ran).sort()).toEqual([false, true]);
    const perRun = await env.ds.getRepository(NotificationEntity).countBy({ kind: 'overdue_digest' });
    expect(perRun - digests).toBeGreaterThan(0);

    // a missed day is caught up once its time has passed (08:30 Asia/Shanghai by default), never before
    const missed = new Date(day.getTime() + 2 * 86400_000);
    // the missed day is China's date of that instant (at 00:30 Beijing its UTC date is the day before, issue 19)
    const missedDay = DateTime.fromJSDate(missed, { zone: 'Asia/Shanghai' });
    const before = missedDay.set({ hour: 0, minute: 10, second: 0, millisecond: 0 }).toJSDate();
    const after = missedDay.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate();
    expect(await reminders.catchUp(before)).toBe(false);
    expect(await reminders.catchUp(after)).toBe(true);
    expect(await reminders.catchUp(after)).toBe(false);
    expect(await env.ds.getRepository(NotificationEntity).countBy({ kind: 'overdue_digest' })).toBe(perRun + (perRun - digests));
  });

  it('a removed webhook gets nothing more, not even the retries of deliveries it had pending', async () => {
    receiver.failFirst(100);
    const lead = await openLead(env, await registerHousehold(env), '家中有人患重病，需长期治疗');
    await until('a first failed attempt', async () => receiver.received.some((r) => r.body.caseId === lead.id));
    await expectOk(await env.http().delete(`/webhooks/${hookId}`).set('Authorization', `Bearer ${await env.token('admin')}`));
    const pending = (await env.ds.getRepository(WebhookDeliveryEntity).find({ where: { webhookId: hookId } })).filter((d) => JSON.parse(d.body).caseId === lead.id);
    expect(pending.map((d) => [d.status, d.lastError])).toEqual([['failed', 'webhook removed']]);
    receiver.failFirst(0);
    const before = receiver.received.length;
    await openLead(env, await registerHousehold(env), '因病住院，自付费用较高', 'self_report');
    await sleep(600);
    expect(receiver.received.length).toBe(before);
  });
});
