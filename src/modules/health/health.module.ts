import { Controller, Get, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../../common/auth/decorators';
import { TimerScheduler } from '../timers/timer-scheduler';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scheduler: TimerScheduler,
  ) {}

  /** 200 while the database answers; the queue may be down (timers wait in the database). */
  @Public()
  @Get()
  async health() {
    const database = await this.ds.query('SELECT 1').then(() => 'up', () => 'down');
    const queue = await this.scheduler.health();
    return { status: database === 'up' ? 'ok' : 'degraded', database, queue, queueMode: this.scheduler.mode };
  }
}

@Module({ controllers: [HealthController] })
export class HealthModule {}
