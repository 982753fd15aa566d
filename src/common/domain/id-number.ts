/**
 * 居民身份证号 (GB 11643-1999): 17 digits + check character (0-9 or X), an ISO 7064 MOD 11-2 checksum.
 */
import { isCalendarDate, today } from './calendar';
import { mapStringsByKey } from './map-strings';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export function idNumberProblem(id: unknown): string | null {
  if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id)) return '身份证号应为18位，最后一位可为数字或X';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  // a birth date in the future is judged on China's calendar: a child born today (Beijing) is valid at 00:30
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1900 || m < 1 || d < 1 || !isCalendarDate(birth) || birth > today()) {
    return '身份证号中的出生日期无效';
  }
  if (checkCharacter(id.slice(0, 17)) !== id[17]) return '身份证号校验位不正确';
  return null;
}

export function birthDateOf(id: string): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** `4110**********1234`: region start and last four kept. */
export function maskIdNumber(id: string): string {
  return id.length < 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  return phone.length <= 7 ? phone.replace(/.(?=.{2})/g, '*') : `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** 张三 → 张*, 欧阳娜娜 → 欧**娜 */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * Masks every ID number and phone inside free-form case data (a step's `data`, a snapshot's
 * context, an audit entry): any property named `idNumber` or `phone`, or ending in `Phone`,
 * wherever it is nested. Returns a copy; the stored record (and its hash) is untouched.
 */
export function maskPersonalData<T>(value: T): T {
  // copy on write (issue 21): a plain object or array with nothing to mask is returned as it is
  return mapStringsByKey(value, (k, v) => (k === 'idNumber' ? maskIdNumber(v) : k === 'phone' || k.endsWith('Phone') ? maskPhone(v) : v));
}
