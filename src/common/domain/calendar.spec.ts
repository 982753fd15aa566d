import { checkCharacter, idNumberProblem } from './id-number';
import { ageOn, calendarDate, calendarDaysBetween, calendarMonth, calendarZone, daysInMonth, endOfCalendarDay, isCalendarDate, localDateTime, setCalendarZone, startOfCalendarDay, today } from './calendar';
import { DateTime } from 'luxon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/app-config';
import { setTestClock, resetTestClock } from '../../../test/support/test-clock';

// 00:30 on 1 January 2027 in Beijing is 16:30 UTC on 31 December 2026: day, month and year differ
const NEW_YEAR_0030 = new Date('2026-12-31T16:30:00Z');
const id = (birth: string) => {
  const first17 = `411003${birth.replace(/-/g, '')}123`;
  return first17 + checkCharacter(first17);
};

describe('China\'s calendar (issue 19): one helper for every date the service judges', () => {
  afterEach(() => {
    resetTestClock();
    setCalendarZone('Asia/Shanghai');
  });

  it('trust: an instant\'s date, month and local time are China\'s, not UTC\'s, at 00:30 and 23:30 Beijing time', () => {
    expect(calendarZone()).toBe('Asia/Shanghai');
    expect(calendarDate(NEW_YEAR_0030)).toBe('2027-01-01');
    expect(calendarMonth(NEW_YEAR_0030)).toBe('2027-01');
    expect(localDateTime(NEW_YEAR_0030)).toBe('2027-01-01 00:30');
    expect(calendarDate(new Date('2027-01-01T15:30:00Z'))).toBe('2027-01-01'); // 23:30 Beijing
    expect(calendarDate(new Date('2027-01-01T16:00:00Z'))).toBe('2027-01-02'); // midnight Beijing
  });

  it('trust: a day starts and ends at China\'s midnight; ages turn on China\'s birthday', () => {
    expect(startOfCalendarDay('2027-01-01').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(endOfCalendarDay('2027-01-01').toISOString()).toBe('2027-01-01T15:59:59.999Z');
    // born 1 January 1967: 60 at 00:30 on 1 January 2027 in Beijing (still 59 in UTC)
    expect(ageOn('1967-01-01', NEW_YEAR_0030)).toBe(60);
    expect(ageOn('1967-01-02', NEW_YEAR_0030)).toBe(59);
  });

  it('dates are checked as calendar dates; months and day counts', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-13-01')).toBe(false);
    expect(isCalendarDate('2027-1-01')).toBe(false);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(calendarDaysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(calendarDaysBetween('2027-01-02', '2026-12-30')).toBe(-3);
  });

  it.each(['00:30', '23:30'])('trust: an ID number of a child born today in Beijing is valid at %s Beijing time; tomorrow is not', (hour) => {
    setTestClock(hour);
    const day = today();
    expect(idNumberProblem(id(day))).toBeNull();
    const tomorrow = calendarDate(startOfCalendarDay(day).getTime() + 36 * 3600_000);
    expect(idNumberProblem(id(tomorrow))).toBe('身份证号中的出生日期无效');
  });

  it('the zone is the configured one (REMINDER_TIME_ZONE); an unknown zone is refused', () => {
    setCalendarZone('UTC');
    expect(calendarDate(NEW_YEAR_0030)).toBe('2026-12-31');
    expect(() => setCalendarZone('Asia/Beijing')).toThrow('unknown time zone');
    expect(calendarZone()).toBe('UTC');
  });

  it('REMINDER_TIME_ZONE sets the calendar of the whole service; an unknown zone refuses to start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendar-config-'));
    try {
      expect(() => loadConfig({ DATA_DIR: dir, REMINDER_TIME_ZONE: 'Asia/Beijing' })).toThrow(ConfigError);
      const config = loadConfig({ DATA_DIR: dir, REMINDER_TIME_ZONE: 'Asia/Urumqi' });
      expect(config.reminders.timeZone).toBe('Asia/Urumqi');
      expect(calendarZone()).toBe('Asia/Urumqi');
      loadConfig({ DATA_DIR: dir });
      expect(calendarZone()).toBe('Asia/Shanghai');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the fast calendar (issue 21) answers exactly what luxon answers, in any zone', () => {
  afterEach(() => setCalendarZone('Asia/Shanghai'));
  // zones with DST, half- and quarter-hour offsets, a 30-minute DST shift, a whole skipped day, LMT seconds
  const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Apia', 'Pacific/Kiritimati', 'Asia/Kolkata', 'America/Sao_Paulo'];
  const luxonDate = (ms: number, zone: string) => DateTime.fromJSDate(new Date(ms), { zone }).toISODate();
  const luxonLocal = (ms: number, zone: string) => DateTime.fromJSDate(new Date(ms), { zone }).toFormat('yyyy-MM-dd HH:mm');
  const luxonIsDate = (s: string, zone: string) => {
    const d = DateTime.fromISO(s, { zone });
    return d.isValid && d.toISODate() === s;
  };
  let seed = 21;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  it.each(ZONES)('calendarDate and localDateTime in %s: random instants 1900–2100 and every 41 minutes of this year\'s transitions', (zone) => {
    setCalendarZone(zone);
    const instants: number[] = [];
    for (let i = 0; i < 1500; i++) instants.push(Math.floor(Date.UTC(1900, 0, 1) + random() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1))));
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 41 * 60_000 + 13_001) instants.push(t);
    const wrong: unknown[] = [];
    for (const ms of instants) {
      if (calendarDate(ms) !== luxonDate(ms, zone)) wrong.push(['calendarDate', ms]);
      if (localDateTime(new Date(ms)) !== luxonLocal(ms, zone)) wrong.push(['localDateTime', ms]);
    }
    expect(wrong).toEqual([]);
    expect(calendarDate(new Date(Date.UTC(2026, 5, 1)).toISOString())).toBe(luxonDate(Date.UTC(2026, 5, 1), zone));
    expect(calendarDate(Number.NaN)).toBe(luxonDate(Number.NaN, zone));
  });

  it.each(ZONES)('isCalendarDate in %s: every day of 2011–2012 and of 1900–2100 sampled, and impossible dates', (zone) => {
    setCalendarZone(zone);
    const days: string[] = [];
    for (let t = Date.UTC(2011, 0, 1); t < Date.UTC(2013, 0, 1); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    for (let i = 0; i < 1500; i++) days.push(new Date(Date.UTC(1900, 0, 1) + random() * 200 * 365.25 * 86_400_000).toISOString().slice(0, 10));
    days.push('2027-02-29', '2028-02-29', '1900-02-29', '2000-02-29', '2027-04-31', '2027-00-10', '2027-12-32', '0000-01-01', '0999-12-31', '9999-12-31', '2027-06-00');
    expect(days.filter((s) => isCalendarDate(s) !== luxonIsDate(s, zone))).toEqual([]);
    if (zone === 'Pacific/Apia') expect(isCalendarDate('2011-12-30')).toBe(false); // Samoa skipped it
  });
});
