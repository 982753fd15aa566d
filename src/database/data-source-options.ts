import { type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../common/config/app-config';
import { ENTITIES } from './entities';
import { StatementLogger } from './statement-log';
// issue 19: rows re-read after an INSERT are matched to their entities by id, not by position (SQLite)
import './reselect-by-id';
import { ColumnLimitSubscriber } from './column-limits';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded SQLite file. Both schemas are made
 * by committed migrations (one folder per engine); `synchronize` is never used.
 */
export function dataSourceOptions(db: AppConfig['database']): DataSourceOptions {
  if (db.kind === 'postgres') {
    return {
      type: 'postgres',
      url: db.url,
      entities: ENTITIES,
      // issue 19: a value longer than its varchar column is refused on both engines (SQLite does not check lengths)
      subscribers: [ColumnLimitSubscriber],
      logger: new StatementLogger(),
      migrations: POSTGRES_MIGRATIONS,
      migrationsRun: true,
      migrationsTransactionMode: 'each',
      extra: {
        max: db.poolSize,
        // never wait forever for a connection, a statement or a lock: the request answers 503
        connectionTimeoutMillis: db.acquireTimeoutMs,
        statement_timeout: db.statementTimeoutMs,
        lock_timeout: db.statementTimeoutMs,
        idle_in_transaction_session_timeout: Math.max(db.statementTimeoutMs * 4, 30_000),
      },
    };
  }
  return {
    type: 'better-sqlite3',
    database: db.file,
    entities: ENTITIES,
    // issue 19: a value longer than its varchar column is refused on both engines (SQLite does not check lengths)
    subscribers: [ColumnLimitSubscriber],
    logger: new StatementLogger(),
    migrations: SQLITE_MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    enableWAL: true,
    prepareDatabase: (sqlite: { pragma(s: string): unknown }) => {
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
      // a commit answered is on disk: better-sqlite3 builds SQLite with WAL connections at
      // synchronous=NORMAL, where the last commits before a power cut or an OS crash roll back
      // (the step already answered, its webhooks sent); FULL syncs the WAL at every commit
      sqlite.pragma('synchronous = FULL');
    },
  };
}
