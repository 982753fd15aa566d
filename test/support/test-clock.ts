/**
 * A clock the tests can set (issue 19, "China's calendar, at any hour"). Installed for a whole
 * jest run by test/support/clock-setup.ts when `TEST_CLOCK=HH:mm` is set (NODE_ENV=test only),
 * or by a spec directly (`setTestClock`). It shifts the process's `Date` by an offset: time still
 * runs at its real speed (timers, notice periods of seconds, JWT lifetimes behave as always), only
 * the wall clock reads another hour. The service never asks a database for its clock (no now(),
 * CURRENT_TIMESTAMP or date('now') in any query or column default), so the shifted `Date` is the
 * clock of both engines — SQLite and PostgreSQL + Redis/Bull — in the e2e specs, which run the
 * service in the jest process.
 */
import { DateTime } from 'luxon';

const g = globalThis as unknown as { Date: DateConstructor; __realDate?: DateConstructor; __clockOffsetMs?: number; __clockBaseMs?: number };
const RealDate: DateConstructor = g.__realDate ?? g.Date;
g.__realDate = RealDate;
if (g.__clockOffsetMs === undefined) g.__clockOffsetMs = 0;

function install(): void {
  if (g.Date !== RealDate) return;
  const realNow = RealDate.now.bind(RealDate);
  const ClockDate = function (this: unknown, ...args: unknown[]) {
    const now = realNow() + (g.__clockOffsetMs ?? 0);
    if (!new.target) return new RealDate(now).toString();
    return Reflect.construct(RealDate, args.length ? args : [now], new.target);
  } as unknown as DateConstructor;
  // statics (parse, UTC) and prototype: RealDate.prototype, so every Date is `instanceof Date`
  Object.defineProperties(ClockDate, Object.getOwnPropertyDescriptors(RealDate));
  ClockDate.now = () => realNow() + (g.__clockOffsetMs ?? 0);
  g.Date = ClockDate;
}

/**
 * Sets the clock to the next-or-current `hh:mm` of today in `zone` (as the calendar reads it
 * now), e.g. `setTestClock('00:30')` → today 00:30 Beijing; time runs on from there.
 * Returns the instant the clock was set to.
 */
export function setTestClock(hhmm: string, zone = 'Asia/Shanghai', opts: { base?: boolean } = {}): Date {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`TEST_CLOCK must be HH:mm, got "${hhmm}"`);
  const real = RealDate.now();
  const target = DateTime.fromMillis(real, { zone }).set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
  install();
  g.__clockOffsetMs = target.toMillis() - real;
  if (opts.base) g.__clockBaseMs = g.__clockOffsetMs;
  return new RealDate(target.toMillis());
}

/** Back to the run's clock: the real time, or TEST_CLOCK's when the run was started with it. */
export function resetTestClock(): void {
  g.__clockOffsetMs = g.__clockBaseMs ?? 0;
}

export function testClockOffsetMs(): number {
  return g.__clockOffsetMs ?? 0;
}
