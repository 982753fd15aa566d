/**
 * Logging: one pino logger for the application's own lines (Nest's LoggerService over it) and a
 * pino-http middleware for one JSON line per request (request id, user, route, status, duration).
 * (Written here rather than taken from nestjs-pino: its current major declares Node ≥ 22, and
 * this project runs on Node 20.)
 */
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

type Req = IncomingMessage & { id?: string; user?: { id: string; username: string; role: string }; route?: { path?: string } };

function withUser(req: IncomingMessage, val: object): object {
  const r = req as Req;
  return {
    ...val,
    user: r.user ? { id: r.user.id, username: r.user.username, role: r.user.role } : null,
    route: r.route?.path ?? null,
  };
}

export function createLogger(level: string): Logger {
  // issue 10: lines are gathered and written 4 KB (or 200 ms) at a time, not one synchronous
  // write per request; flushed on exit (a SIGKILL loses at most that much)
  return pino({ level }, pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 }));
}

/** The request-line middleware; runs after the request-id middleware, whose id it logs. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req as Req).id ?? randomUUID(),
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, val: object) => withUser(req, val),
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _err: Error, val: object) => withUser(req, val),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: ['req.headers.authorization'],
  });
}

/** Nest's own lines (bootstrap, module messages, `new Logger(ctx)` in services) through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' || level === 'fatal') {
      const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
      if (stack) fields.stack = stack;
    }
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...(message as object) });
    else this.logger[level](fields, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
}
