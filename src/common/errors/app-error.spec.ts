import { AppError, assertUnreachable, ErrorCode, httpStatusOf } from './app-error';

const EXPECTED: Record<ErrorCode, number> = {
  [ErrorCode.VALIDATION_FAILED]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.ROLE_REQUIRED]: 403,
  [ErrorCode.SEPARATION_OF_DUTIES]: 403,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INVALID_TRANSITION]: 409,
  [ErrorCode.VERSION_CONFLICT]: 409,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 409,
  [ErrorCode.ALREADY_EXISTS]: 409,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.EVIDENCE_MISSING]: 422,
  [ErrorCode.EVIDENCE_INVALID]: 422,
  [ErrorCode.EVIDENCE_REUSED]: 422,
  [ErrorCode.REASON_REQUIRED]: 422,
  [ErrorCode.RULE_VIOLATED]: 422,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.SERVICE_BUSY]: 503,
  [ErrorCode.TOO_MANY_ATTEMPTS]: 429,
};

describe('httpStatusOf', () => {
  it.each(Object.entries(EXPECTED))('maps %s to %d', (code, status) => {
    expect(httpStatusOf(code as ErrorCode)).toBe(status);
  });

  it('has an expectation for every ErrorCode value', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('throws for a value that is not an ErrorCode', () => {
    expect(() => httpStatusOf('TEAPOT' as ErrorCode)).toThrow('unreachable: TEAPOT');
  });
});

describe('assertUnreachable', () => {
  it('throws naming the value', () => {
    expect(() => assertUnreachable('x' as never)).toThrow('unreachable: x');
  });
});

describe('AppError', () => {
  it('is an Error carrying code, message, details and the matching status', () => {
    const err = new AppError(ErrorCode.RULE_VIOLATED, '年龄超过上限', { age: 81 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AppError');
    expect(err.code).toBe(ErrorCode.RULE_VIOLATED);
    expect(err.message).toBe('年龄超过上限');
    expect(err.details).toEqual({ age: 81 });
    expect(err.status).toBe(422);
  });

  it('builds a 404 that also covers records outside the caller’s jurisdiction', () => {
    const err = AppError.notFound('农户');
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
    expect(err.status).toBe(404);
    expect(err.message).toBe('农户不存在或不在您的管辖范围内');
    expect(AppError.notFound().message).toBe('记录不存在或不在您的管辖范围内');
  });

  it('builds a 400 validation error with field messages', () => {
    const err = AppError.validation({ idNumber: '身份证号校验位不正确' });
    expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(err.status).toBe(400);
    expect(err.details).toEqual({ fields: { idNumber: '身份证号校验位不正确' } });
    expect(err.message).toBe('提交的数据不符合要求');
    expect(AppError.validation({}, '自定义').message).toBe('自定义');
  });

  it('builds a 403 forbidden error', () => {
    const err = AppError.forbidden('无权操作');
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.status).toBe(403);
    expect(err.message).toBe('无权操作');
  });
});
