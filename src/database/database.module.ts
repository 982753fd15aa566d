import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { dataSourceOptions } from './data-source-options';

/**
 * Runs work in one database transaction. SQLite (the embedded default) has a single
 * connection shared by every request, so its transactions are serialised here; PostgreSQL
 * gets a pooled connection per transaction and relies on row versions and locks.
 */
@Injectable()
export class UnitOfWork {
  private readonly mutex: Mutex | null;

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.mutex = config.database.kind === 'sqlite' ? new Mutex() : null;
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.mutex) return this.dataSource.transaction('READ COMMITTED', work);
    return this.mutex.runExclusive(() => this.dataSource.transaction(work));
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.database),
    }),
  ],
  providers: [UnitOfWork],
  exports: [UnitOfWork, TypeOrmModule],
})
export class DatabaseModule {}
