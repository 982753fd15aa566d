import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { BullTimerScheduler } from '../timers/bull-timer-scheduler';
import { InProcessTimerScheduler } from '../timers/in-process-timer-scheduler';
import { TimerRunner } from '../timers/timer-runner.service';
import { TimerScheduler } from '../timers/timer-scheduler';
import { CaseOpener } from './case-opener';
import { CaseStore } from './case-store';
import { CaseViewService } from './case-view.service';
import { CheckPipeline } from './check-pipeline';
import { IdempotencyStore } from './idempotency';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';
import { EngineService } from './engine.service';
import { ProcedureRegistry } from './procedure-adapter';
import { ProceduresController } from './procedures.controller';
import { StepRunner } from './step-runner';

/** The shared engine every procedure module plugs into, with its timers. */
@Global()
@Module({
  controllers: [ProceduresController, CasesController],
  providers: [
    ProcedureRegistry,
    EngineService,
    CheckPipeline,
    CaseStore,
    CaseOpener,
    StepRunner,
    IdempotencyStore,
    CaseViewService,
    CasesService,
    TimerRunner,
    {
      provide: TimerScheduler,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): TimerScheduler =>
        config.redis
          ? new BullTimerScheduler(config.redis.url, config.redis.prefix, { lockMs: config.timers.lockMs, horizonMs: config.timers.reconcileIntervalMs * 2 })
          : new InProcessTimerScheduler(config.timers.reconcileIntervalMs * 2),
    },
  ],
  exports: [ProcedureRegistry, EngineService, CaseViewService, TimerScheduler, TimerRunner],
})
export class EngineModule {}
