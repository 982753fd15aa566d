import { toCsv } from './download';
import { query } from './defs';

describe('ledger CSV built in the console (ledgers the service answers as JSON only)', () => {
  it('starts with a BOM and the Chinese header row; quotes commas, quotes and line breaks', () => {
    const csv = toCsv([{ label: '户主' }, { label: '备注' }], [['王建国', '住院,自付"4万"'], ['李四', '第一行\n第二行']]);
    expect(csv.startsWith('\uFEFF户主,备注\r\n')).toBe(true);
    expect(csv).toContain('王建国,"住院,自付""4万"""\r\n');
    expect(csv).toContain('李四,"第一行\n第二行"\r\n');
  });

  it('keeps a spreadsheet from reading a cell as a formula, but not a negative number', () => {
    const csv = toCsv([{ label: '值' }], [['=HYPERLINK("x")'], ['@SUM(A1)'], ['-12.5'], ['+1']]);
    const lines = csv.replace('\uFEFF', '').split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""x"")"`);
    expect(lines[2]).toBe(`'@SUM(A1)`);
    expect(lines[3]).toBe('-12.5');
    expect(lines[4]).toBe(`'+1`);
  });

  it('a query string drops empty filters and never carries anything but the filters', () => {
    expect(query({ areaCode: '411003000000', colour: '', status: undefined, page: 2 })).toBe('?areaCode=411003000000&page=2');
    expect(query({ areaCode: '' })).toBe('');
  });
});
