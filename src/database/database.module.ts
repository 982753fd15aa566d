import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { dataSourceOptions } from './data-source-options';
import { ChangeFeed } from './change-feed';
import { UnitOfWork } from './unit-of-work';

export { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.database),
    }),
  ],
  providers: [UnitOfWork, ChangeFeed],
  exports: [UnitOfWork, ChangeFeed, TypeOrmModule],
})
export class DatabaseModule {}
