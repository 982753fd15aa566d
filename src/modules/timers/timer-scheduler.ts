import type { TimerEntity } from '../../database/entities';

export type TimerHandler = (timerId: string) => Promise<unknown>;

/**
 * Port: executes timers stored in the database (the source of truth). Two adapters: Bull on
 * Redis when REDIS_URL is set, else in-process. Both re-create pending timers from the
 * database at start and on every reconcile tick, so a restart or a Redis flush loses none;
 * a timer executed twice transitions once because the engine claims the timer row.
 */
export abstract class TimerScheduler {
  protected handler: TimerHandler | null = null;

  setHandler(handler: TimerHandler): void {
    this.handler = handler;
  }

  /** Called after the transaction that created the timers has committed; never throws. */
  abstract scheduleAfterCommit(timers: Pick<TimerEntity, 'id' | 'dueAt'>[]): void;

  /** Makes sure every pending timer due within the horizon is scheduled. */
  abstract reconcile(pending: Pick<TimerEntity, 'id' | 'dueAt'>[]): Promise<void>;

  abstract health(): Promise<'up' | 'down'>;

  abstract readonly mode: 'bull' | 'in-process';
}
