/** Queue and job names, in one place. */
export const TIMER_QUEUE = 'timers';
export const FIRE_TIMER_JOB = 'fire-timer';

export interface FireTimerPayload {
  timerId: string;
}
