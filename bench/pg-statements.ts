/**
 * PostgreSQL's cost per statement during a measured window (pg_stat_statements): reset for the
 * bench's database before, read after. The extension needs `shared_preload_libraries`; where the
 * server lacks it the figures are null with the reason (bench:ab runs a server of its own that
 * has it).
 */
import { withClient } from './infra';

export interface StatementCost {
  query: string;
  calls: number;
  /** mean execution time per call, ms (wall time inside PostgreSQL, lock waits included) */
  meanMs: number;
  totalMs: number;
  rowsPerCall: number;
  /** shared buffers hit + read per call */
  blocksPerCall: number;
  walBytesPerCall: number;
}

export interface StatementsWindow {
  available: boolean;
  reason?: string;
  /** all statements of the window together */
  totalMs?: number;
  calls?: number;
  statements?: StatementCost[];
}

/** Creates the extension in the bench's database and resets its figures; the reason when it cannot. */
export async function resetStatements(url: string): Promise<string | null> {
  try {
    await withClient(url, async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
    });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function readStatements(url: string, top = 25): Promise<StatementsWindow> {
  try {
    return await withClient(url, async (c) => {
      const { rows } = await c.query(
        `SELECT query, calls::float8 AS calls, total_exec_time AS total, rows::float8 AS rows,
                (shared_blks_hit + shared_blks_read)::float8 AS blocks, wal_bytes::float8 AS wal
           FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND query NOT ILIKE '%pg_stat_statements%'
          ORDER BY total_exec_time DESC`,
      );
      const r2 = (v: number) => Math.round(v * 1000) / 1000;
      const statements = rows.map((r: { query: string; calls: number; total: number; rows: number; blocks: number; wal: number }) => ({
        query: r.query.replace(/\s+/g, ' ').slice(0, 400),
        calls: r.calls,
        meanMs: r2(r.total / Math.max(1, r.calls)),
        totalMs: Math.round(r.total),
        rowsPerCall: r2(r.rows / Math.max(1, r.calls)),
        blocksPerCall: Math.round((r.blocks / Math.max(1, r.calls)) * 10) / 10,
        walBytesPerCall: Math.round(r.wal / Math.max(1, r.calls)),
      }));
      return {
        available: true,
        totalMs: Math.round(statements.reduce((s, x) => s + x.totalMs, 0)),
        calls: statements.reduce((s, x) => s + x.calls, 0),
        statements: statements.slice(0, top),
      };
    });
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}
