import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
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

@Module({})
export class AppModule {
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    // before the data source starts (its migrations and the entity transformers use it)
    installPii(config.pii);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
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
