import { addDuration, isIsoDuration, subtractDuration } from './duration';

/** A wall-clock time in Asia/Shanghai (UTC+8, no DST) as a Date. */
const shanghai = (isoLocal: string) => new Date(`${isoLocal}+08:00`);

describe('isIsoDuration', () => {
  it.each(['P5D', 'P6M', 'PT2S', 'P1Y', 'P2W', 'P15D', 'P30D', 'P1Y2M3DT4H5M6S', 'PT0.5S'])('accepts %p', (v) => {
    expect(isIsoDuration(v)).toBe(true);
  });

  it.each([
    ['words', '5 days'],
    ['empty string', ''],
    ['lower-case designators', 'p5d'],
    ['missing P', '5D'],
    ['time unit without T', 'P2S'],
    ['leading space', ' P5D'],
    ['a number', 5],
    ['null', null],
    ['undefined', undefined],
    ['a luxon-like object', { days: 5 }],
  ])('rejects %s', (_label, v) => {
    expect(isIsoDuration(v)).toBe(false);
  });

  it('rejects a zero duration, which would make a notice period or deadline meaningless', () => {
    expect(isIsoDuration('P0D')).toBe(false);
    expect(isIsoDuration('PT0S')).toBe(false);
  });

  it('rejects a bare P (no component)', () => {
    expect(isIsoDuration('P')).toBe(false);
  });

  it('rejects PT with no time component', () => {
    expect(isIsoDuration('PT')).toBe(false);
  });

  it('rejects negative durations', () => {
    expect(isIsoDuration('-P5D')).toBe(false);
    expect(isIsoDuration('P-5D')).toBe(false);
  });
});

describe('addDuration', () => {
  it('adds P5D as five calendar days', () => {
    expect(addDuration(shanghai('2024-05-10T09:30:00'), 'P5D')).toEqual(shanghai('2024-05-15T09:30:00'));
  });

  it('adds P5D across the end of a leap February', () => {
    expect(addDuration(shanghai('2024-02-26T00:00:00'), 'P5D')).toEqual(shanghai('2024-03-02T00:00:00'));
  });

  it('adds P5D across the end of a year', () => {
    expect(addDuration(shanghai('2024-12-29T18:00:00'), 'P5D')).toEqual(shanghai('2025-01-03T18:00:00'));
  });

  it('adds P6M to a plain date', () => {
    expect(addDuration(shanghai('2024-01-15T00:00:00'), 'P6M')).toEqual(shanghai('2024-07-15T00:00:00'));
  });

  it('clamps P6M from 31 August to the last day of February', () => {
    expect(addDuration(shanghai('2024-08-31T00:00:00'), 'P6M')).toEqual(shanghai('2025-02-28T00:00:00'));
  });

  it('clamps P6M from 31 August to 29 February in a leap year', () => {
    expect(addDuration(shanghai('2023-08-31T10:00:00'), 'P6M')).toEqual(shanghai('2024-02-29T10:00:00'));
  });

  it('clamps P6M from 31 December to 30 June', () => {
    expect(addDuration(shanghai('2024-12-31T00:00:00'), 'P6M')).toEqual(shanghai('2025-06-30T00:00:00'));
  });

  it('counts months on the Shanghai calendar, not the UTC one', () => {
    // 2024-01-31 02:00 in Shanghai is still 2024-01-30 in UTC. One month on the Shanghai
    // calendar clamps to 29 February; on the UTC calendar it would give 1 March in Shanghai.
    const from = shanghai('2024-01-31T02:00:00');
    expect(from.toISOString()).toBe('2024-01-30T18:00:00.000Z');
    expect(addDuration(from, 'P1M')).toEqual(shanghai('2024-02-29T02:00:00'));
  });

  it('counts days on the Shanghai calendar for a time just after Shanghai midnight', () => {
    expect(addDuration(shanghai('2024-02-28T00:30:00'), 'P1D')).toEqual(shanghai('2024-02-29T00:30:00'));
  });

  it('adds PT2S as two seconds', () => {
    const from = new Date('2024-05-10T01:02:03.456Z');
    expect(addDuration(from, 'PT2S').getTime() - from.getTime()).toBe(2000);
  });

  it('adds PT2S across midnight', () => {
    expect(addDuration(shanghai('2024-12-31T23:59:59'), 'PT2S')).toEqual(shanghai('2025-01-01T00:00:01'));
  });

  it('does not modify the input date', () => {
    const from = shanghai('2024-05-10T09:30:00');
    const before = from.getTime();
    addDuration(from, 'P5D');
    expect(from.getTime()).toBe(before);
  });

  it.each(['5 days', '', 'P5', 'five'])('throws for the invalid duration %p', (iso) => {
    expect(() => addDuration(new Date(), iso)).toThrow('invalid ISO-8601 duration');
  });
});

describe('subtractDuration', () => {
  it('subtracts P5D', () => {
    expect(subtractDuration(shanghai('2024-03-02T00:00:00'), 'P5D')).toEqual(shanghai('2024-02-26T00:00:00'));
  });

  it('subtracts P6M and clamps to the end of a shorter month', () => {
    expect(subtractDuration(shanghai('2024-08-31T00:00:00'), 'P6M')).toEqual(shanghai('2024-02-29T00:00:00'));
  });

  it('throws for an invalid duration', () => {
    expect(() => subtractDuration(new Date(), '5 days')).toThrow('invalid ISO-8601 duration');
  });
});
