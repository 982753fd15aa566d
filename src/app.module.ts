import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppConfig, loadConfig } from './common/config/app-config';
import { installPii } from './common/crypto/pii';
import { AppConfigModule } from './common/config/config.module';
import { AllExceptionsFilter } from './common/errors/http-exception.filter';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { EngineModule } from './modules/engine/engine.module';
import { EvidenceModule } from './modules/evidence/evidence.module';
import { HealthModule } from './modules/health/health.module';
import { ImportsModule } from './modules/imports/imports.module';
import { InspectionTextsModule } from './modules/inspection-texts/inspection-texts.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { HouseholdsModule } from './modules/households/households.module';
import { MonitoringInclusionModule } from './modules/monitoring-inclusion/monitoring-inclusion.module';
import { MonitoringObjectsModule } from './modules/monitoring-objects/monitoring-objects.module';
import { PoliciesModule } from './modules/policies/policies.module';
import { ProjectIntakeModule } from './modules/project-intake/project-intake.module';
import { ProjectImplementationModule } from './modules/project-implementation/project-implementation.module';
import { PublicModule } from './modules/public/public.module';
import { RectificationModule } from './modules/rectification/rectification.module';
import { RegistryModule } from './modules/registry/registry.module';
import { RiskEliminationModule } from './modules/risk-elimination/risk-elimination.module';
import { WelfarePostsModule } from './modules/welfare-posts/welfare-posts.module';

type Req = IncomingMessage & { id?: string; user?: { id: string; username: string; role: string }; route?: { path?: string } };

function withUser(req: IncomingMessage, val: object): object {
  const r = req as Req;
  return {
    ...val,
    user: r.user ? { id: r.user.id, username: r.user.username, role: r.user.role } : null,
    route: r.route?.path ?? null,
  };
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    // before the data source starts (its migrations and the entity transformers use it)
    installPii(config.pii);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              // one JSON line per request: request id, user, route, status, duration
              // the id is set by the request-id middleware that runs before the body parser
              genReqId: (req: IncomingMessage) => (req as Req).id ?? randomUUID(),
              customSuccessObject: (req: IncomingMessage, _res: ServerResponse, val: object) => withUser(req, val),
              customErrorObject: (req: IncomingMessage, _res: ServerResponse, _err: Error, val: object) => withUser(req, val),
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              redact: ['req.headers.authorization'],
            },
            // issue 10: lines are gathered and written 4 KB (or 200 ms) at a time, not one
            // synchronous write per request; flushed on exit (a SIGKILL loses at most that much)
            pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 }),
          ],
        }),
        DatabaseModule,
        JobsModule,
        NotificationsModule,
        AuthModule,
        AdminModule,
        PoliciesModule,
        EngineModule,
        HouseholdsModule,
        EvidenceModule,
        MonitoringObjectsModule,
        MonitoringInclusionModule,
        RiskEliminationModule,
        WelfarePostsModule,
        ProjectIntakeModule,
        ProjectImplementationModule,
        RegistryModule,
        ImportsModule,
        InspectionTextsModule,
        RectificationModule,
        PublicModule,
        HealthModule,
        AuditModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
