/**
 * Issue 10: how `npm start` runs. On PostgreSQL a Node cluster, even of one worker: the primary
 * only supervises and never loads the application, and each worker's old space is limited to
 * WORKER_HEAP_MB, so V8 collects instead of growing the heap under load. The embedded SQLite
 * default stays one process. Runs the compiled service (`npm test` builds first).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, deleteRedisPrefix, dropDatabase, freePort, serviceEnv, type ServiceProcess, startService, stopService } from '../bench/infra';
import { target } from './support/harness';

const ROOT = process.cwd();

const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

async function healthy(base: string, svc: ServiceProcess): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (!svc.alive()) throw new Error(`the service exited during start-up:\n${svc.output.tail()}`);
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET /health did not answer 200 within 60 s:\n${svc.output.tail()}`);
}

describe(`npm start: its processes (${target})`, () => {
  let dataDir: string;
  let db: { name: string; url: string } | null = null;
  const prefix = `cluster-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) throw new Error('dist/src/main.js is missing: npm test builds the service first (npm run build)');
    dataDir = mkdtempSync(join(tmpdir(), 'approvals-cluster-'));
    if (target === 'postgres') db = await createDatabase(process.env.DATABASE_URL!);
  });

  afterAll(async () => {
    if (db) await dropDatabase(process.env.DATABASE_URL!, db.name);
    if (target === 'postgres') await deleteRedisPrefix(process.env.REDIS_URL!, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(target === 'postgres'
    ? 'a cluster of one: the primary supervises without the application, the worker runs with --max-old-space-size=WORKER_HEAP_MB'
    : 'the embedded default is one process, without a cluster', async () => {
    const port = await freePort();
    const env = serviceEnv({ port, databaseUrl: db?.url ?? '', redisUrl: process.env.REDIS_URL ?? '', queuePrefix: prefix, dataDir });
    if (target !== 'postgres') {
      delete env.DATABASE_URL;
      delete env.REDIS_URL;
      delete env.QUEUE_PREFIX;
    }
    Object.assign(env, { WEB_CONCURRENCY: '1', WORKER_HEAP_MB: '160' });
    const svc = startService(ROOT, env);
    try {
      await healthy(`http://127.0.0.1:${port}`, svc);
      const children = childrenOf(svc.pid);
      expect(cmdline(svc.pid).some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
      if (target === 'postgres') {
        expect(children).toHaveLength(1);
        const [worker] = children;
        expect(cmdline(worker)).toContain('--max-old-space-size=160');
        // the worker holds the application; the primary is little more than Node itself
        expect(rssKb(svc.pid)).toBeLessThan(100_000);
        expect(rssKb(worker)).toBeGreaterThan(rssKb(svc.pid) + 40_000);
      } else {
        expect(children).toEqual([]);
      }
      expect(await stopService(svc)).toMatch(/code 0|signal SIGTERM/);
      for (const pid of children) expect(existsSync(`/proc/${pid}`)).toBe(false);
    } finally {
      if (svc.alive()) svc.child.kill('SIGKILL');
    }
  }, 90_000);
});
