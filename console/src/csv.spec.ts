import { parseCsv } from './csv';

describe('parseCsv (the household import report as the service writes it)', () => {
  it('drops the BOM, splits CRLF rows and keeps quoted commas, quotes and line breaks', () => {
    expect(parseCsv('\uFEFF行号,姓名\r\n1,"霍,长顺"\r\n2,"a ""b""\nc"\r\n')).toEqual([['行号', '姓名'], ['1', '霍,长顺'], ['2', 'a "b"\nc']]);
  });
  it('keeps empty cells and a last row without a line end', () => {
    expect(parseCsv('a,,c\r\n,,')).toEqual([['a', '', 'c'], ['', '', '']]);
  });
});
