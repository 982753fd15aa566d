import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, ErrorCode, httpStatusOf } from './app-error';
import { isBusy, isUniqueViolation } from './db-errors';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
}

/** What a 503 tells the client to wait before trying again. */
export const RETRY_AFTER_SECONDS = 2;

const byStatus: Record<number, { code: ErrorCode; message: string }> = {
  400: { code: ErrorCode.VALIDATION_FAILED, message: '请求格式不正确' },
  401: { code: ErrorCode.UNAUTHENTICATED, message: '未登录或登录已失效，请重新登录' },
  403: { code: ErrorCode.FORBIDDEN, message: '没有权限执行此操作' },
  404: { code: ErrorCode.NOT_FOUND, message: '请求的资源不存在' },
  409: { code: ErrorCode.ALREADY_EXISTS, message: '与现有数据冲突' },
  413: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: '上传的文件超过大小限制' },
  503: { code: ErrorCode.SERVICE_BUSY, message: '服务繁忙，请稍后重试' },
};

/**
 * One error body for every failure. Domain errors carry their code; framework errors
 * (body parser, multer, unknown route) are mapped by status; anything else is a bug:
 * logged with its stack, answered with a 500 that leaks nothing.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const requestId = String(req.id ?? '');
    const body = this.toBody(exception, requestId);
    if (body.statusCode === 503) {
      this.logger.warn({ requestId, reason: (exception as Error)?.message }, 'service busy');
    } else if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    }
    if (res.headersSent) return;
    if (body.statusCode === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (body.statusCode === 429 && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof AppError) {
      return {
        statusCode: httpStatusOf(exception.code),
        code: exception.code,
        message: exception.message,
        details: exception.details,
        requestId,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const mapped = byStatus[status] ?? { code: ErrorCode.INTERNAL, message: '请求无法处理' };
      const response = exception.getResponse();
      let details: Record<string, unknown> | undefined;
      if (status === 400 && typeof response === 'object' && response && 'message' in response) {
        const msg = (response as { message: unknown }).message;
        const reason = Array.isArray(msg) ? msg.join('; ') : String(msg);
        // a library's English never reaches a user: a Chinese reason is passed on, others only logged
        if (/[\u4e00-\u9fff]/.test(reason)) details = { reason };
        else this.logger.warn({ requestId, reason }, 'request refused by the framework');
      }
      return { statusCode: status, code: mapped.code, message: mapped.message, details, requestId };
    }
    if (isBusy(exception)) {
      return {
        statusCode: 503,
        code: ErrorCode.SERVICE_BUSY,
        message: '服务繁忙（数据库连接或锁等待超时），请稍后重试',
        details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
        requestId,
      };
    }
    if (isUniqueViolation(exception)) {
      // two requests raced to create the same thing: the loser is told it exists, not a 500
      return { statusCode: 409, code: ErrorCode.ALREADY_EXISTS, message: '该记录已存在（可能刚被其他请求创建）', requestId };
    }
    const status = (exception as { status?: number; statusCode?: number })?.status ??
      (exception as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && byStatus[status]) {
      // body-parser errors (malformed JSON, entity too large) arrive as plain errors with a status
      return { statusCode: status, code: byStatus[status].code, message: byStatus[status].message, requestId };
    }
    return { statusCode: 500, code: ErrorCode.INTERNAL, message: '服务器内部错误，请联系管理员并提供请求编号', requestId };
  }
}
