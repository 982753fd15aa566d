import { reasonProblem } from './reason';

const MIN = 6;
const MISSING = '请填写理由';
const PLACEHOLDER = '理由不能是“无”“同意”“见附件”之类的套话，请写明具体情况';
const TRIVIAL = '理由不能只由重复字符、数字或标点组成';
const tooShort = (n: number) => `理由过短，请至少写${n}个字，说明具体情况`;

describe('reasonProblem', () => {
  it('accepts a real Chinese reason', () => {
    expect(reasonProblem('该户2023年家庭人均纯收入已稳定超过监测收入标准，且无返贫风险。', MIN)).toBeNull();
  });

  it('accepts a reason of exactly minLength characters', () => {
    expect(reasonProblem('家庭收入超标', MIN)).toBeNull();
  });

  it('accepts a reason that contains digits among words', () => {
    expect(reasonProblem('外出务工人数为3人，超过上限', MIN)).toBeNull();
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 123456789],
    ['empty string', ''],
    ['only spaces', '   '],
    ['only a full-width space and newline', '\u3000\n\t'],
  ])('asks for a reason when given %s', (_label, reason) => {
    expect(reasonProblem(reason, MIN)).toBe(MISSING);
  });

  it.each([
    '无', '没有', '暂无', '同意', '不同意', '不符合', '不符合条件', '不合格', '其他', '其它', '略', '见附件', '详见附件',
    '退回', '驳回', '撤回', '原因', '理由', '测试', 'test', 'testing', 'xxx', 'none', 'null', 'n/a', 'na', 'todo', 'tbd',
  ])('refuses the placeholder %p', (reason) => {
    expect(reasonProblem(reason, MIN)).toBe(PLACEHOLDER);
  });

  it.each([
    ['surrounding spaces', '  无  '],
    ['trailing full stop', '同意。'],
    ['trailing exclamation', '不同意！'],
    ['inner spaces', '见 附 件'],
    ['upper case', 'TEST'],
    ['mixed case', 'N/A'],
    ['upper case and punctuation', 'Test!'],
    ['capitalised with a full stop', 'None.'],
    ['quotes', '“无”'],
  ])('refuses a placeholder with %s', (_label, reason) => {
    expect(reasonProblem(reason, MIN)).toBe(PLACEHOLDER);
  });

  it('refuses placeholders even when minLength is 0', () => {
    expect(reasonProblem('同意', 0)).toBe(PLACEHOLDER);
  });

  it.each([
    ['repeated Chinese full stops', '。。。。。。'],
    ['repeated ellipsis', '…………'],
    ['repeated dashes and spaces', '- - - - - -'],
    ['a repeated character', '啊啊啊啊啊啊啊'],
    ['a repeated letter with punctuation', 'a.a.a.a.a.a.a'],
    ['digits only', '1234567890'],
    ['digits with separators', '2024-01-15 12:00'],
    ['a single repeated digit', '0000000'],
  ])('refuses %s', (_label, reason) => {
    expect(reasonProblem(reason, MIN)).toBe(TRIVIAL);
  });

  it('refuses full-width digits only (typed with a Chinese input method)', () => {
    expect(reasonProblem('１２３４５６７８', MIN)).toBe(TRIVIAL);
  });

  it('refuses a reason shorter than minLength and names the minimum', () => {
    expect(reasonProblem('收入超标', MIN)).toBe(tooShort(6));
    expect(reasonProblem('收入超标', 10)).toBe(tooShort(10));
  });

  it('does not count punctuation and spaces towards the length', () => {
    // 5 real characters padded with punctuation and spaces
    expect(reasonProblem('收入 超标了。。。！', MIN)).toBe(tooShort(6));
  });

  it('counts characters outside the BMP as one character each', () => {
    // 5 characters, one of which is a surrogate pair in UTF-16
    expect(reasonProblem('𠀋家收入超', MIN)).toBe(tooShort(6));
  });

  it('lets the threshold vary with minLength', () => {
    expect(reasonProblem('收入超标', 4)).toBeNull();
    expect(reasonProblem('收入超标', 5)).toBe(tooShort(5));
  });
});
