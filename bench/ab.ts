/**
 * `npm run bench:ab -- <rev>` (issue 21): this build against another commit, in one sitting.
 *
 *   1. <rev> is built in a temporary git worktree (node_modules hard-linked from this tree when the
 *      lockfiles are identical, else `npm ci`);
 *   2. a PostgreSQL server of the bench's own is started (initdb in a temporary folder, a free
 *      port, `shared_preload_libraries=pg_stat_statements`, the machine server's settings): the
 *      machine's shared server lacks the extension and serves other work, whose CPU would count;
 *      `--shared-server` uses DATABASE_URL instead (PostgreSQL CPU then counts every process);
 *   3. rounds of: pgbench (the transition's shape, its CPU per transaction from /proc, client +
 *      PostgreSQL), then the old build, then the new one, each run by this tree's bench
 *      (`--only inclusion,engine`, WEB_CONCURRENCY=1, the same clients and workload);
 *   4. medians, spreads and both ratios printed; figures in bench/results/ab.json.
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './infra';
import { clkTck, statOf } from './procstat';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const USAGE = `usage: npm run bench:ab -- <rev> [--rounds N] [--cases N] [--engine-cases N] [--concurrency C]
       [--pgbench-seconds S] [--shared-server] [--keep]
  <rev>             the commit to compare this working tree's build against (e.g. ce2c782)
  --rounds          interleaved rounds of pgbench, old, new (default 3; 1 for a quick look)
  --cases           inclusion-phase cases per run (default 200)
  --engine-cases    leads waiting for the engine phase's one event (default 2000)
  --concurrency     clients (default 32)
  --pgbench-seconds how long each pgbench runs (default 10)
  --shared-server   use DATABASE_URL's server instead of a server of the bench's own
  --keep            keep the old build's worktree (reused by the next run for the same commit)
a run of 3 rounds with the defaults takes ~15 minutes on the 2-core machine`;

interface AbOptions {
  rev: string;
  rounds: number;
  cases: number;
  engineCases: number;
  concurrency: number;
  pgbenchSeconds: number;
  sharedServer: boolean;
  keep: boolean;
}

function parse(argv: string[]): AbOptions {
  const o: AbOptions = { rev: '', rounds: 3, cases: 200, engineCases: 2000, concurrency: 32, pgbenchSeconds: 10, sharedServer: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (max: number) => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${a} takes an integer in 1..${max}\n${USAGE}`);
      return n;
    };
    if (a === '--rounds') o.rounds = num(20);
    else if (a === '--cases') o.cases = num(10_000);
    else if (a === '--engine-cases') o.engineCases = num(20_000);
    else if (a === '--concurrency') o.concurrency = num(1000);
    else if (a === '--pgbench-seconds') o.pgbenchSeconds = num(600);
    else if (a === '--shared-server') o.sharedServer = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else if (!a.startsWith('-') && !o.rev) o.rev = a;
    else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  if (!o.rev) throw new Error(USAGE);
  return o;
}

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd, env, maxBuffer: 1 << 26 });
  return stdout.trim();
}

/** <rev> built in a worktree of its own; returns its folder. */
async function buildOld(root: string, rev: string): Promise<{ dir: string; sha: string }> {
  const sha = await sh('git', ['rev-parse', '--verify', `${rev}^{commit}`], root);
  const dir = join(tmpdir(), `approvals-ab-${sha.slice(0, 12)}`);
  if (existsSync(join(dir, '.ab-built'))) {
    log(`old build: reusing ${dir}`);
    return { dir, sha };
  }
  if (existsSync(dir)) {
    await sh('git', ['worktree', 'remove', '--force', dir], root).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  log(`old build: git worktree ${dir} at ${sha.slice(0, 12)}`);
  await sh('git', ['worktree', 'add', '--detach', dir, sha], root);
  const oldLock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
  const newLock = existsSync(join(root, 'package-lock.json')) ? readFileSync(join(root, 'package-lock.json'), 'utf8') : '';
  if (oldLock === newLock && existsSync(join(root, 'node_modules'))) {
    log('old build: lockfiles identical, node_modules hard-linked from this tree');
    await sh('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')], root);
  } else {
    log('old build: lockfiles differ, npm ci');
    await sh('npm', ['ci', '--no-audit', '--no-fund'], dir);
  }
  log('old build: npm run build');
  await sh('npm', ['run', 'build'], dir);
  writeFileSync(join(dir, '.ab-built'), `${sha}\n`);
  return { dir, sha };
}

async function removeOld(root: string, dir: string): Promise<void> {
  await sh('git', ['worktree', 'remove', '--force', dir], root).catch(() => rmSync(dir, { recursive: true, force: true }));
  await sh('git', ['worktree', 'prune'], root).catch(() => undefined);
}

