/**
 * The throw-away environment of one run: a fresh PostgreSQL database, a unique Redis queue
 * prefix, the built service as a child process on a free port, and the seeds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { Client } from 'pg';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One short-lived connection for a few statements (the bench's administration). */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(baseUrl: string): Promise<{ name: string; url: string }> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  if (!/^bench_[0-9a-f]{12}$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await withClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

function redisClient(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 });
}

export async function redisPing(url: string): Promise<void> {
  const r = redisClient(url);
  try {
    await r.connect();
    await r.ping();
  } finally {
    r.disconnect();
  }
}

/** Deletes every key under `${prefix}:` (Bull's keys); returns how many. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  // only the throw-away prefixes of the bench and of the crash and cluster specs
  if (!/^(bench-[0-9a-f]{12}|(crash|cluster)-[0-9a-f]{8})$/.test(prefix)) throw new Error(`refusing to delete keys of prefix ${prefix}`);
  const r = redisClient(url);
  let deleted = 0;
  try {
    await r.connect();
    let cursor = '0';
    for (let round = 0; round < 100_000; round++) {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await r.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    r.disconnect();
  }
  return deleted;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The service's and the seeds' environment: development defaults, everything else explicit. */
export function serviceEnv(v: {
  port: number;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  dataDir: string;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // settings a developer may have exported for the app: the bench must not inherit them
  for (const k of ['SQLITE_FILE', 'EVIDENCE_DIR', 'EVIDENCE_MAX_BYTES', 'JWT_EXPIRES_IN', 'TIMER_RECONCILE_MS', 'NODE_OPTIONS']) {
    delete env[k];
  }
  return {
    ...env,
    NODE_ENV: 'development',
    PORT: String(v.port),
    DATABASE_URL: v.databaseUrl,
    REDIS_URL: v.redisUrl,
    QUEUE_PREFIX: v.queuePrefix,
    DATA_DIR: v.dataDir,
    // BENCH_SERVICE_LOG_LEVEL=info shows the service's info lines (e.g. 'import completed' with its ms)
    LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL || 'warn',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    BOOTSTRAP_ADMIN_USERNAME: 'admin',
    BOOTSTRAP_ADMIN_PASSWORD: 'Admin@2026',
  };
}

/** Keeps the last lines of a child's output and counts pino warnings and errors. */
export class OutputTail {
  readonly lines: string[] = [];
  warnings = 0;
  errors = 0;
  /** lines that are not pino JSON (console output, stack traces) */
  other = 0;
  readonly firstProblems: string[] = [];
  /** the service's 'import completed' lines (logged at info: seen only with BENCH_SERVICE_LOG_LEVEL=info) */
  readonly importLines: string[] = [];
  private partial = '';

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  private line(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line);
    if (this.lines.length > 200) this.lines.shift();
    if (line.includes('"msg":"import completed"') && this.importLines.length < 20) this.importLines.push(line.slice(0, 1000));
    const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? NaN);
    if (level === 40) this.warnings++;
    else if (level >= 50) this.errors++;
    else if (Number.isNaN(level)) this.other++;
    else return;
    if (this.firstProblems.length < 10) this.firstProblems.push(line.slice(0, 1000));
  }

  tail(n = 30): string {
    return [...this.lines.slice(-n), this.partial].filter(Boolean).join('\n');
  }
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  output: OutputTail;
  /** resolves to how the process ended: "code 0", "signal SIGTERM" */
  exited: Promise<string>;
  alive(): boolean;
}

/**
 * `node [BENCH_SERVICE_NODE_ARGS] dist/src/main.js`; e.g. BENCH_SERVICE_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" profiles the service (written when it exits).
 */
export function startService(root: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail();
  child.stdout!.on('data', (d) => output.push(d));
  child.stderr!.on('data', (d) => output.push(d));
  let running = true;
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code !== null ? `code ${code}` : `signal ${signal}`);
    }),
  );
  if (!child.pid) throw new Error('could not start the service');
  return { child, pid: child.pid, output, exited, alive: () => running };
}

/** SIGTERM, then SIGKILL after graceMs; describes how it went. */
export async function stopService(svc: ServiceProcess, graceMs = 10_000): Promise<string> {
  if (!svc.alive()) return `had already exited (${await svc.exited})`;
  const started = Date.now();
  svc.child.kill('SIGTERM');
  const done = await Promise.race([svc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done && svc.alive()) {
    svc.child.kill('SIGKILL');
    await Promise.race([svc.exited, sleep(5000)]);
    return `SIGKILLed: no exit within ${graceMs} ms of SIGTERM (${svc.alive() ? 'still running!' : await svc.exited})`;
  }
  return `stopped by SIGTERM in ${Date.now() - started} ms (${await svc.exited})`;
}

export async function waitForHealth(baseUrl: string, svc: ServiceProcess, timeoutMs: number, stop: AbortSignal) {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until && !stop.aborted) {
    if (!svc.alive()) throw new Error(`the service exited during start-up:\n${svc.output.tail()}`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { status?: string; database?: string; queue?: string; queueMode?: string };
      last = `${res.status} ${JSON.stringify(body)}`;
      if (res.status === 200 && body.database === 'up') {
        if (body.queueMode !== undefined && body.queueMode !== 'bull') {
          throw new Error(`the service runs its timers ${body.queueMode}, expected Bull on Redis: ${last}`);
        }
        if (body.queue === 'up') return body;
      }
    } catch (err) {
      if ((err as Error).message.startsWith('the service runs')) throw err;
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`GET /health did not answer ok within ${timeoutMs} ms (last: ${last})\n${svc.output.tail()}`);
}

export function runSeeds(root: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/seeds/run.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`seeds failed (${code ?? signal}):\n${out.slice(-3000)}`));
    });
  });
}
