import { Logger, type OnModuleDestroy } from '@nestjs/common';
import Queue, { type Job, type Queue as BullQueue } from 'bull';
import { type JobHandler, JobQueue, type JobSpec, withTimeout } from './job-queue';
import type { QueueName } from './queue-names';

/** Bull queues on Redis, one per queue name; each job is processed once across instances. */
export class BullJobQueue extends JobQueue implements OnModuleDestroy {
  readonly mode = 'bull' as const;
  private readonly logger = new Logger('JobQueue');
  private readonly queues = new Map<QueueName, BullQueue>();

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    super();
  }

  private queue(name: QueueName): BullQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, this.redisUrl, { prefix: this.prefix });
      q.on('error', (err) => this.logger.warn({ queue: name, err: err.message }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  process<T>(name: QueueName, concurrency: number, handler: JobHandler<T>): void {
    void this.queue(name).process(name, concurrency, async (job: Job<T>) => {
      const attempts = job.opts.attempts ?? 1;
      const attempt = job.attemptsMade + 1;
      const started = Date.now();
      try {
        const result = await handler(job.data, { attempt, lastAttempt: attempt >= attempts });
        this.logger.log({ queue: name, jobId: job.id, attempt, ms: Date.now() - started }, 'job done');
        return result;
      } catch (err) {
        this.logger.warn({ queue: name, jobId: job.id, attempt, err: (err as Error).message }, 'job attempt failed');
        throw err;
      }
    });
  }

  async ensure<T>(name: QueueName, data: T, spec: JobSpec): Promise<boolean> {
    const q = this.queue(name);
    try {
      const job = await withTimeout(q.getJob(spec.jobId), 2000);
      if (job) {
        const state = await withTimeout(job.getState(), 2000);
        if (state !== 'completed' && state !== 'failed' && state !== 'stuck') return true;
        await withTimeout(job.remove(), 2000);
      }
      await withTimeout(
        q.add(name, data, {
          jobId: spec.jobId,
          delay: Math.max(0, spec.delayMs ?? 0),
          attempts: Math.max(1, spec.attempts ?? 1),
          backoff: spec.backoffMs ? { type: 'exponential', delay: spec.backoffMs } : undefined,
          removeOnComplete: true,
          removeOnFail: 1000,
        }),
        2000,
      );
      return true;
    } catch (err) {
      this.logger.warn({ queue: name, jobId: spec.jobId, err: (err as Error).message }, 'could not enqueue now; the reconciler will');
      return false;
    }
  }

  async daily<T>(name: QueueName, data: T, at: { hour: number; minute: number; timeZone: string }): Promise<boolean> {
    try {
      const q = this.queue(name);
      const cron = `${at.minute} ${at.hour} * * *`;
      // a changed time of day: the old schedule goes, or it would fire too
      for (const old of await withTimeout(q.getRepeatableJobs(), 2000)) {
        if (old.name === name && (old.cron !== cron || (old.tz ?? null) !== at.timeZone)) await withTimeout(q.removeRepeatableByKey(old.key), 2000);
      }
      // the same repeat options from every instance make one repeatable job
      await withTimeout(
        q.add(name, data, {
          repeat: { cron, tz: at.timeZone },
          removeOnComplete: true,
          removeOnFail: 100,
        }),
        2000,
      );
      return true;
    } catch (err) {
      this.logger.warn({ queue: name, err: (err as Error).message }, 'could not register the daily job now; will retry');
      return false;
    }
  }

  async health(): Promise<'up' | 'down'> {
    try {
      await withTimeout(this.queue('reminders').client.ping(), 500);
      return 'up';
    } catch {
      return 'down';
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
