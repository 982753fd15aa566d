import { AppError } from '../errors/app-error';

/**
 * The text fields of a multipart form, each given at most once as plain text. A repeated field
 * (`source` twice), a bracketed one (`source[]`, `caseId[x]`, which multer turns into arrays and
 * objects) or one the endpoint does not take is a 400 naming it — never a value of the wrong
 * type handed on.
 */
export function formFields<K extends string>(body: unknown, allowed: readonly K[]): Partial<Record<K, string>> {
  const fields: Record<string, string> = {};
  const out: Partial<Record<K, string>> = {};
  const given = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (!(allowed as readonly string[]).includes(key)) fields[key] = '不允许的字段';
    else if (typeof value !== 'string') fields[key] = '只能填写一次，且应为文本';
    else out[key as K] = value;
  }
  if (Object.keys(fields).length) throw AppError.validation(fields, '上传表单的字段不正确');
  return out;
}
