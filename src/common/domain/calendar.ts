/**
 * China's calendar (issue 19): every calendar date the service judges — a birth date, a record's
 * stated date and its back-dating bound, a deadline's day, a notice's end, the day of a digest or
 * a checkpoint, a month of attendance — is a date in ONE time zone, `REMINDER_TIME_ZONE`
 * (Asia/Shanghai by default), never the UTC date of an instant. Nothing else in the service
 * turns an instant into a date or a date into an instant: they call these functions.
 *
 * The zone is set once from the configuration (`loadConfig`); pure code (machines, domain
 * functions) reads it here. Asia/Shanghai has no daylight saving, but nothing below assumes it.
 * Pure: no Nest, no I/O. "Now" is always `new Date()` of the caller, so a test clock that sets
 * the process's time (test/support/test-clock.ts) moves every date here on both engines (no
 * query of the service asks the database for its clock).
 */
import { DateTime, Info } from 'luxon';

export const DEFAULT_CALENDAR_ZONE = 'Asia/Shanghai';
let zone = DEFAULT_CALENDAR_ZONE;

/** Whether `name` is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && Info.isValidIANAZone(name);
}

/** Set by the configuration at start (REMINDER_TIME_ZONE). */
export function setCalendarZone(name: string): void {
  if (!isTimeZone(name)) throw new Error(`unknown time zone: ${name}`);
  zone = name;
}

export function calendarZone(): string {
  return zone;
}

const at = (instant: Date | string | number) => DateTime.fromJSDate(new Date(instant), { zone });

/** The calendar date (`YYYY-MM-DD`) of an instant, in the service's zone. */
export function calendarDate(instant: Date | string | number = new Date()): string {
  return at(instant).toISODate()!;
}

/** Today (`YYYY-MM-DD`) in the service's zone. */
export function today(now: Date | string | number = new Date()): string {
  return calendarDate(now);
}

/** The calendar month (`YYYY-MM`) of an instant, in the service's zone. */
export function calendarMonth(instant: Date | string | number = new Date()): string {
  return calendarDate(instant).slice(0, 7);
}

/** `YYYY-MM-DD HH:mm` of an instant in the service's zone: what a Chinese message shows. */
export function localDateTime(instant: Date | string | number): string {
  return at(instant).toFormat('yyyy-MM-dd HH:mm');
}

/** An instant seen in the service's zone (luxon), for arithmetic on local days and times. */
export function localDateTimeOf(instant: Date | string | number = new Date()): DateTime {
  return at(instant);
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isCalendarDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = DateTime.fromISO(s, { zone });
  return d.isValid && d.toISODate() === s;
}

/** The first instant of a calendar day in the service's zone. */
export function startOfCalendarDay(date: string): Date {
  const d = DateTime.fromISO(date, { zone });
  if (!d.isValid) throw new Error(`invalid calendar date: ${date}`);
  return d.startOf('day').toJSDate();
}

/** The last instant (…23:59:59.999) of a calendar day in the service's zone. */
export function endOfCalendarDay(date: string): Date {
  const d = DateTime.fromISO(date, { zone });
  if (!d.isValid) throw new Error(`invalid calendar date: ${date}`);
  return d.endOf('day').toJSDate();
}

/** Days in a month (`month` 1–12). */
export function daysInMonth(year: number, month: number): number {
  return DateTime.fromObject({ year, month, day: 1 }, { zone }).daysInMonth ?? 0;
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

/** Whole years from a birth date (`YYYY-MM-DD`) to the calendar date of an instant. */
export function ageOn(birthDate: string, instant: Date | string | number = new Date()): number {
  const [ty, tm, td] = calendarDate(instant).split('-').map(Number);
  const [y, m, d] = birthDate.split('-').map(Number);
  let age = ty - y;
  if (tm < m || (tm === m && td < d)) age -= 1;
  return age;
}
