import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { TimerEntity } from '../../database/entities';
import { TimerScheduler } from './timer-scheduler';

/**
 * The embedded default (one process, no Redis): the same handler, run by setTimeout. Timers
 * further away than the reconcile horizon are picked up by a later reconcile tick.
 */
export class InProcessTimerScheduler extends TimerScheduler implements OnModuleDestroy {
  readonly mode = 'in-process' as const;
  private readonly logger = new Logger('TimerQueue');
  private readonly scheduled = new Map<string, NodeJS.Timeout>();

  constructor(private readonly horizonMs: number) {
    super();
  }

  private schedule(t: Pick<TimerEntity, 'id' | 'dueAt'>): void {
    const delay = Math.max(0, t.dueAt.getTime() - Date.now());
    if (this.scheduled.has(t.id) || delay > this.horizonMs) return;
    const handle = setTimeout(() => {
      this.scheduled.delete(t.id);
      void this.fire(t);
    }, delay);
    handle.unref();
    this.scheduled.set(t.id, handle);
  }

  private async fire(t: Pick<TimerEntity, 'id' | 'dueAt'>): Promise<void> {
    const timerId = t.id;
    try {
      const outcome = await this.handler?.(timerId);
      this.logger.log({ timerId, outcome }, 'timer done');
      // setTimeout may wake a millisecond early: try again at the due time, not a reconcile later
      if (outcome === 'not-due') this.schedule(t);
    } catch (err) {
      // left pending in the database: the next reconcile tries again
      this.logger.error({ timerId, err: (err as Error).message }, 'timer failed');
    }
  }

  scheduleAfterCommit(timers: Pick<TimerEntity, 'id' | 'dueAt'>[]): void {
    timers.forEach((t) => this.schedule(t));
  }

  async reconcile(pending: Pick<TimerEntity, 'id' | 'dueAt'>[]): Promise<void> {
    pending.forEach((t) => this.schedule(t));
  }

  async health(): Promise<'up' | 'down'> {
    return 'up';
  }

  onModuleDestroy(): void {
    this.scheduled.forEach((h) => clearTimeout(h));
    this.scheduled.clear();
  }
}
