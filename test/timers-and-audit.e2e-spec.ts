import Redis from 'ioredis';
import { AuditEntryEntity, TimerEntity } from '../src/database/entities';
import { EngineService } from '../src/modules/engine/engine.service';
import { BullTimerScheduler } from '../src/modules/timers/bull-timer-scheduler';
import { TimerRunner } from '../src/modules/timers/timer-runner.service';
import { TimerScheduler } from '../src/modules/timers/timer-scheduler';
import { startApp, target, type TestEnv } from './support/harness';
import { COUNTY, expectOk, household, inclusionCase, shortNotice, VILLAGE, waitForState } from './support/flows';
import { newHousehold } from './support/households';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function historyOf(env: TestEnv, id: string) {
  return expectOk(await env.http().get(`/cases/${id}/history`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
}

async function pendingTimer(env: TestEnv, caseId: string): Promise<TimerEntity> {
  const t = await env.ds.getRepository(TimerEntity).findOneBy({ caseId, status: 'pending' });
  if (!t) throw new Error(`no pending timer for ${caseId}`);
  return t;
}

/** Deletes every Redis key of this app's queue prefix: what a flush or a lost Redis does to it. */
async function flushQueue(env: TestEnv): Promise<number> {
  if (!env.config.redis) return 0;
  const redis = new Redis(env.config.redis.url);
  try {
    const keys = await redis.keys(`${env.config.redis.prefix}:*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

describe(`timers (${target}): stored in the database, executed by ${target === 'postgres' ? 'Bull' : 'the in-process runner'}`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  it('SF-22: a notice is closed by the system timer only once its period is over', async () => {
    await shortNotice(env, 'PT3S');
    const { id } = await inclusionCase(env, 'published');
    const published = await expectOk(await env.http().get(`/cases/${id}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(new Date(published.notice.endsAt).getTime() - new Date(published.notice.startsAt).getTime()).toBe(3000);
    await sleep(1000);
    expect((await historyOf(env, id)).map((h: any) => h.event)).not.toContain('CLOSE_NOTICE');
    const closed = await waitForState(env, VILLAGE, id, 'township_review');
    const close = (await historyOf(env, id)).find((h: any) => h.event === 'CLOSE_NOTICE');
    expect(new Date(close.at).getTime()).toBeGreaterThanOrEqual(new Date(published.notice.endsAt).getTime());
    // the case keeps the record of its notice
    expect(closed.notice).toEqual(published.notice);
  });

  it('a timer that fires several times at once transitions once', async () => {
    await shortNotice(env, 'PT2S');
    const { id } = await inclusionCase(env, 'published', { householdId: await household(env, '赵桂英') });
    const timer = await pendingTimer(env, id);
    await sleep(Math.max(0, timer.dueAt.getTime() - Date.now()) + 50);
    const engine = env.app.get(EngineService);
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => engine.applySystem(timer.id)));
    await waitForState(env, VILLAGE, id, 'township_review');
    expect(outcomes.filter((o) => o === 'fired').length).toBeLessThanOrEqual(1);
    const closes = (await historyOf(env, id)).filter((h: any) => h.event === 'CLOSE_NOTICE');
    expect(closes).toHaveLength(1);
    expect((await env.ds.getRepository(TimerEntity).findOneByOrFail({ id: timer.id })).status).toBe('fired');
  });

  it('an objection cancels the pending close timer', async () => {
    await shortNotice(env, 'PT3S');
    const { id } = await inclusionCase(env, 'published', { householdId: await newHousehold(env) });
    const timer = await pendingTimer(env, id);
    const objection = await env
      .http()
      .post('/evidence')
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .field('type', 'objection_record')
      .field('caseId', id)
      .attach('file', Buffer.from('%PDF-1.4\n% objection\n%%EOF\n'), 'objection.pdf');
    const version = (await historyOf(env, id)).length;
    const res = await env
      .http()
      .post(`/cases/${id}/events`)
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .set('Idempotency-Key', `objection-${id}`)
      .send({ type: 'RAISE_OBJECTION', version, evidenceIds: [objection.body.id], reason: '村民反映该户家中有经营性收入未如实申报' });
    expect((await expectOk(res)).state).toBe('household_verification');
    expect((await env.ds.getRepository(TimerEntity).findOneByOrFail({ id: timer.id })).status).toBe('cancelled');
    await sleep(3500);
    expect((await historyOf(env, id)).map((h: any) => h.event)).not.toContain('CLOSE_NOTICE');
  });

  it('issue 21: a timer due beyond the reconciler\'s horizon (a deadline days ahead) is not queued when its case is opened; once within the horizon the reconciler queues it and it fires', async () => {
    const { id } = await inclusionCase(env, 'lead', { householdId: await newHousehold(env) });
    const near = await env.ds.getRepository(TimerEntity).findOneByOrFail({ caseId: id, event: 'DEADLINE_NEAR', status: 'pending' });
    const runner = env.app.get(TimerRunner);
    expect(near.dueAt.getTime() - Date.now()).toBeGreaterThan(runner.horizonMs);
    if (env.config.redis) {
      // no Redis job for it (a job lives only for timers within the horizon); the enqueueing after
      // commit is not awaited by the request, so give it the time it would take
      await sleep(500);
      const scheduler = env.app.get(TimerScheduler) as BullTimerScheduler;
      expect(await scheduler.queue.getJob(near.id)).toBeNull();
    }
    // its day comes (moved here): the next reconcile hands it over, and it fires once
    await env.ds.getRepository(TimerEntity).update({ id: near.id }, { dueAt: new Date(Date.now() - 1000) });
    await runner.reconcile();
    const until = Date.now() + 15_000;
    let status = 'pending';
    while (Date.now() < until && status === 'pending') {
      await sleep(100);
      status = (await env.ds.getRepository(TimerEntity).findOneByOrFail({ id: near.id })).status;
    }
    expect(status).toBe('fired');
  });
});

