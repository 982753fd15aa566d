import { Controller, Get, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/decorators';
import { UnitOfWork } from '../../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue';
import { TimerScheduler } from '../timers/timer-scheduler';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly scheduler: TimerScheduler,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * 200 while the database answers. The queue may be down: timers, imports and webhook
   * deliveries wait in the database and resume when it is back.
   */
  @Public()
  @Get()
  async health() {
    const database = await this.uow.manager.query('SELECT 1').then(() => 'up', () => 'down');
    const [timers, jobs] = await Promise.all([this.scheduler.health(), this.jobs.health()]);
    const queue = timers === 'up' && jobs === 'up' ? 'up' : 'down';
    return { status: database === 'up' ? 'ok' : 'degraded', database, queue, queueMode: this.scheduler.mode };
  }
}

@Module({ controllers: [HealthController] })
export class HealthModule {}
