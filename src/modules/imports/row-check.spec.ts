import { checkCharacter } from '../../common/domain/id-number';
import type { AlertFileRow } from './alert-file';
import { ALERT_FIELD_LIMITS, checkRows, rowChecker } from './row-check';

const id = (seq: number) => {
  const first17 = `41100319700101${String(seq).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
};
const row = (n: number, over: Partial<AlertFileRow> = {}): AlertFileRow => ({
  rowNumber: n,
  idNumber: id(n),
  name: '某某',
  areaCode: '411003100201',
  source: null,
  description: null,
  ...over,
});
const COUNTY = '411003000000';

describe('alert row checks (SF-01)', () => {
  it('accepts a valid row and takes the file source when the row names none', () => {
    const [r] = checkRows([row(1)], { fileSource: 'dibao', uploaderArea: COUNTY });
    expect(r).toMatchObject({ errors: [], source: 'dibao', duplicateOf: null });
  });

  it('a row may name its own source, by id or by its Chinese title', () => {
    const out = checkRows([row(1, { source: '特困' }), row(2, { source: 'medical_expense' })], { fileSource: 'dibao', uploaderArea: COUNTY });
    expect(out.map((r) => r.source)).toEqual(['tekun', 'medical_expense']);
  });

  it('names each problem: check digit, non-village or malformed code, outside the area, unknown source', () => {
    const bad = id(3).slice(0, 17) + (id(3)[17] === '0' ? '1' : '0');
    const out = checkRows(
      [
        row(1, { idNumber: bad }),
        row(2, { areaCode: '411003100000' }),
        row(3, { areaCode: '41100310020' }),
        row(4, { areaCode: '411002001001' }),
        row(5, { source: '彩票' }),
        row(6, { idNumber: '', areaCode: '', source: '?' }),
      ],
      { fileSource: 'dibao', uploaderArea: COUNTY },
    );
    expect(out.map((r) => r.errors)).toEqual([
      ['id_number_invalid'],
      ['area_code_invalid'],
      ['area_code_invalid'],
      ['area_outside'],
      ['source_unknown'],
      ['id_number_invalid', 'area_code_invalid', 'source_unknown'],
    ]);
  });

  it('a township uploader may only list villages of its own township', () => {
    const out = checkRows([row(1), row(2, { areaCode: '411003101201' })], { fileSource: 'dibao', uploaderArea: '411003100000' });
    expect(out.map((r) => r.errors)).toEqual([[], ['area_outside']]);
  });

  it('the first row of an ID number wins; later ones are duplicates of it, invalid rows never count as the first', () => {
    const out = checkRows(
      [row(1, { idNumber: id(9), areaCode: '411002001001' }), row(2, { idNumber: id(9) }), row(3, { idNumber: id(9) })],
      { fileSource: 'dibao', uploaderArea: COUNTY },
    );
    expect(out.map((r) => r.duplicateOf)).toEqual([null, null, 2]);
  });
});

describe('trust: an alert row whose name or description is longer than it may be is refused, never cut (issue 19 item 3)', () => {
  it.each(Object.entries(ALERT_FIELD_LIMITS))('trust: %s at its limit passes, one character more is the row’s named refusal', (field, max) => {
    const check = rowChecker({ fileSource: 'dibao', uploaderArea: COUNTY });
    expect(check(row(1, { [field]: '字'.repeat(max) })).errors).toEqual([]);
    expect(check(row(2, { [field]: '字'.repeat(max + 1) })).errors).toEqual([`${field}_too_long`]);
  });
});
