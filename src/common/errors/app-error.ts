/**
 * Domain errors. Plain Error subclasses; they become HTTP responses only in the exception filter.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  ROLE_REQUIRED = 'ROLE_REQUIRED',
  SEPARATION_OF_DUTIES = 'SEPARATION_OF_DUTIES',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  EVIDENCE_MISSING = 'EVIDENCE_MISSING',
  EVIDENCE_INVALID = 'EVIDENCE_INVALID',
  EVIDENCE_REUSED = 'EVIDENCE_REUSED',
  REASON_REQUIRED = 'REASON_REQUIRED',
  RULE_VIOLATED = 'RULE_VIOLATED',
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
  SERVICE_BUSY = 'SERVICE_BUSY',
  INTERNAL = 'INTERNAL',
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.ROLE_REQUIRED:
    case ErrorCode.SEPARATION_OF_DUTIES:
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.INVALID_TRANSITION:
    case ErrorCode.VERSION_CONFLICT:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.ALREADY_EXISTS:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.TOO_MANY_ATTEMPTS:
      return 429;
    case ErrorCode.EVIDENCE_MISSING:
    case ErrorCode.EVIDENCE_INVALID:
    case ErrorCode.EVIDENCE_REUSED:
    case ErrorCode.REASON_REQUIRED:
    case ErrorCode.RULE_VIOLATED:
      return 422;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.SERVICE_BUSY:
      return 503;
    default:
      return assertUnreachable(code);
  }
}

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  static notFound(what = '记录'): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what}不存在或不在您的管辖范围内`);
  }

  static validation(fields: Record<string, string>, message = '提交的数据不符合要求'): AppError {
    return new AppError(ErrorCode.VALIDATION_FAILED, message, { fields });
  }

  static forbidden(message: string): AppError {
    return new AppError(ErrorCode.FORBIDDEN, message);
  }
}
