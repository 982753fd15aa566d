import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../common/config/app-config';
import { ENTITIES } from './entities';

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded SQLite file. Both schemas are made
 * by committed migrations (one folder per engine); `synchronize` is never used.
 */
export function dataSourceOptions(db: AppConfig['database']): DataSourceOptions {
  const migrations = [join(__dirname, 'migrations', db.kind, '*.{js,ts}')];
  if (db.kind === 'postgres') {
    return {
      type: 'postgres',
      url: db.url,
      entities: ENTITIES,
      migrations,
      migrationsRun: true,
      migrationsTransactionMode: 'each',
      extra: { max: 20 },
    };
  }
  return {
    type: 'better-sqlite3',
    database: db.file,
    entities: ENTITIES,
    migrations,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    enableWAL: true,
    prepareDatabase: (sqlite: { pragma(s: string): unknown }) => {
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
    },
  };
}
