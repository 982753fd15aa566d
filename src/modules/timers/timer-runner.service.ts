import { UnitOfWork } from '../../database/unit-of-work';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LessThanOrEqual, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { TimerEntity } from '../../database/entities';
import { EngineService } from '../engine/engine.service';
import { TimerScheduler } from './timer-scheduler';

/**
 * Connects the scheduler to the engine and re-creates pending timers from the database at
 * start and on every tick (after a restart, a Redis flush or an outage).
 */
@Injectable()
export class TimerRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TimerRunner.name);
  private tick: NodeJS.Timeout | null = null;
  private reconciling = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly engine: EngineService,
    private readonly scheduler: TimerScheduler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** through the current transaction when there is one (UnitOfWork.manager) */
  private get timers(): Repository<TimerEntity> {
    return this.uow.manager.getRepository(TimerEntity);
  }

  onApplicationBootstrap(): void {
    this.scheduler.setHandler((timerId) => this.engine.applySystem(timerId));
    void this.reconcile();
    this.tick = setInterval(() => void this.reconcile(), this.config.timers.reconcileIntervalMs);
    this.tick.unref();
  }

  /** The horizon is two ticks: a timer is handed to the queue at the latest one tick early. */
  get horizonMs(): number {
    return this.config.timers.reconcileIntervalMs * 2;
  }

  async reconcile(): Promise<number> {
    if (this.reconciling) return 0;
    this.reconciling = true;
    try {
      const pending = await this.timers.find({
        where: { status: 'pending', dueAt: LessThanOrEqual(new Date(Date.now() + this.horizonMs)) },
        select: { id: true, dueAt: true },
        order: { dueAt: 'ASC' },
        take: 5000,
      });
      await this.scheduler.reconcile(pending);
      return pending.length;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'timer reconcile failed; will retry');
      return 0;
    } finally {
      this.reconciling = false;
    }
  }

  onModuleDestroy(): void {
    if (this.tick) clearInterval(this.tick);
  }
}