interface PrivateServer {
  url: string;
  postmasterPid: number;
  stop: () => Promise<void>;
}

/**
 * A PostgreSQL server of the bench's own, with pg_stat_statements preloaded: `initdb` in a
 * temporary folder (as the postgres user when run as root), the machine server's settings.
 */
async function startPrivateServer(): Promise<PrivateServer> {
  const bin = (await sh('pg_config', ['--bindir'], '/').catch(() => '')) || '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(join(tmpdir(), 'approvals-ab-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const asPg = async (cmd: string, args: string[]) => (asRoot ? sh('runuser', ['-u', 'postgres', '--', cmd, ...args], dir) : sh(cmd, args, dir));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(g.trim()));
  }
  const port = await freePort();
  await asPg(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const settings = [
    `port=${port}`,
    "listen_addresses='127.0.0.1'",
    `unix_socket_directories='${dir}'`,
    "shared_preload_libraries='pg_stat_statements'",
    'pg_stat_statements.max=1000',
    // the machine server's settings (/etc/postgresql/15/main: conf.d/90-ci.conf and postgresql.conf)
    'max_connections=100',
    'shared_buffers=128MB',
    'max_wal_size=1GB',
    'autovacuum=off',
    'fsync=on',
    "timezone='Etc/UTC'",
  ];
  writeFileSync(join(data, 'postgresql.auto.conf'), `${settings.join('\n')}\n`);
  await asPg(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const postmasterPid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  log(`PostgreSQL of the bench's own on port ${port} (pid ${postmasterPid}, ${data}), pg_stat_statements preloaded`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    postmasterPid,
    stop: async () => {
      await asPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']).catch((err) => log(`pg_ctl stop: ${(err as Error).message}`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface PgbenchCpu {
  tps: number;
  transactions: number;
  /** CPU of pgbench and of PostgreSQL per transaction, ms */
  clientCpuMs: number;
  postgresCpuMs: number;
  cpuMsPerTransaction: number;
}

/** pgbench on bench/pgbench's transition while /proc is sampled: its CPU per transaction. */
async function pgbenchCpu(root: string, baseUrl: string, postmasterPid: number | null, clients: number, seconds: number): Promise<PgbenchCpu> {
  const u = new URL(baseUrl);
  const db = `ab_pgbench_${process.pid}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  const server = ['-h', u.hostname || '127.0.0.1', '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  try {
    await sh('psql', [...server, '-d', db, '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(root, 'bench', 'pgbench', 'setup.sql')], root);
    // processes present before pgbench starts count from their ticks then; later ones (pgbench, its backends) from zero
    const atStart = new Set(readdirPids());
    const child = spawn('pgbench', [...server, '-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', join(root, 'bench', 'pgbench', 'transition.sql'), db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let running = true;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => ((running = false), r(code))));
    const first = new Map<number, number>();
    const last = new Map<number, { ticks: number; client: boolean }>();
    const sample = () => {
      for (const pid of readdirPids()) {
        const st = statOf(pid);
        if (!st) continue;
        const client = pid === child.pid;
        const pg = st.comm.startsWith('postgres') && (postmasterPid === null || pid === postmasterPid || st.ppid === postmasterPid);
        if (!client && !pg) continue;
        if (!first.has(pid)) first.set(pid, atStart.has(pid) ? st.ticks : 0);
        last.set(pid, { ticks: st.ticks, client });
      }
    };
    while (running) {
      sample();
      await sleep(100);
    }
    const code = await exited;
    if (code !== 0) throw new Error(`pgbench exited ${code}:\n${out.slice(-2000)}`);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    let clientTicks = 0;
    let pgTicks = 0;
    for (const [pid, v] of last) {
      const d = v.ticks - (first.get(pid) ?? 0);
      if (v.client) clientTicks += d;
      else pgTicks += d;
    }
    const per = (ticks: number) => Math.round(((ticks / clkTck) * 1000 * 1000) / transactions) / 1000;
    return { tps: Math.round(tps), transactions, clientCpuMs: per(clientTicks), postgresCpuMs: per(pgTicks), cpuMsPerTransaction: per(clientTicks + pgTicks) };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

function readdirPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

interface RunFigures {
  build: 'old' | 'new';
  round: number;
  ok: boolean;
  engineTransitionsPerSec: number | null;
  serviceCpuMs: number | null;
  postgresCpuMs: number | null;
  /** service + PostgreSQL CPU per engine transition */
  cpuMs: number | null;
  inclusionTransitionsPerSec: number | null;
  statementsPerTransition: number | null;
  postgresStatementMs: number | null;
  statements: unknown;
  error?: string;
}

async function benchRun(root: string, serviceRoot: string, o: AbOptions, databaseUrl: string, postmasterPid: number | null, label: RunFigures['build'], round: number): Promise<RunFigures> {
  const file = join(root, 'bench', 'results', `ab-${label}-${round}.json`);
  rmSync(file, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_SERVICE_ROOT: serviceRoot,
    BENCH_RESULTS_FILE: file,
    BENCH_DATABASE_URL: databaseUrl,
    WEB_CONCURRENCY: '1',
    BENCH_START_TIMEOUT_S: process.env.BENCH_START_TIMEOUT_S || '300',
    ...(postmasterPid ? { BENCH_PG_POSTMASTER_PID: String(postmasterPid) } : {}),
  };
  const args = [join(root, 'dist', 'bench', 'run.js'), '--only', 'inclusion,engine', '--cases', String(o.cases), '--engine-cases', String(o.engineCases), '--concurrency', String(o.concurrency), '--timeout', '1200'];
  const code = await new Promise<number | null>((res) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (c) => {
      const keep = out.split('\n').filter((l) => /^(throughput|CPU per transition|PostgreSQL per|inclusion|result:|FATAL)/.test(l));
      for (const l of keep) log(`  ${label} ${round}: ${l}`);
      res(c);
    });
  });
  const fig: RunFigures = {
    build: label,
    round,
    ok: code === 0,
    engineTransitionsPerSec: null,
    serviceCpuMs: null,
    postgresCpuMs: null,
    cpuMs: null,
    inclusionTransitionsPerSec: null,
    statementsPerTransition: null,
    postgresStatementMs: null,
    statements: null,
  };
  if (!existsSync(file)) return { ...fig, error: `the bench wrote no figures (exit ${code})` };
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const e = r.engine ?? {};
  fig.engineTransitionsPerSec = e.transitionsPerSec ?? null;
  fig.serviceCpuMs = e.serviceCpuMsPerTransition ?? null;
  fig.postgresCpuMs = e.postgresCpuMsPerTransition ?? null;
  fig.cpuMs = fig.serviceCpuMs !== null && fig.postgresCpuMs !== null ? Math.round((fig.serviceCpuMs + fig.postgresCpuMs) * 100) / 100 : null;
  fig.inclusionTransitionsPerSec = r.eventPhase?.transitionsPerSec ?? null;
  if (e.statements?.available && e.transitions) {
    fig.statementsPerTransition = Math.round((e.statements.calls / e.transitions) * 10) / 10;
    fig.postgresStatementMs = Math.round((e.statements.totalMs / e.transitions) * 1000) / 1000;
    fig.statements = e.statements.statements;
  }
  if (code !== 0) fig.error = `the bench exited ${code} (see bench/results/ab-${label}-${round}.json)`;
  return fig;
}

const median = (v: number[]) => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const nums = (v: (number | null)[]) => v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? '-' : v.toFixed(d));

async function main(): Promise<number> {
  let o: AbOptions;
  try {
    o = parse(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const root = resolve(__dirname, '..', '..');
  const started = Date.now();
  const old = await buildOld(root, o.rev);
  let server: PrivateServer | null = null;
  const runs: RunFigures[] = [];
  const pgbenches: PgbenchCpu[] = [];
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    let postmasterPid: number | null = null;
    if (!o.sharedServer) {
      server = await startPrivateServer();
      url = server.url;
      postmasterPid = server.postmasterPid;
    }
    for (let round = 1; round <= o.rounds && !stopping; round++) {
      log(`round ${round}/${o.rounds}: pgbench, ${o.concurrency} clients, ${o.pgbenchSeconds} s`);
      const pg = await pgbenchCpu(root, url, postmasterPid, o.concurrency, o.pgbenchSeconds);
      pgbenches.push(pg);
      log(`  pgbench: ${pg.tps} tps, ${f(pg.cpuMsPerTransaction, 3)} ms CPU per transaction (client ${f(pg.clientCpuMs, 3)}, PostgreSQL ${f(pg.postgresCpuMs, 3)})`);
      for (const [label, dir] of [['old', old.dir], ['new', root]] as const) {
        if (stopping) break;
        log(`round ${round}/${o.rounds}: ${label} build (${label === 'old' ? old.sha.slice(0, 12) : 'this tree'})`);
        let fig = await benchRun(root, dir, o, url, postmasterPid, label, round);
        // a run that measured nothing (the service did not start in time on a loaded machine) is run once more
        if (fig.cpuMs === null && !stopping) {
          log(`round ${round}/${o.rounds}: ${label} build measured nothing (${fig.error ?? 'no figures'}); once more`);
          fig = await benchRun(root, dir, o, url, postmasterPid, label, round);
        }
        runs.push(fig);
      }
    }
  } finally {
    if (server) await server.stop();
    if (!o.keep) await removeOld(root, old.dir);
  }

  const of = (b: 'old' | 'new') => runs.filter((r) => r.build === b);
  const med = (b: 'old' | 'new', k: keyof RunFigures) => median(nums(of(b).map((r) => r[k] as number | null)));
  const spread = (b: 'old' | 'new', k: keyof RunFigures, d = 2) => {
    const v = nums(of(b).map((r) => r[k] as number | null));
    return v.length ? `${f(Math.min(...v), d)}–${f(Math.max(...v), d)}` : '-';
  };
  const pgCpu = median(pgbenches.map((p) => p.cpuMsPerTransaction));
  const pgTps = median(pgbenches.map((p) => p.tps));
  const oldCpu = med('old', 'cpuMs');
  const newCpu = med('new', 'cpuMs');
  const oldIncl = med('old', 'inclusionTransitionsPerSec');
  const newIncl = med('new', 'inclusionTransitionsPerSec');
  const cpuRatio = oldCpu && newCpu !== null ? Math.round((newCpu / oldCpu) * 1000) / 1000 : null;
  const inclRatio = oldIncl && newIncl !== null ? Math.round((newIncl / oldIncl) * 1000) / 1000 : null;

  const lines: string[] = [];
  lines.push('');
  lines.push(`A/B against ${old.sha.slice(0, 12)} (${o.rev}) — ${o.rounds} interleaved rounds (pgbench, old, new), ${o.concurrency} clients, WEB_CONCURRENCY=1, ` +
    `engine phase ${o.engineCases} leads, inclusion ${o.cases} cases; PostgreSQL ${o.sharedServer ? 'the shared server (its CPU: all its processes)' : "of the bench's own (pg_stat_statements)"}`);
  lines.push('run        engine tr/s  service ms  postgres ms  CPU ms/tr  stmts/tr  pg exec ms/tr  inclusion tr/s');
  for (const r of runs) {
    lines.push(`${`${r.build} ${r.round}`.padEnd(10)} ${f(r.engineTransitionsPerSec, 1).padStart(11)} ${f(r.serviceCpuMs).padStart(11)} ${f(r.postgresCpuMs).padStart(12)} ` +
      `${f(r.cpuMs).padStart(10)} ${f(r.statementsPerTransition, 1).padStart(9)} ${f(r.postgresStatementMs, 3).padStart(14)} ${f(r.inclusionTransitionsPerSec, 1).padStart(15)}${r.error ? `  ${r.error}` : ''}`);
  }
  for (const b of ['old', 'new'] as const) {
    lines.push(`median ${b}: engine ${f(med(b, 'engineTransitionsPerSec'), 1)} tr/s (${spread(b, 'engineTransitionsPerSec', 1)}), CPU ${f(med(b, 'cpuMs'))} ms/tr (${spread(b, 'cpuMs')}: ` +
      `service ${f(med(b, 'serviceCpuMs'))}, PostgreSQL ${f(med(b, 'postgresCpuMs'))}), PostgreSQL execution ${f(med(b, 'postgresStatementMs'), 3)} ms in ${f(med(b, 'statementsPerTransition'), 1)} statements, ` +
      `inclusion ${f(med(b, 'inclusionTransitionsPerSec'), 1)} tr/s (${spread(b, 'inclusionTransitionsPerSec', 1)})`);
  }
  lines.push(`pgbench: ${f(pgTps, 0)} tps, ${f(pgCpu, 3)} ms CPU per transaction (client + PostgreSQL; runs ${pgbenches.map((p) => f(p.cpuMsPerTransaction, 3)).join(', ')})`);
  if (pgCpu) lines.push(`engine transition as a multiple of pgbench's transaction: old ${f(oldCpu !== null ? oldCpu / pgCpu : null, 1)}×, new ${f(newCpu !== null ? newCpu / pgCpu : null, 1)}×`);
  lines.push(`ratio CPU per engine transition new/old   ${f(cpuRatio, 3)}   (bar ≤ 0.5: ${cpuRatio !== null && cpuRatio <= 0.5 ? 'met' : 'not met'})`);
  lines.push(`ratio inclusion transitions/s new/old    ${f(inclRatio, 3)}   (bar ≥ 1.6: ${inclRatio !== null && inclRatio >= 1.6 ? 'met' : 'not met'})`);
  lines.push(`took ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(lines.join('\n'));
  const out = join(root, 'bench', 'results', 'ab.json');
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ rev: o.rev, sha: old.sha, options: o, runs, pgbench: pgbenches, medians: { oldCpu, newCpu, oldIncl, newIncl, pgCpu, pgTps }, cpuRatio, inclRatio }, null, 2)}\n`);
  console.log(`figures written to ${out}`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
