/**
 * Redis stopped and started again mid-test, on a Redis server of this spec's own (another
 * port), so the suite's shared Redis is never touched. Runs on both targets: SQLite + Bull on
 * the embedded run, PostgreSQL + Bull on the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { WebhookDeliveryEntity } from '../src/modules/notifications/notifications.entities';
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk, getCase, HUOZHUANG, inclusionCase, registerHousehold, send, shortNotice, uploadAll, VILLAGE, waitForState } from './support/flows';
import { alertCsv, memberIds, uploadAlerts, waitForImport } from './support/imports';
import { type Receiver, startReceiver } from './support/webhook-receiver';

const SECRET = 'outage-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server: nothing kept on disk, so a restart comes back empty. */
class OwnRedis {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'e2e-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    for (let i = 0; i < 100; i++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        await sleep(100);
      }
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.proc = null;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function health(env: TestEnv) {
  return (await env.http().get('/health')).body as { status: string; database: string; queue: string; queueMode: string };
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe(`Redis outage (${target} + Bull on a Redis of the test's own)`, () => {
  let redis: OwnRedis;
  let env: TestEnv;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    env = await startApp({ env: { REDIS_URL: redis.url, TIMER_RECONCILE_MS: '500', WEBHOOK_BACKOFF_MS: '200' } });
    receiver = await startReceiver(SECRET);
    await expectOk(
      await env.http().post('/webhooks').set('Authorization', `Bearer ${await env.token('admin')}`).send({ url: receiver.url, secret: SECRET, areaCode: '411003000000' }),
      201,
    );
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
    await redis?.stop();
    redis?.cleanup();
  });

  it('with Redis stopped the API keeps working and health says queue: down; when it returns, timers, imports and deliveries resume with nothing lost or doubled', async () => {
    expect(await health(env)).toMatchObject({ status: 'ok', database: 'up', queue: 'up', queueMode: 'bull' });
    await shortNotice(env, 'PT2S');
    const noticeCase = await inclusionCase(env, 'public_notice', { householdId: await registerHousehold(env) });
    const alerted = await registerHousehold(env);
    const alertedId = (await memberIds(env, alerted))[0];
    await until('deliveries made so far to arrive', async () => {
      const rows = await env.ds.getRepository(WebhookDeliveryEntity).find();
      return rows.length > 0 && rows.every((d) => d.status === 'delivered');
    });

    await redis.stop();
    await until('health to report the queue down', async () => (await health(env)).queue === 'down', 15000);
    expect(await health(env)).toMatchObject({ status: 'ok', database: 'up', queue: 'down' });

    // every call that does not itself need the queue works: a transition that schedules a timer …
    const photo = await uploadAll(env, VILLAGE, noticeCase.id, ['notice_photo']);
    const published = await expectOk(await send(env, VILLAGE, noticeCase.id, { type: 'PUBLISH_NOTICE', evidenceIds: photo, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示' } }));
    expect(published.state).toBe('public_notice');
    // … a new case (its notifications and webhook deliveries wait in the outbox) …
    const created = await expectOk(
      await env
        .http()
        .post('/procedures/monitoring-inclusion/cases')
        .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
        .send({ householdId: await registerHousehold(env), channel: 'self_report', riskDescription: '户主务工受伤，暂时无法工作' }),
      201,
    );
    // … an import is accepted and waits …
    const accepted = await expectOk(await uploadAlerts(env, alertCsv([{ idNumber: alertedId, areaCode: HUOZHUANG }])), 202);
    // … reads, lists and notifications too
    expect((await getCase(env, VILLAGE, created.id)).status).toBe(200);
    expect((await env.http().get('/tasks').set('Authorization', `Bearer ${await env.token('t_lingjing')}`)).status).toBe(200);
    const notes = await expectOk(await env.http().get('/notifications').set('Authorization', `Bearer ${await env.token('t_lingjing')}`));
    expect(notes.items.some((n: any) => n.caseId === created.id)).toBe(true);

    // the notice period passes while Redis is away: the close waits, the import waits
    await sleep(2500);
    expect((await getCase(env, VILLAGE, noticeCase.id)).body.state).toBe('public_notice');
    expect((await expectOk(await env.http().get(`/imports/${accepted.id}`).set('Authorization', `Bearer ${await env.token('d_civil')}`))).status).toBe('queued');
    const waiting = await env.ds.getRepository(WebhookDeliveryEntity).countBy({ status: 'pending' });
    expect(waiting).toBeGreaterThan(0);

    // Redis comes back empty: everything is queued again from the database
    await redis.start();
    await until('health to report the queue up', async () => (await health(env)).queue === 'up', 20000);
    const closed = await waitForState(env, VILLAGE, noticeCase.id, 'township_review', 30000);
    expect(closed.state).toBe('township_review');
    const done = await waitForImport(env, accepted.id, { timeoutMs: 30000 });
    expect(done.counts.opened).toBe(1);
    await until('every delivery to be delivered', async () => {
      const rows = await env.ds.getRepository(WebhookDeliveryEntity).find();
      return rows.every((d) => d.status === 'delivered');
    });

    const rows = await env.ds.getRepository(WebhookDeliveryEntity).find();
    const succeeded = receiver.succeeded();
    expect(succeeded.size).toBe(rows.length);
    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.received.some((r) => r.body.caseId === created.id)).toBe(true);
    // the system's close ran once
    const history = await expectOk(await env.http().get(`/cases/${noticeCase.id}/history`).set('Authorization', `Bearer ${await env.token('c_jianan')}`));
    expect(history.filter((h: any) => h.event === 'CLOSE_NOTICE')).toHaveLength(1);

    // the daily reminder is registered again in the new Redis
    const client = new Redis(redis.url);
    try {
      await until('the repeatable reminder to be registered', async () => (await client.zcard(`${env.config.redis!.prefix}:reminders:repeat`)) > 0, 10000);
    } finally {
      client.disconnect();
    }
  });
});
