import type { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { JobRunEntity } from '../notifications/notifications.entities';
import type { JobQueue } from './job-queue';
import { every } from './periodic';
import type { QueueName } from './queue-names';

export interface DailyAt {
  hour: number;
  minute: number;
  timeZone: string;
}

/**
 * A job run once a day (the overdue reminder, the audit checkpoint): processed by the queue
 * (Bull repeatable job, or in-process), the repeatable job registered again every tick — after a
 * Redis flush it is gone, and registering again is idempotent — and today's run caught up when
 * its time has passed and no instance ran it (`catchUp`, see `dueToday`).
 */
export function scheduleDaily<T>(args: {
  queue: JobQueue;
  name: QueueName;
  data: T;
  at: DailyAt;
  everyMs: number;
  run: () => Promise<unknown>;
  catchUp: () => Promise<unknown>;
  logger: Logger;
  what: string;
}): { stop(): void } {
  args.queue.process<T>(args.name, 1, () => args.run());
  return every(args.everyMs, async () => {
    await args.queue.daily<T>(args.name, args.data, args.at);
    await args.catchUp().catch((err: Error) => args.logger.warn({ err: err.message }, `${args.what} catch-up failed; will retry`));
  });
}

/**
 * The day (`YYYY-MM-DD` in the job's time zone) whose run is due and missing at `now`: its time
 * has passed and no `job_runs` row of `job` says it ran (the row is written in the run's own
 * transaction, so a day runs once however many instances try). Null when nothing is due.
 */
export async function dueToday(em: EntityManager, job: string, at: DailyAt, now: Date): Promise<string | null> {
  const local = DateTime.fromJSDate(now).setZone(at.timeZone);
  if (local < local.set({ hour: at.hour, minute: at.minute, second: 0, millisecond: 0 })) return null;
  const period = local.toISODate()!;
  return (await em.existsBy(JobRunEntity, { name: job, period })) ? null : period;
}
