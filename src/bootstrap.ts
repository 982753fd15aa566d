import { type INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { type AppConfig } from './common/config/app-config';
import { consoleMiddleware } from './common/http/console-static';
import { jsonShapeGuard } from './common/http/json-shape';
import { createLogger, PinoNestLogger, requestLogger } from './common/http/request-log';
import { validationPipe } from './common/http/validation';

/** Every request gets an id before anything can fail, so every error body can name it. */
function requestId(req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void {
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
}

/**
 * The API's answers carry households' personal data (names, ID numbers and phones for the roles
 * that see them, evidence files): no browser cache or proxy keeps them, on a shared office
 * computer least of all. The console's own files set their caching after this.
 */
function noStore(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Builds the application as `main.ts` runs it; e2e tests build it the same way. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  const logger = createLogger(config.logLevel);
  app.useLogger(new PinoNestLogger(logger));
  app.use(requestId);
  app.use(noStore);
  // nothing is kept, so nothing is revalidated: no ETag (a SHA-1 of every answer's body, for nothing)
  app.set('etag', false);
  app.use(requestLogger(logger));
  // security headers (helmet's defaults, which also drop X-Powered-By); the API answers JSON and
  // files, so its CSP forbids everything but the Swagger UI's own assets under /docs
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
      crossOriginResourcePolicy: { policy: config.corsOrigins.length ? 'cross-origin' : 'same-origin' },
    }),
  );
  // the console (issue 20): its files under /app/ with their own strict CSP; `/` sends a browser there
  const consoleFiles = consoleMiddleware(config.consoleDir);
  if (consoleFiles) app.use(consoleFiles);
  // browser front-ends on other origins: only those listed in CORS_ORIGINS
  if (config.corsOrigins.length) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition', 'X-Content-SHA256'],
      maxAge: 600,
    });
  }
  app.useBodyParser('json', { limit: '1mb' });
  // nesting depth and key count are checked before any transformation runs
  app.use(jsonShapeGuard);
  app.useGlobalPipes(validationPipe());
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('防止返贫监测帮扶与乡村振兴审批服务')
      .setDescription('Approval workflows: monitoring inclusion, risk elimination, public-welfare posts, project intake')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  return app;
}
