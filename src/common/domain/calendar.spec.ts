import { checkCharacter, idNumberProblem } from './id-number';
import { ageOn, calendarDate, calendarDaysBetween, calendarMonth, calendarZone, daysInMonth, endOfCalendarDay, isCalendarDate, localDateTime, setCalendarZone, startOfCalendarDay, today } from './calendar';
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