describe(`timers survive a restart and a lost queue (${target})`, () => {
  it('a timer due while the service was down fires after restart; a queue flushed meanwhile is rebuilt from the database', async () => {
    const first = await startApp();
    let second: TestEnv | null = null;
    try {
      await shortNotice(first, 'PT2S');
      const { id } = await inclusionCase(first, 'published');
      const timer = await pendingTimer(first, id);
      await first.stop();
      await flushQueue(first);
      await sleep(Math.max(0, timer.dueAt.getTime() - Date.now()) + 500);
      // nothing ran it while the service was down
      expect((await first.ds.isInitialized) ? 'open' : 'closed').toBe('closed');
      second = await first.restart();
      await waitForState(second, VILLAGE, id, 'township_review');
      expect((await second.ds.getRepository(TimerEntity).findOneByOrFail({ id: timer.id })).status).toBe('fired');
    } finally {
      await second?.stop();
      await first.close();
    }
  });

  it('a queue emptied while the service runs is refilled by the reconciler', async () => {
    const env = await startApp();
    try {
      await shortNotice(env, 'PT3S');
      const { id } = await inclusionCase(env, 'published');
      const flushed = await flushQueue(env);
      if (target === 'postgres') expect(flushed).toBeGreaterThan(0);
      expect(await env.app.get(TimerRunner).reconcile()).toBeGreaterThanOrEqual(1);
      await waitForState(env, VILLAGE, id, 'township_review');
      expect((await historyOf(env, id)).filter((h: any) => h.event === 'CLOSE_NOTICE')).toHaveLength(1);
    } finally {
      await env.close();
    }
  });

  if (target === 'postgres') {
    it('two instances on one database and one Redis run a timer once', async () => {
      const a = await startApp();
      const b = await a.restart();
      try {
        await shortNotice(a, 'PT2S');
        const { id } = await inclusionCase(a, 'published');
        await b.app.get(TimerRunner).reconcile();
        await waitForState(b, VILLAGE, id, 'township_review');
        await sleep(1500);
        expect((await historyOf(a, id)).filter((h: any) => h.event === 'CLOSE_NOTICE')).toHaveLength(1);
      } finally {
        await b.stop();
        await a.close();
      }
    });
  }
});

describe(`audit trail (${target}): append-only and hash-chained (SF-24)`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  it('the database refuses to change or delete an audit entry', async () => {
    const { id } = await inclusionCase(env, 'village_appraisal', { householdId: await household(env, '赵桂英') });
    const repo = env.ds.getRepository(AuditEntryEntity);
    await expect(repo.update({ caseId: id, seq: 1 }, { reason: '事后补写的理由' })).rejects.toThrow(/append-only/);
    await expect(repo.delete({ caseId: id, seq: 2 })).rejects.toThrow(/append-only/);
    expect(await repo.countBy({ caseId: id })).toBe(2);
  });

  it('verify detects an audit row changed behind the service (trigger disabled by a DBA)', async () => {
    const { id } = await inclusionCase(env, 'public_notice', { householdId: await household(env, '王建国') });
    const ok = await expectOk(await env.http().get(`/cases/${id}/verify`).set('Authorization', `Bearer ${await env.token('s_jianan')}`));
    // issue 12 added the files check: the four files the case used are re-hashed from the store
    expect(ok).toEqual({ valid: true, entries: 3, files: { checked: 4, problems: [] } });

    const tampered = JSON.stringify({ result: 'passed', opinion: '事后篡改的评议意见' });
    if (target === 'postgres') {
      await env.ds.query('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
      await env.ds.query('UPDATE audit_entries SET data = $1 WHERE "caseId" = $2 AND seq = 3', [tampered, id]);
      await env.ds.query('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    } else {
      await env.ds.query('DROP TRIGGER audit_entries_no_update');
      await env.ds.query('UPDATE audit_entries SET data = ? WHERE "caseId" = ? AND seq = 3', [tampered, id]);
    }
    const broken = await expectOk(await env.http().get(`/cases/${id}/verify`).set('Authorization', `Bearer ${await env.token('s_jianan')}`));
    expect(broken).toEqual({ valid: false, brokenAt: 3, files: { checked: 4, problems: [] } });
  });
});
