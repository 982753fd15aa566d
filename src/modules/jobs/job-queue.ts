import type { QueueName } from './queue-names';

export interface JobSpec {
  /** the job's identity: adding it again while it is waiting or running adds nothing */
  jobId: string;
  delayMs?: number;
  /** tries in all (1: no retry) */
  attempts?: number;
  /** first retry after this long, doubling each time */
  backoffMs?: number;
}

export interface JobContext {
  /** 1-based */
  attempt: number;
  /** no retry follows if this attempt throws */
  lastAttempt: boolean;
}

export type JobHandler<T> = (data: T, ctx: JobContext) => Promise<unknown>;

/**
 * Port for background work whose source of truth is the database (imports, webhook
 * deliveries, the daily reminder). Two adapters: Bull on Redis when REDIS_URL is set, else
 * in-process. Producers write their rows first and call `ensure` after commit; reconcilers call
 * it again from the database, so a Redis outage or flush delays work and loses none. Handlers
 * guard themselves in the database, so a job run twice does its work once.
 */
export abstract class JobQueue {
  abstract readonly mode: 'bull' | 'in-process';

  abstract process<T>(queue: QueueName, concurrency: number, handler: JobHandler<T>): void;

  /**
   * Adds the job unless one with its id is waiting, delayed or running. Never throws: false
   * when the queue cannot be reached now (the caller's reconciler tries again).
   */
  abstract ensure<T>(queue: QueueName, data: T, spec: JobSpec): Promise<boolean>;

  /** A job run every day at `hour:minute` in `timeZone`, once across instances. */
  abstract daily<T>(queue: QueueName, data: T, at: { hour: number; minute: number; timeZone: string }): Promise<boolean>;

  abstract health(): Promise<'up' | 'down'>;
}

export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
