import { Logger, type OnModuleDestroy } from '@nestjs/common';
import Queue, { type Job, type Queue as BullQueue } from 'bull';
import type { TimerEntity } from '../../database/entities';
import { FIRE_TIMER_JOB, type FireTimerPayload, TIMER_QUEUE } from './queue-names';
import { TimerScheduler } from './timer-scheduler';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

/** Bull delayed jobs, one per timer, job id = timer id (so adding twice schedules once). */
export class BullTimerScheduler extends TimerScheduler implements OnModuleDestroy {
  readonly mode = 'bull' as const;
  private readonly logger = new Logger('TimerQueue');
  readonly queue: BullQueue<FireTimerPayload>;

  /**
   * A timer job held by an instance that dies stays "active" until its lock expires and a
   * stall check moves it back to wait: Bull's 30 s + 30 s defaults would leave a notice open a
   * minute after a crash. Timer jobs are short and firing twice is harmless (the engine claims
   * the timer row), so the lock is short (TIMER_LOCK_MS) and checked at half of it.
   */
  /**
   * Issue 21: a timer due further away than the reconciler's horizon (a deadline days ahead) is
   * not queued when its step commits — the reconciler hands it over when it comes within the
   * horizon, as the in-process scheduler does: no Redis job lives for days, none is added per
   * case opened, and a timer cancelled before then (a case closed in time) never reaches Redis.
   */
  private readonly horizonMs: number;

  constructor(redisUrl: string, prefix: string, opts: { lockMs?: number; concurrency?: number; horizonMs?: number } = {}) {
    super();
    this.horizonMs = opts.horizonMs ?? Number.POSITIVE_INFINITY;
    const lockDuration = opts.lockMs ?? 10_000;
    this.queue = new Queue<FireTimerPayload>(TIMER_QUEUE, redisUrl, {
      prefix,
      settings: { lockDuration, lockRenewTime: Math.floor(lockDuration / 2), stalledInterval: Math.floor(lockDuration / 2), maxStalledCount: 3 },
    });
    const concurrency = opts.concurrency ?? 4;
    this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'queue error'));
    void this.queue.process(FIRE_TIMER_JOB, concurrency, (job: Job<FireTimerPayload>) => this.run(job));
  }

  private async run(job: Job<FireTimerPayload>): Promise<unknown> {
    if (!this.handler) throw new Error('timer handler not ready');
    const started = Date.now();
    const outcome = await this.handler(job.data.timerId);
    this.logger.log({ timerId: job.data.timerId, outcome, ms: Date.now() - started }, 'timer job done');
    if (outcome === 'not-due') throw new Error('timer not yet due; retrying');
    return outcome;
  }

  private add(t: Pick<TimerEntity, 'id' | 'dueAt'>): Promise<unknown> {
    return this.queue.add(FIRE_TIMER_JOB, { timerId: t.id }, {
      jobId: t.id,
      delay: Math.max(0, t.dueAt.getTime() - Date.now()),
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  scheduleAfterCommit(timers: Pick<TimerEntity, 'id' | 'dueAt'>[]): void {
    const horizon = Date.now() + this.horizonMs;
    for (const t of timers) {
      if (t.dueAt.getTime() > horizon) continue;
      withTimeout(this.add(t), 2000).catch((err: Error) =>
        this.logger.warn({ timerId: t.id, err: err.message }, 'could not enqueue timer now; the reconciler will'),
      );
    }
  }

  async reconcile(pending: Pick<TimerEntity, 'id' | 'dueAt'>[]): Promise<void> {
    for (const t of pending) {
      const job = await withTimeout(this.queue.getJob(t.id), 2000);
      if (job) {
        const state = await job.getState();
        if (state !== 'failed' && state !== 'completed') continue;
        await job.remove();
      }
      await withTimeout(this.add(t), 2000);
    }
  }

  async health(): Promise<'up' | 'down'> {
    try {
      await withTimeout(this.queue.client.ping(), 500);
      return 'up';
    } catch {
      return 'down';
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
