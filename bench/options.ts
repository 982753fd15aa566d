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
  /** households per risk-elimination list (batch) */
  batchSize: number;
  /** project-intake cases to drive */
  projects: number;
  /** public-welfare post hiring cases to drive (candidate households) */
  hires: number;
  /** open posts the hires are spread over */
  posts: number;
  /** households the alert import matches (each opens a monitoring-inclusion case) */
  importHouseholds: number;
  /** rows of the alert list imported */
  importRows: number;
  /** members of the household registry file bulk-loaded (phase registry, issue 13) */
  registryMembers: number;
  /** the phases to run, in this order: pgbench, inclusion, elimination, projects, implementation, posts, imports, engine, load */
  phases: Phase[];
  /** leads waiting in one state for the engine phase's one event */
  engineCases: number;
  /** concurrent clients of the load phase */
  loadClients: number;
  /** how long pgbench runs */
  pgbenchSeconds: number;
  /** cases written by SQL for the scale phase (0: the phase does not run) */
  scaleCases: number;
  databaseUrl: string;
  redisUrl: string;
}

export const PHASES = ['pgbench', 'inclusion', 'elimination', 'projects', 'implementation', 'posts', 'imports', 'registry', 'engine', 'load', 'scale'] as const;
/** phases that run only when asked for: scale writes gigabytes and takes minutes */
const ON_REQUEST: Phase[] = ['scale'];
export type Phase = (typeof PHASES)[number];

