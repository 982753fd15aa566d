import { beijingDate, earliestRecordDate, maxBackdateOf, recordDateProblem } from './record-date';
import { defaultPolicyValues, type PolicyValues } from '../common/policy/policy-keys';

describe('recordDateProblem: the one check of a stated date (issue 12)', () => {
  // 2026-11-30 00:30 in Beijing is still 2026-11-29 in UTC: days are China's
  const now = new Date('2026-11-29T16:30:00Z');
  const check = (date: string, over: { maxBackdate?: string; start?: string | null } = {}) =>
    recordDateProblem({
      field: 'date',
      label: '措施日期',
      date,
      now,
      maxBackdate: over.maxBackdate ?? 'P30D',
      start: over.start === null ? null : { date: over.start ?? '2025-01-01', label: '纳入监测日期' },
    });

  it('counts days in China time', () => {
    expect(beijingDate(now)).toBe('2026-11-30');
    expect(earliestRecordDate(now, 'P30D')).toBe('2026-10-31');
  });

  it('passes today and exactly at the bound; refuses one day beyond and any future day', () => {
    expect(check('2026-11-30')).toBeNull();
    expect(check('2026-10-31')).toBeNull();
    expect(check('2026-10-30')).toMatchObject({
      rule: 'record_date_within_backdate',
      details: { field: 'date', date: '2026-10-30', bound: '2026-10-31', maxBackdate: 'P30D' },
    });
    expect(check('2026-12-01')).toMatchObject({ rule: 'record_date_not_future', details: { bound: '2026-11-30' } });
  });

  it('refuses a day before the start, whatever the bound', () => {
    expect(check('2026-11-09', { start: '2026-11-10' })).toMatchObject({ rule: 'record_date_not_before_start', details: { bound: '2026-11-10', boundLabel: '纳入监测日期' } });
    expect(check('2026-11-10', { start: '2026-11-10' })).toBeNull();
    expect(check('2026-01-01', { start: null, maxBackdate: 'P1Y' })).toBeNull();
  });

  it('follows the policy bound (months, and test-sized durations)', () => {
    expect(check('2026-08-30', { maxBackdate: 'P3M' })).toBeNull();
    expect(check('2026-08-29', { maxBackdate: 'P3M' })?.rule).toBe('record_date_within_backdate');
    // a bound shorter than a day reaches back to the day it falls on (00:30 − 1 h is yesterday 23:30)
    expect(check('2026-11-29', { maxBackdate: 'PT1H' })).toBeNull();
    expect(check('2026-11-28', { maxBackdate: 'PT1H' })?.rule).toBe('record_date_within_backdate');
  });

  it('names the field, the date and the bound in Chinese', () => {
    const p = check('2026-10-30')!;
    expect(p.message).toBe('措施日期（date）2026-10-30超过补录期限：最早只能填写 2026-10-31（录入时间前 P30D，政策参数 records.maxBackdate）');
    expect(check('2026-12-01')!.message).toBe('措施日期（date）2026-12-01晚于今天（2026-11-30），不能登记将来的日期');
  });

  it('a policy stored before the key existed falls back to the default P30D', () => {
    const values = defaultPolicyValues() as Partial<PolicyValues>;
    delete values['records.maxBackdate'];
    expect(maxBackdateOf(values as PolicyValues)).toBe('P30D');
  });
});
