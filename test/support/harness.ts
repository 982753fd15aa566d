/**
 * Starts the real application for an e2e spec: on PostgreSQL + Redis (Bull) when
 * DATABASE_URL and REDIS_URL are set, else on the embedded default (SQLite file, in-process
 * timers). Each spec gets its own database (or file) and its own queue prefix.
 */
import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { createApp } from '../../src/bootstrap';
import { type AppConfig, loadConfig } from '../../src/common/config/app-config';
import { seed } from '../../seeds/seed';
import { DEMO_PASSWORD } from '../../seeds/demo-data';

export const target = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * One set of personal-data keys for every app of a test process: the entity transformers use the
 * cipher the last app installed, and some specs keep two apps open at once. (Without these the
 * service generates keys into each data dir, which the config spec covers.)
 */
export const TEST_PII_KEYS = 'k1:' + Buffer.alloc(32, 1).toString('base64');
export const TEST_PII_HMAC_KEY = Buffer.alloc(32, 2).toString('base64');

export interface TestEnv {
  app: INestApplication;
  config: AppConfig;
  ds: DataSource;
  http: () => ReturnType<typeof request>;
  token(username: string, password?: string): Promise<string>;
  /** stops the app but keeps its database, for restart tests */
  stop(): Promise<void>;
  /** a second app on the same database and queue: a restart, or another instance (optionally with changed settings) */
  restart(patch?: Partial<AppConfig>): Promise<TestEnv>;
  close(): Promise<void>;
}

async function withAdmin<T>(baseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: baseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface StartOptions {
  env?: Record<string, string>;
  seedDemo?: boolean;
}

export async function startApp(opts: StartOptions = {}): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-e2e-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    // the specs' webhook receivers listen on 127.0.0.1; the SSRF guard itself is tested with it off
    WEBHOOK_ALLOW_PRIVATE: 'true',
    PII_KEYS: TEST_PII_KEYS,
    PII_HMAC_KEY: TEST_PII_HMAC_KEY,
    ...opts.env,
  };
  let dbName: string | null = null;
  if (target === 'postgres') {
    dbName = `e2e_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const base = process.env.DATABASE_URL!;
    await withAdmin(base, (c) => c.query(`CREATE DATABASE ${dbName}`));
    const url = new URL(base);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
  }
  if (env.REDIS_URL) env.QUEUE_PREFIX = `e2e-${randomUUID().slice(0, 8)}`;
  const config = loadConfig(env as NodeJS.ProcessEnv);
  return boot(config, { dataDir, dbName, seedDemo: opts.seedDemo !== false });
}

async function boot(config: AppConfig, meta: { dataDir: string; dbName: string | null; seedDemo: boolean }): Promise<TestEnv> {
  const app = await createApp(config);
  await app.init();
  const ds = app.get(DataSource);
  // through the service's UnitOfWork: on SQLite its background transactions are serialised with the seed's
  if (meta.seedDemo) await seed(ds, (work) => app.get(UnitOfWork).transaction(work));
  const tokens = new Map<string, string>();
  let stopped = false;
  const self: TestEnv = {
    app,
    config,
    ds,
    http: () => request(app.getHttpServer()),
    async token(username, password = username === 'admin' ? 'Admin@2026' : DEMO_PASSWORD) {
      const cached = tokens.get(username);
      if (cached) return cached;
      const res = await request(app.getHttpServer()).post('/auth/login').send({ username, password });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      tokens.set(username, res.body.accessToken);
      return res.body.accessToken;
    },
    async stop() {
      if (!stopped) await app.close();
      stopped = true;
    },
    restart: (patch?: Partial<AppConfig>) => boot({ ...config, ...patch }, { ...meta, seedDemo: false }),
    async close() {
      await self.stop();
      if (meta.dbName) {
        await withAdmin(process.env.DATABASE_URL!, (c) => c.query(`DROP DATABASE IF EXISTS ${meta.dbName} WITH (FORCE)`));
      }
      rmSync(meta.dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
