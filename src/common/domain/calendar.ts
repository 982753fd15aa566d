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
  if (name !== zone) {
    offsets.clear();
    rawOffsets.clear();
  }
  zone = name;
}

export function calendarZone(): string {
  return zone;
}

const at = (instant: Date | string | number) => DateTime.fromJSDate(new Date(instant), { zone });

/*
 * The hot path (issue 21): a date or a local time of an instant without building a luxon
 * DateTime each call. The zone's UTC offset is read once per UTC hour (the way luxon reads it:
 * Intl's wall-clock fields at the instant, truncated to the second) and kept; an hour whose
 * offset changes inside it (a DST or other transition, in any zone) is marked and every instant
 * in it goes through luxon, so the answers are luxon's for any zone. Years outside 1000–9999
 * and invalid instants go through luxon too.
 */
const HOUR_MS = 3_600_000;
/** UTC hour → the zone's offset in ms during all of it (NaN: it changes within that hour) */
const offsets = new Map<number, number>();
let wallClock: { zone: string; format: Intl.DateTimeFormat } | null = null;

/** the zone's offset (ms) at `ms`, as luxon's IANAZone.offset computes it */
function offsetAt(ms: number): number {
  if (!wallClock || wallClock.zone !== zone) {
    wallClock = {
      zone,
      format: new Intl.DateTimeFormat('en-US', { hourCycle: 'h23', timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', era: 'short' }),
    };
  }
  const f: Record<string, string> = {};
  for (const p of wallClock.format.formatToParts(ms)) f[p.type] = p.value;
  let year = Number(f.year);
  if (f.era === 'BC' || f.era === 'B') year = 1 - year;
  const hour = Number(f.hour);
  const asUtc = Date.UTC(year, Number(f.month) - 1, Number(f.day), hour === 24 ? 0 : hour, Number(f.minute), Number(f.second));
  // years 0–99: Date.UTC maps them to 1900+; the offset is then wrong, so such instants never get here
  const over = ms % 1000;
  return asUtc - (ms - (over >= 0 ? over : 1000 + over));
}

/** the zone's offset at `ms` when it is the same all that UTC hour; NaN otherwise */
function cachedOffset(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let off = offsets.get(hour);
  if (off === undefined) {
    const first = offsetAt(hour * HOUR_MS);
    off = first === offsetAt(hour * HOUR_MS + HOUR_MS - 1) ? first : NaN;
    if (offsets.size >= 4096) offsets.clear();
    offsets.set(hour, off);
  }
  return off;
}

const MIN_FAST_MS = Date.UTC(1000, 0, 2);
const MAX_FAST_MS = Date.UTC(9999, 11, 30);

/** the instant's wall clock in the zone as a UTC Date (read with getUTC…), or null: ask luxon */
function wall(instant: Date | string | number): Date | null {
  const ms = typeof instant === 'number' ? instant : instant instanceof Date ? instant.getTime() : new Date(instant).getTime();
  if (!(ms >= MIN_FAST_MS && ms <= MAX_FAST_MS)) return null;
  const off = cachedOffset(ms);
  return Number.isNaN(off) ? null : new Date(ms + off);
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const ymd = (d: Date) => `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;

/** The calendar date (`YYYY-MM-DD`) of an instant, in the service's zone. */
export function calendarDate(instant: Date | string | number = new Date()): string {
  const w = wall(instant);
  return w ? ymd(w) : at(instant).toISODate()!;
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
  const w = wall(instant);
  return w ? `${ymd(w)} ${two(w.getUTCHours())}:${two(w.getUTCMinutes())}` : at(instant).toFormat('yyyy-MM-dd HH:mm');
}

/** An instant seen in the service's zone (luxon), for arithmetic on local days and times. */
export function localDateTimeOf(instant: Date | string | number = new Date()): DateTime {
  return at(instant);
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isCalendarDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(2000, m, 0)).getUTCDate() || (m === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)))) return false;
  // a real date exists in the zone unless the zone skipped all of it, which takes a change of
  // offset across it: the offsets before the day can start anywhere (UTC-12…+14) and after it
  // has ended everywhere are the same → it exists; else luxon judges, as before
  if (y >= 1001 && y <= 9998) {
    const midnightUtc = Date.UTC(y, m - 1, d);
    if (rawOffsetAtHour(midnightUtc - 14 * HOUR_MS) === rawOffsetAtHour(midnightUtc + 36 * HOUR_MS)) return true;
  }
  const dt = DateTime.fromISO(s, { zone });
  return dt.isValid && dt.toISODate() === s;
}

/** UTC hour start → the zone's offset at that instant (no claim about the rest of the hour) */
const rawOffsets = new Map<number, number>();
function rawOffsetAtHour(ms: number): number {
  let off = rawOffsets.get(ms);
  if (off === undefined) {
    off = offsetAt(ms);
    if (rawOffsets.size >= 8192) rawOffsets.clear();
    rawOffsets.set(ms, off);
  }
  return off;
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
