/**
 * jest `setupFiles`: with `TEST_CLOCK=HH:mm` (and NODE_ENV=test, which jest sets) every spec of
 * the run reads the clock at that time of day in Asia/Shanghai (REMINDER_TIME_ZONE), before any
 * module of the service is loaded. scripts/clock-runs.sh runs the date-dependent specs at 00:30
 * and 23:30 Beijing time this way. Unset: the real clock.
 */
import { setTestClock } from './test-clock';

const at = process.env.TEST_CLOCK;
if (at && process.env.NODE_ENV === 'test') {
  setTestClock(at, process.env.REMINDER_TIME_ZONE || 'Asia/Shanghai', { base: true });
}
