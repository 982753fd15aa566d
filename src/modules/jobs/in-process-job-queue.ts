import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { DateTime } from 'luxon';
import { type JobHandler, JobQueue, type JobSpec } from './job-queue';
import type { QueueName } from './queue-names';

/**
 * The embedded default (one process, no Redis): the same handlers, run by timers in this
 * process with the same retry and back-off. What is lost with the process is re-created from
 * the database by the reconcilers at the next start.
 */
export class InProcessJobQueue extends JobQueue implements OnModuleDestroy {
  readonly mode = 'in-process' as const;
  private readonly logger = new Logger('JobQueue');
  private readonly handlers = new Map<QueueName, { concurrency: number; handler: JobHandler<unknown> }>();
  /** job ids waiting, retrying or running */
  private readonly live = new Map<string, NodeJS.Timeout | null>();
  private readonly running = new Map<QueueName, number>();
  private readonly waiting = new Map<QueueName, Array<() => void>>();
  private closed = false;

  process<T>(queue: QueueName, concurrency: number, handler: JobHandler<T>): void {
    this.handlers.set(queue, { concurrency, handler: handler as JobHandler<unknown> });
  }

  async ensure<T>(queue: QueueName, data: T, spec: JobSpec): Promise<boolean> {
    const key = `${queue}:${spec.jobId}`;
    if (this.live.has(key) || this.closed) return true;
    this.later(queue, key, data, spec, 1, Math.max(0, spec.delayMs ?? 0));
    return true;
  }

  private later(queue: QueueName, key: string, data: unknown, spec: JobSpec, attempt: number, delay: number): void {
    const handle = setTimeout(() => void this.run(queue, key, data, spec, attempt), delay);
    handle.unref();
    this.live.set(key, handle);
  }

  private async slot(queue: QueueName): Promise<void> {
    const limit = this.handlers.get(queue)?.concurrency ?? 1;
    while ((this.running.get(queue) ?? 0) >= limit) {
      await new Promise<void>((resolve) => this.waiting.set(queue, [...(this.waiting.get(queue) ?? []), resolve]));
    }
    this.running.set(queue, (this.running.get(queue) ?? 0) + 1);
  }

  private release(queue: QueueName): void {
    this.running.set(queue, (this.running.get(queue) ?? 1) - 1);
    const next = this.waiting.get(queue)?.shift();
    next?.();
  }

  private async run(queue: QueueName, key: string, data: unknown, spec: JobSpec, attempt: number): Promise<void> {
    const h = this.handlers.get(queue);
    if (!h || this.closed) {
      this.live.delete(key);
      return;
    }
    this.live.set(key, null);
    const attempts = Math.max(1, spec.attempts ?? 1);
    await this.slot(queue);
    try {
      await h.handler(data, { attempt, lastAttempt: attempt >= attempts });
      this.live.delete(key);
    } catch (err) {
      this.logger.warn({ queue, jobId: spec.jobId, attempt, err: (err as Error).message }, 'job attempt failed');
      if (attempt < attempts && !this.closed) {
        // as Bull's exponential back-off: (2^n − 1) × base after the n-th failure
        this.later(queue, key, data, spec, attempt + 1, (spec.backoffMs ?? 1000) * (2 ** attempt - 1));
      } else {
        this.live.delete(key);
      }
    } finally {
      this.release(queue);
    }
  }

  async daily<T>(queue: QueueName, data: T, at: { hour: number; minute: number; timeZone: string }): Promise<boolean> {
    const key = `${queue}:daily`;
    if (this.live.has(key) || this.closed) return true;
    const now = DateTime.now().setZone(at.timeZone);
    let next = now.set({ hour: at.hour, minute: at.minute, second: 0, millisecond: 0 });
    if (next <= now) next = next.plus({ days: 1 });
    const handle = setTimeout(async () => {
      this.live.delete(key);
      try {
        await this.handlers.get(queue)?.handler(data, { attempt: 1, lastAttempt: true });
      } catch (err) {
        this.logger.error({ queue, err: (err as Error).message }, 'daily job failed');
      }
      void this.daily(queue, data, at);
    }, next.toMillis() - now.toMillis());
    handle.unref();
    this.live.set(key, handle);
    return true;
  }

  async health(): Promise<'up' | 'down'> {
    return 'up';
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.live.forEach((h) => h && clearTimeout(h));
    this.live.clear();
    this.waiting.forEach((ws) => ws.forEach((w) => w()));
  }
}
