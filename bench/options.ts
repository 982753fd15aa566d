/** Command-line flags and environment of `npm run bench`. */

export interface BenchOptions {
  cases: number;
  concurrency: number;
  /** hard limit for the whole run, setup and cleanup included */
  timeoutMs: number;
  /** how long one case may wait for its CLOSE_NOTICE timer after the notice ends */
  timerWaitMs: number;
  /** first poll this long after the notice end, then every pollIntervalMs */
  pollIntervalMs: number;
  noticePeriod: string;
  databaseUrl: string;
  redisUrl: string;
}

const USAGE = `usage: node dist/bench/run.js [--cases N] [--concurrency C] [--timeout SECONDS]
  --cases        complete monitoring-inclusion cases to drive (env BENCH_CASES, default 200)
  --concurrency  concurrent clients (env BENCH_CONCURRENCY, default 16)
  --timeout      global time limit in seconds (env BENCH_TIMEOUT_S, default 600)
environment: BENCH_DATABASE_URL or DATABASE_URL (server to create the throw-away database on,
  default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (default redis://127.0.0.1:6379)`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max) throw new UsageError(`${name} must be an integer in 1..${max}, got "${raw}"\n${USAGE}`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    const m = /^--(cases|concurrency|timeout)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value\n${USAGE}`);
    flags.set(m[1], value);
  }
  return {
    cases: positiveInt('--cases', flags.get('cases') ?? env.BENCH_CASES, 200, 100_000),
    concurrency: positiveInt('--concurrency', flags.get('concurrency') ?? env.BENCH_CONCURRENCY, 16, 1_000),
    timeoutMs: positiveInt('--timeout', flags.get('timeout') ?? env.BENCH_TIMEOUT_S, 600, 24 * 3600) * 1000,
    timerWaitMs: 60_000,
    pollIntervalMs: 100,
    noticePeriod: 'PT1S',
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}
