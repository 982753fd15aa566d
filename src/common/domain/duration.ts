import { DateTime, Duration } from 'luxon';

/** ISO-8601 durations (`P5D`, `P6M`, `PT2S`); calendar units added in Asia/Shanghai time. */
export function isIsoDuration(value: unknown): value is string {
  return typeof value === 'string' && Duration.fromISO(value).isValid && /^P/.test(value);
}

export function addDuration(from: Date, iso: string): Date {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`invalid ISO-8601 duration: ${iso}`);
  return DateTime.fromJSDate(from, { zone: 'Asia/Shanghai' }).plus(d).toJSDate();
}

export function subtractDuration(from: Date, iso: string): Date {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`invalid ISO-8601 duration: ${iso}`);
  return DateTime.fromJSDate(from, { zone: 'Asia/Shanghai' }).minus(d).toJSDate();
}
