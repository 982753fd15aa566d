import { DateTime, Duration } from 'luxon';
import { calendarZone } from './calendar';

/** ISO-8601 durations (`P5D`, `P6M`, `PT2S`); calendar units added in the service's zone (REMINDER_TIME_ZONE, Asia/Shanghai). */
/** Positive ISO-8601 durations only: at least one unit, no signs, not zero (`P`, `PT`, `P-5D`, `P0D` are refused). */
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export function isIsoDuration(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DURATION.test(value)) return false;
  const d = Duration.fromISO(value);
  return d.isValid && d.toMillis() > 0;
}

export function addDuration(from: Date, iso: string): Date {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`invalid ISO-8601 duration: ${iso}`);
  return DateTime.fromJSDate(from, { zone: calendarZone() }).plus(d).toJSDate();
}

export function subtractDuration(from: Date, iso: string): Date {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`invalid ISO-8601 duration: ${iso}`);
  return DateTime.fromJSDate(from, { zone: calendarZone() }).minus(d).toJSDate();
}
