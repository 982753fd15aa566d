import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { TimerEntity } from '../../database/entities';
import { BullTimerScheduler } from '../timers/bull-timer-scheduler';
import { InProcessTimerScheduler } from '../timers/in-process-timer-scheduler';
import { TimerRunner } from '../timers/timer-runner.service';
import { TimerScheduler } from '../timers/timer-scheduler';
import { CaseViewService } from './case-view.service';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';
import { EngineService } from './engine.service';
import { ProcedureRegistry } from './procedure-adapter';
import { ProceduresController } from './procedures.controller';

/** The shared engine every procedure module plugs into, with its timers. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([TimerEntity])],
  controllers: [ProceduresController, CasesController],
  providers: [
    ProcedureRegistry,
    EngineService,
    CaseViewService,
    CasesService,
    TimerRunner,
    {
      provide: TimerScheduler,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): TimerScheduler =>
        config.redis
          ? new BullTimerScheduler(config.redis.url, config.redis.prefix)
          : new InProcessTimerScheduler(config.timers.reconcileIntervalMs * 2),
    },
  ],
  exports: [ProcedureRegistry, EngineService, CaseViewService, TimerScheduler, TimerRunner],
})
export class EngineModule {}