const USAGE = `usage: node dist/bench/run.js [--cases N] [--concurrency C] [--batch-size B] [--projects M] [--hires H]
       [--import-households H] [--import-rows R] [--registry-members M] [--engine-cases N] [--load-clients C] [--pgbench-seconds S]
       [--only PHASES] [--timeout SECONDS]
  --cases        complete monitoring-inclusion cases to drive (env BENCH_CASES, default 200)
  --concurrency  concurrent clients (env BENCH_CONCURRENCY, default 16)
  --batch-size   households per risk-elimination list; every monitoring object the inclusion
                 phase produced is eliminated (env BENCH_BATCH_SIZE, default 10)
  --projects     project-intake cases to drive (env BENCH_PROJECTS, default cases/4, at least 1); the
                 implementation phase then takes each of these library projects through the plan,
                 contract, two progress reports and two payments (advance, progress)
  --hires        public-welfare post hiring cases (candidate households) to drive to on_duty, each
                 then given a month of attendance; spread over max(2, cases/50) posts
                 (env BENCH_HIRES, default cases/4, at least 1)
  --import-households
                 households the department alert import matches, each opening a monitoring-
                 inclusion case (env BENCH_IMPORT_HOUSEHOLDS, default 1000)
  --import-rows  rows of the alert list: the matched households, 1% invalid, the rest unmatched
                 (env BENCH_IMPORT_ROWS, default 100000, at most 200000, the service's limit)
  --registry-members
                 members of the household registry file bulk-loaded by the registry phase, in
                 households of three (env BENCH_REGISTRY_MEMBERS, default 300000; target < 2 min)
  --engine-cases leads waiting in one state for the engine phase, each sent RECORD_VERIFICATION
                 (env BENCH_ENGINE_CASES, default cases)
  --load-clients concurrent clients of the load phase, more than the pool's connections
                 (env BENCH_LOAD_CLIENTS, default 256)
  --pgbench-seconds
                 how long the pgbench phase runs (env BENCH_PGBENCH_SECONDS, default 10)
  --scale [N]    after the other phases, write N cases (default 1,000,000) and 5 audit entries
                 each by SQL into the bench's database and time the lists (env BENCH_SCALE_CASES)
  --only         comma-separated phases to run, of pgbench,inclusion,elimination,projects,implementation,
                 posts,imports,registry,engine,load,scale (env BENCH_ONLY, default all but scale); elimination needs the
                 inclusion phase's monitoring objects, so it brings the inclusion phase with it; implementation
                 needs the projects phase's library projects, so it brings the projects phase with it
  --timeout      global time limit in seconds (env BENCH_TIMEOUT_S, default 600, or 1800 when the
                 imports phase runs: each of its two imports may take up to 10 minutes)
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
    if (arg === '--scale' || arg.startsWith('--scale=')) {
      const next = arg === '--scale' ? argv[i + 1] : arg.slice('--scale='.length);
      const given = next !== undefined && /^\d+$/.test(next);
      if (arg === '--scale' && given) i++;
      flags.set('scale', given ? next : '1000000');
      continue;
    }
    const m = /^--(cases|concurrency|timeout|batch-size|projects|hires|import-households|import-rows|registry-members|engine-cases|load-clients|pgbench-seconds|only)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value\n${USAGE}`);
    flags.set(m[1], value);
  }
  const cases = positiveInt('--cases', flags.get('cases') ?? env.BENCH_CASES, 200, 100_000);
  const hires = positiveInt('--hires', flags.get('hires') ?? env.BENCH_HIRES, Math.max(1, Math.floor(cases / 4)), 100_000);
  const importHouseholds = positiveInt('--import-households', flags.get('import-households') ?? env.BENCH_IMPORT_HOUSEHOLDS, 1_000, 100_000);
  const importRows = positiveInt('--import-rows', flags.get('import-rows') ?? env.BENCH_IMPORT_ROWS, 100_000, 200_000);
  const registryMembers = positiveInt('--registry-members', flags.get('registry-members') ?? env.BENCH_REGISTRY_MEMBERS, 300_000, 1_000_000);
  const scaleRaw = flags.get('scale') ?? env.BENCH_SCALE_CASES;
  const phases = parsePhases(flags.get('only') ?? env.BENCH_ONLY, scaleRaw !== undefined && scaleRaw !== '');
  if (phases.includes('imports') && importRows < importHouseholds + Math.round(importRows / 100)) {
    throw new UsageError(`--import-rows (${importRows}) must hold the ${importHouseholds} matched households and 1% invalid rows\n${USAGE}`);
  }
  return {
    cases,
    batchSize: positiveInt('--batch-size', flags.get('batch-size') ?? env.BENCH_BATCH_SIZE, 10, 500),
    projects: positiveInt('--projects', flags.get('projects') ?? env.BENCH_PROJECTS, Math.max(1, Math.floor(cases / 4)), 100_000),
    hires,
    // at least two posts, one per 50 cases, and never more than 200 places on one post
    posts: Math.max(2, Math.floor(cases / 50), Math.ceil(hires / 200)),
    importHouseholds,
    importRows,
    registryMembers,
    phases,
    engineCases: positiveInt('--engine-cases', flags.get('engine-cases') ?? env.BENCH_ENGINE_CASES, cases, 100_000),
    loadClients: positiveInt('--load-clients', flags.get('load-clients') ?? env.BENCH_LOAD_CLIENTS, 256, 2_000),
    scaleCases: phases.includes('scale') ? positiveInt('--scale', scaleRaw, 1_000_000, 10_000_000) : 0,
    pgbenchSeconds: positiveInt('--pgbench-seconds', flags.get('pgbench-seconds') ?? env.BENCH_PGBENCH_SECONDS, 10, 600),
    concurrency: positiveInt('--concurrency', flags.get('concurrency') ?? env.BENCH_CONCURRENCY, 16, 1_000),
    timeoutMs: positiveInt('--timeout', flags.get('timeout') ?? env.BENCH_TIMEOUT_S, phases.includes('imports') || phases.includes('registry') ? 1800 : 600, 24 * 3600) * 1000,
    timerWaitMs: 60_000,
    pollIntervalMs: 100,
    noticePeriod: 'PT1S',
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}

function parsePhases(raw: string | undefined, scale: boolean): Phase[] {
  if (raw === undefined || raw.trim() === '') return PHASES.filter((p) => !ON_REQUEST.includes(p) || (p === 'scale' && scale));
  const asked = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = asked.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length || !asked.length) throw new UsageError(`--only takes phases of ${PHASES.join(',')}, got "${raw}"\n${USAGE}`);
  // the elimination lists are made of the monitoring objects the inclusion phase produced
  if (asked.includes('elimination')) asked.push('inclusion');
  // the implementation phase plans and implements the library projects of the intake phase
  if (asked.includes('implementation')) asked.push('projects');
  if (scale) asked.push('scale');
  return PHASES.filter((p) => asked.includes(p));
}
