import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

/** The background-work queue: Bull with REDIS_URL, else in-process. */
@Global()
@Module({
  providers: [
    {
      provide: JobQueue,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): JobQueue =>
        config.redis ? new BullJobQueue(config.redis.url, config.redis.prefix) : new InProcessJobQueue(),
    },
  ],
  exports: [JobQueue],
})
export class JobsModule {}
