import { AREA_LEVELS, areaPrefix, isAreaCode, isWithin, levelOf, lineageOf, parentOf } from './area';

const PROVINCE = '410000000000'; // 河南省
const CITY = '411000000000'; // 许昌市
const COUNTY = '411003000000'; // 建安区
const TOWNSHIP = '411003100000'; // 灵井镇
const VILLAGE = '411003100201'; // 霍庄村

describe('levelOf', () => {
  it.each([
    [PROVINCE, 'province'],
    [CITY, 'city'],
    [COUNTY, 'county'],
    [TOWNSHIP, 'township'],
    [VILLAGE, 'village'],
    ['110101001001', 'village'],
    ['110101001000', 'township'],
    ['110101000000', 'county'],
    ['110100000000', 'city'],
    ['110000000000', 'province'],
    ['429004000000', 'county'], // 仙桃市, a county-level city directly under the province
  ])('reads %s as %s', (code, level) => {
    expect(levelOf(code)).toBe(level);
  });

  it('reads a village code ending in 0 as a village (only the whole segment counts)', () => {
    expect(levelOf('411003100210')).toBe('village');
  });

  it('reads a township segment ending in zeros as a township', () => {
    expect(levelOf('411003200000')).toBe('township');
  });

  it.each([
    ['11 digits', '41000000000'],
    ['13 digits', '4100000000000'],
    ['6-digit county code', '411003'],
    ['empty string', ''],
    ['letters', '41100310020A'],
    ['leading whitespace', ' 41100310020'],
    ['trailing newline', '411003100201\n'],
    ['all zeros', '000000000000'],
    ['province segment 00', '001003100201'],
    ['sign', '-41100310020'],
    ['full-width digits', '４１００００００００００'],
  ])('returns null for %s', (_label, code) => {
    expect(levelOf(code)).toBeNull();
  });
});

describe('isAreaCode', () => {
  it('accepts a code of every level', () => {
    for (const code of [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE]) expect(isAreaCode(code)).toBe(true);
  });

  it.each([[411003100201], [null], [undefined], [''], ['000000000000'], ['41100310020']])('rejects %p', (code) => {
    expect(isAreaCode(code)).toBe(false);
  });
});

describe('areaPrefix', () => {
  it.each([
    [PROVINCE, '41'],
    [CITY, '4110'],
    [COUNTY, '411003'],
    [TOWNSHIP, '411003100'],
    [VILLAGE, '411003100201'],
  ])('gives the significant digits of %s', (code, prefix) => {
    expect(areaPrefix(code)).toBe(prefix);
  });

  it('returns a malformed code unchanged', () => {
    expect(areaPrefix('4110')).toBe('4110');
    expect(areaPrefix('000000000000')).toBe('000000000000');
  });
});

describe('parentOf', () => {
  it.each([
    [VILLAGE, TOWNSHIP],
    [TOWNSHIP, COUNTY],
    [COUNTY, CITY],
    [CITY, PROVINCE],
  ])('gives %s → %s', (code, parent) => {
    expect(parentOf(code)).toBe(parent);
  });

  it('returns a parent exactly one level up', () => {
    for (const code of [CITY, COUNTY, TOWNSHIP, VILLAGE]) {
      const parent = parentOf(code)!;
      expect(AREA_LEVELS.indexOf(levelOf(parent)!)).toBe(AREA_LEVELS.indexOf(levelOf(code)!) - 1);
    }
  });

  it('has no parent for a province', () => {
    expect(parentOf(PROVINCE)).toBeNull();
  });

  it('has no parent for a malformed code', () => {
    expect(parentOf('4110031002')).toBeNull();
    expect(parentOf('000000000000')).toBeNull();
  });
});

describe('lineageOf', () => {
  it('lists every ancestor from province down to the village itself', () => {
    expect(lineageOf(VILLAGE)).toEqual([PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE]);
  });

  it('starts at the province for a county', () => {
    expect(lineageOf(COUNTY)).toEqual([PROVINCE, CITY, COUNTY]);
  });

  it('is just the province for a province', () => {
    expect(lineageOf(PROVINCE)).toEqual([PROVINCE]);
  });
});

describe('isWithin', () => {
  it('treats a null scope as global', () => {
    expect(isWithin(VILLAGE, null)).toBe(true);
    expect(isWithin('650000000000', null)).toBe(true);
  });

  it('puts every descendant within an ancestor scope', () => {
    for (const scope of [PROVINCE, CITY, COUNTY, TOWNSHIP]) expect(isWithin(VILLAGE, scope)).toBe(true);
  });

  it('puts an area within its own scope', () => {
    for (const code of [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE]) expect(isWithin(code, code)).toBe(true);
  });

  it('does not put an ancestor within a descendant scope', () => {
    expect(isWithin(COUNTY, VILLAGE)).toBe(false);
    expect(isWithin(PROVINCE, CITY)).toBe(false);
  });

  it('does not put a sibling within the scope', () => {
    expect(isWithin('411003100202', VILLAGE)).toBe(false); // neighbouring village
    expect(isWithin('411002000000', COUNTY)).toBe(false); // neighbouring county
    expect(isWithin('411002100201', COUNTY)).toBe(false); // village of neighbouring county
  });

  it('does not put another province within a province scope', () => {
    expect(isWithin('420000000000', PROVINCE)).toBe(false);
    expect(isWithin('421003100201', PROVINCE)).toBe(false);
  });

  it('does not confuse a city with a city whose code shares leading digits', () => {
    // 4111 (漯河市) is not within 4110 (许昌市) although both start with 411
    expect(isWithin('411102000000', CITY)).toBe(false);
  });
});
