/**
 * One Chinese message set for every validation failure, whatever produced it (issue 11): the
 * messages a DTO sets itself are kept; class-validator's English defaults are replaced by
 * constraint name, with the numbers and choices taken from the English text.
 */
const CJK = /[\u4e00-\u9fff]/;

const numbers = (english: string) => english.match(/-?\d+(\.\d+)?/g) ?? [];
const afterColon = (english: string) => english.split(':').slice(1).join(':').trim();

const MESSAGES: Record<string, (english: string) => string> = {
  isDefined: () => '必填',
  isNotEmpty: () => '不能为空',
  isString: () => '应为文本',
  isBoolean: () => '应为 true 或 false',
  isInt: () => '应为整数',
  isNumber: () => '应为数字',
  isObject: () => '应为对象',
  isArray: () => '应为数组',
  isEnum: (e) => `取值应为：${afterColon(e)}`,
  isIn: (e) => `取值应为：${afterColon(e)}`,
  isUuid: () => '应为编号（UUID）',
  isISO8601: () => '应为 ISO 8601 日期时间，例如 2026-11-30T08:00:00+08:00',
  isDateString: () => '应为 ISO 8601 日期，例如 2026-11-30',
  isUrl: () => '应为有效的网址',
  isEmail: () => '应为有效的电子邮箱',
  matches: () => '格式不正确',
  min: (e) => `不能小于 ${numbers(e).at(-1) ?? ''}`,
  max: (e) => `不能大于 ${numbers(e).at(-1) ?? ''}`,
  minLength: (e) => `长度至少为 ${numbers(e).at(-1) ?? ''} 个字符`,
  maxLength: (e) => `长度不能超过 ${numbers(e).at(-1) ?? ''} 个字符`,
  length: () => '长度不符合要求',
  arrayMinSize: (e) => `至少需要 ${numbers(e).at(-1) ?? ''} 项`,
  arrayMaxSize: (e) => `最多 ${numbers(e).at(-1) ?? ''} 项`,
  arrayNotEmpty: () => '不能为空数组',
  arrayUnique: () => '不能有重复项',
  nestedValidation: () => '应为对象或对象数组',
  whitelistValidation: () => '不允许的字段',
  unknownValue: () => '不允许的值',
  isPositive: () => '应为正数',
  isLatitude: () => '应为纬度',
  isLongitude: () => '应为经度',
  isMilitaryTime: () => '应为 HH:MM 时间',
};

/** The Chinese message of one failed constraint. */
export function chineseMessage(constraint: string, message: string): string {
  if (CJK.test(message)) return message;
  return (MESSAGES[constraint] ?? (() => '不符合要求'))(message);
}
