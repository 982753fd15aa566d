/**
 * Issue 11 (webhooks, SSRF): with WEBHOOK_ALLOW_PRIVATE off, a webhook cannot point at this
 * machine, the intranet or the cloud metadata address — refused at registration, and refused
 * again at delivery on the address actually connected to (a row written behind the API, or a
 * name that resolves elsewhere later, reaches nothing). Only loopback is used: nothing here
 * connects anywhere else.
 */
import { WebhookEntity, WebhookDeliveryEntity } from '../src/modules/notifications/notifications.entities';
import { WebhookDispatcher } from '../src/modules/notifications/webhook-dispatcher.service';
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk, registerHousehold, VILLAGE } from './support/flows';
import { type Receiver, startReceiver } from './support/webhook-receiver';

const CJK = /[\u4e00-\u9fff]/;

describe(`webhook targets must be public (${target})`, () => {
  let env: TestEnv;
  let receiver: Receiver;
  beforeAll(async () => {
    env = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'false' } });
    receiver = await startReceiver('a-secret-of-enough-length');
  });
  afterAll(async () => {
    await receiver?.close();
    await env?.close();
  });

  it('refuses loopback, private, link-local, metadata and unspecified targets at registration', async () => {
    const admin = `Bearer ${await env.token('admin')}`;
    for (const url of [
      receiver.url,
      'http://localhost:9/hook',
      'http://10.1.2.3/hook',
      'http://192.168.1.10/hook',
      'http://172.16.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
    ]) {
      const res = await env.http().post('/webhooks').set('Authorization', admin).send({ url, secret: 'a-secret-of-enough-length' });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.body.details.fields.url).toMatch(CJK);
    }
  });

  it('refuses again at delivery: a target written behind the API is never contacted', async () => {
    const now = new Date();
    const hook = await env.ds.getRepository(WebhookEntity).save(
      Object.assign(new WebhookEntity(), { areaCode: null, url: receiver.url, secret: 'a-secret-of-enough-length', events: [], active: true, createdById: 'dba', createdAt: now, updatedAt: now }),
    );
    const householdId = await registerHousehold(env);
    await expectOk(
      await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
        .send({ householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元' }),
      201,
    );
    const rows = await env.ds.getRepository(WebhookDeliveryEntity).findBy({ webhookId: hook.id });
    expect(rows.length).toBeGreaterThan(0);
    // one attempt, run here rather than waiting for the queue's back-off; the queue's own first
    // attempt may hold the delivery's lease at this moment, so its outcome is awaited
    await env.app.get(WebhookDispatcher).deliver(rows[0].id).catch(() => undefined);
    let after = await env.ds.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id: rows[0].id });
    for (const until = Date.now() + 5_000; after.lastError === null && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
      after = await env.ds.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id: rows[0].id });
    }
    expect(after.status).not.toBe('delivered');
    expect(after.lastError).toMatch(/not a public address/);
    expect(receiver.received.length).toBe(0);
  });
});
