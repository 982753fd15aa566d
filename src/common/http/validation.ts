import { ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppError } from '../errors/app-error';
import { chineseMessage } from './validation-messages';

/** class-validator errors → `details.fields` (`members.0.idNumber: 身份证号校验位不正确`). */
export function fieldsOf(errors: ValidationError[], prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const c = e.constraints;
      const [name, message] = c.whitelistValidation ? ['whitelistValidation', c.whitelistValidation] : Object.entries(c)[0];
      out[path] = chineseMessage(name, message);
    }
    if (e.children?.length) Object.assign(out, fieldsOf(e.children, path));
  }
  return out;
}

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...OPTIONS,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = fieldsOf(errors);
      return AppError.validation(fields, `数据不符合要求：${Object.keys(fields).join('、')}`);
    },
  });
}

/** For payloads that arrive untyped (a procedure's creation body). */
export function validateBody<T extends object>(cls: new () => T, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw AppError.validation({ body: '应为 JSON 对象' });
  const instance = plainToInstance(cls, body);
  const errors = validateSync(instance, OPTIONS);
  if (errors.length) {
    const fields = fieldsOf(errors);
    throw AppError.validation(fields, `数据不符合要求：${Object.keys(fields).join('、')}`);
  }
  return instance;
}
