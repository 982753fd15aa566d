import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import Ajv, { type JSONSchemaType, type SchemaObject } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { isUUID, validateSync, ValidationError } from 'class-validator';
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

/*
 * Issue 21: the bodies of the hot endpoints (an event on a case: every transition) skip
 * class-transformer and class-validator when a compiled JSON Schema accepts them. Such a schema
 * must accept only bodies the DTO's decorators accept (the pipe's spec runs both on many bodies);
 * a body it refuses goes the old way, so every error (code, Chinese message, fields) is the
 * class-validator one. An accepted body becomes an instance of the DTO with the body's
 * properties, as plainToInstance makes it.
 */
const ajv = new Ajv({ strict: true, allErrors: false, formats: { 'uuid-all': (s: string) => isUUID(s, 'all') } });
const fastChecks = new Map<abstract new () => object, (body: unknown) => boolean>();

/** The compiled schema that lets `dto`'s valid bodies skip class-validator (see above). */
export function fastBodyCheck<T extends object>(dto: new () => T, schema: JSONSchemaType<unknown> | SchemaObject): (body: unknown) => boolean {
  const check = ajv.compile(schema);
  const accepts = (body: unknown) => body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype && check(body);
  fastChecks.set(dto, accepts);
  return accepts;
}

class FastValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' ? metadata.metatype : undefined;
    const accepts = dto && fastChecks.get(dto as new () => object);
    if (accepts && accepts(value)) {
      const entity = new (dto as new () => Record<string, unknown>)();
      for (const k of Object.keys(value as object)) entity[k] = (value as Record<string, unknown>)[k];
      return entity;
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe; `fast: false` is the class-validator pipe alone (the spec compares them). */
export function validationPipe(opts: { fast?: boolean } = {}): ValidationPipe {
  return new (opts.fast === false ? ValidationPipe : FastValidationPipe)({
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
