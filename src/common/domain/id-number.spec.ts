import { birthDateOf, checkCharacter, idNumberProblem, maskIdNumber, maskName, maskPhone } from './id-number';

const FORMAT = '身份证号应为18位，最后一位可为数字或X';
const BAD_DATE = '身份证号中的出生日期无效';
const BAD_CHECK = '身份证号校验位不正确';

/** A well-formed ID: 6-digit region, yyyymmdd birth date, 3-digit sequence, computed check character. */
function makeId(region: string, birth: string, seq = '123'): string {
  const first17 = `${region}${birth}${seq}`;
  expect(first17).toMatch(/^\d{17}$/);
  return first17 + checkCharacter(first17);
}

/** Replace the check character with a different valid-looking one. */
function withWrongCheck(id: string): string {
  const wrong = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}

describe('checkCharacter (ISO 7064 MOD 11-2)', () => {
  it('gives X for the GB 11643 example 11010519491231002X', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
  });

  it('gives 4 for the GB 11643 example 440524188001010014', () => {
    expect(checkCharacter('44052418800101001')).toBe('4');
  });

  // The check character for weighted sum S is "10X98765432"[S mod 11]. The last position has
  // weight 2 and the second position weight 9, so these inputs reach every residue 0..10.
  it.each([
    ['00000000000000000', 0, '1'],
    ['00000000000000001', 2, 'X'],
    ['00000000000000002', 4, '8'],
    ['00000000000000003', 6, '6'],
    ['00000000000000004', 8, '4'],
    ['00000000000000005', 10, '2'],
    ['00000000000000006', 1, '0'],
    ['00000000000000007', 3, '9'],
    ['00000000000000008', 5, '7'],
    ['00000000000000009', 7, '5'],
    ['01000000000000000', 9, '3'],
  ])('maps %s (sum mod 11 = %d) to %s', (first17, _residue, expected) => {
    expect(checkCharacter(first17)).toBe(expected);
  });

  it('uses the weight of each position (first position weighs 7)', () => {
    // 1*7 = 7 → '5'; a position-insensitive sum would give 1 → '0'
    expect(checkCharacter('10000000000000000')).toBe('5');
  });
});

describe('idNumberProblem', () => {
  it('accepts the GB 11643 example with X check character', () => {
    expect(idNumberProblem('11010519491231002X')).toBeNull();
  });

  it('accepts an ID built with checkCharacter', () => {
    const id = makeId('411003', '19800229', '051');
    expect(idNumberProblem(id)).toBeNull();
  });

  it('accepts an ID whose check character is a digit', () => {
    const id = makeId('411003', '19750615', '000');
    expect(id[17]).toMatch(/\d/);
    expect(idNumberProblem(id)).toBeNull();
  });

  it('accepts a birth date of 1900-01-01 (earliest allowed year)', () => {
    expect(idNumberProblem(makeId('110105', '19000101'))).toBeNull();
  });

  it('rejects a wrong check digit', () => {
    const id = makeId('411003', '19800229', '051');
    expect(idNumberProblem(withWrongCheck(id))).toBe(BAD_CHECK);
  });

  it('rejects the GB example when its X is replaced by a digit', () => {
    expect(idNumberProblem('110105194912310020')).toBe(BAD_CHECK);
  });

  it('detects any single changed digit outside the birth date', () => {
    const id = makeId('411003', '19650710', '427');
    for (const pos of [0, 1, 2, 3, 4, 5, 14, 15, 16]) {
      const changed = String((Number(id[pos]) + 1) % 10);
      const tampered = id.slice(0, pos) + changed + id.slice(pos + 1);
      expect({ pos, problem: idNumberProblem(tampered) }).toEqual({ pos, problem: BAD_CHECK });
    }
  });

  it.each([
    ['month 13', '19801301'],
    ['month 00', '19800001'],
    ['day 00', '19800100'],
    ['day 32', '19800132'],
    ['30 February', '19800230'],
    ['29 February in a non-leap year', '19810229'],
    ['29 February 1900 (not a leap year)', '19000229'],
    ['31 April', '19800431'],
    ['year before 1900', '18991231'],
    ['a birth date in the future', '20991231'],
  ])('rejects %s even with a correct check character', (_label, birth) => {
    expect(idNumberProblem(makeId('411003', birth))).toBe(BAD_DATE);
  });

  it('rejects the GB example 440524188001010014 because 1880 is before 1900', () => {
    expect(idNumberProblem('440524188001010014')).toBe(BAD_DATE);
  });

  it.each([
    ['17 characters', '11010519491231002'],
    ['19 characters', '11010519491231002X0'],
    ['15-digit legacy number', '110105491231002'],
    ['empty string', ''],
    ['X in the middle', '1101051949X231002X'],
    ['letter other than X as check', '11010519491231002A'],
    ['surrounding whitespace', ' 11010519491231002X'],
    ['full-width digits', '１１０１０５１９４９１２３１００２X'],
  ])('rejects %s as malformed', (_label, id) => {
    expect(idNumberProblem(id)).toBe(FORMAT);
  });

  it.each([
    ['a number', 110105194912310020],
    ['null', null],
    ['undefined', undefined],
    ['an object', { id: '11010519491231002X' }],
  ])('rejects %s as malformed', (_label, id) => {
    expect(idNumberProblem(id)).toBe(FORMAT);
  });
});

describe('birthDateOf', () => {
  it('extracts yyyy-mm-dd from positions 7-14', () => {
    expect(birthDateOf('11010519491231002X')).toBe('1949-12-31');
  });

  it('keeps leading zeros of month and day', () => {
    expect(birthDateOf(makeId('411003', '20010203'))).toBe('2001-02-03');
  });
});

describe('maskIdNumber', () => {
  it('keeps the first four and last four characters of an 18-character ID', () => {
    expect(maskIdNumber('411003198002291234')).toBe('4110**********1234');
  });

  it('keeps an X check character visible', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });

  it('masks the birth date entirely', () => {
    const masked = maskIdNumber('11010519491231002X');
    expect(masked).not.toContain('1949');
    expect(masked).toHaveLength(18);
  });

  it('masks the middle of a 15-digit legacy number', () => {
    expect(maskIdNumber('110105491231002')).toBe('1101*******1002');
  });

  it('masks every character of a string shorter than 8', () => {
    expect(maskIdNumber('1234567')).toBe('*******');
    expect(maskIdNumber('')).toBe('');
  });
});

describe('maskPhone', () => {
  it('keeps the first three and last four digits of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('masks a landline with area code the same way', () => {
    expect(maskPhone('037412345678')).toBe('037****5678');
  });

  it('keeps only the last two characters of a short number', () => {
    expect(maskPhone('1234567')).toBe('*****67');
    expect(maskPhone('110')).toBe('*10');
  });

  it('returns null for null and undefined', () => {
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone(undefined)).toBeNull();
  });

  it('returns an empty string unchanged', () => {
    expect(maskPhone('')).toBe('');
  });
});

describe('maskName', () => {
  it('masks the second character of a two-character name', () => {
    expect(maskName('张三')).toBe('张*');
  });

  it('keeps first and last character of longer names', () => {
    expect(maskName('李小明')).toBe('李*明');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
  });

  it('leaves a single character and the empty string unchanged', () => {
    expect(maskName('王')).toBe('王');
    expect(maskName('')).toBe('');
  });

  it('counts characters outside the BMP as one character', () => {
    // 𠀋 is U+2000B (a surrogate pair in UTF-16)
    expect(maskName('𠀋一')).toBe('𠀋*');
    expect(maskName('张𠀋三')).toBe('张*三');
  });
});
