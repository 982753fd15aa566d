import { type ColumnOptions } from 'typeorm';
import { databaseKind } from '../common/config/app-config';

const pg = databaseKind() === 'postgres';

/** A point in time: `timestamptz` on PostgreSQL, `datetime` (UTC text) on SQLite. */
export const timestamp = (options: ColumnOptions = {}): ColumnOptions => ({
  type: pg ? 'timestamptz' : 'datetime',
  ...options,
});

/** JSON stored as text on both engines: read and written whole, never queried inside. */
export const json = (options: ColumnOptions = {}): ColumnOptions => ({ type: 'simple-json', ...options });

/** Raw bytes: `bytea` on PostgreSQL, `blob` on SQLite. */
export const binary = (options: ColumnOptions = {}): ColumnOptions => ({ type: pg ? 'bytea' : 'blob', ...options });
