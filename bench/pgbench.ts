/**
 * The pgbench phase of `npm run bench`: the transaction shape of one case transition
 * (bench/pgbench/transition.sql: lock a case, update its snapshot and version, append a
 * hashed audit row) run by pgbench with the bench's concurrency on the bench's own database,
 * before the service starts. Its tps is the ceiling PostgreSQL sets on this machine; the
 * inclusion phase is reported as a fraction of it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgbenchResult {
  tps: number;
  clients: number;
  seconds: number;
  transactions: number;
  latencyAvgMs: number | null;
  cases: number;
}

/** psql/pgbench arguments for a postgres:// URL (host, port, user, database). */
function connectionArgs(url: string): { server: string[]; database: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const server = ['-h', u.hostname || '127.0.0.1', '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return { server, database: u.pathname.slice(1), env };
}

export async function runPgbench(root: string, databaseUrl: string, opts: { clients: number; seconds: number; signal: AbortSignal }): Promise<PgbenchResult> {
  const dir = join(root, 'bench', 'pgbench');
  const { server, database, env } = connectionArgs(databaseUrl);
  const args = [...server, '-d', database];
  await run('psql', [...args, '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(dir, 'setup.sql')], { env, signal: opts.signal, maxBuffer: 1 << 20 });
  try {
    const threads = String(Math.min(opts.clients, 2));
    const { stdout } = await run(
      'pgbench',
      [...server, '-n', '-M', 'prepared', '-c', String(opts.clients), '-j', threads, '-T', String(opts.seconds), '-f', join(dir, 'transition.sql'), database],
      { env, signal: opts.signal, maxBuffer: 1 << 22 },
    );
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${stdout.slice(-2000)}`);
    return {
      tps: Math.round(tps),
      clients: opts.clients,
      seconds: opts.seconds,
      transactions: Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? NaN),
      latencyAvgMs: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1] ?? NaN) || null,
      cases: 100_000,
    };
  } finally {
    await run('psql', [...args, '-q', '-c', 'DROP TABLE IF EXISTS bench_audit; DROP TABLE IF EXISTS bench_cases'], { env }).catch(() => undefined);
  }
}
