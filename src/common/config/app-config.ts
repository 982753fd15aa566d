import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { passwordProblem } from '../auth/password-policy';
import { DEFAULT_CALENDAR_ZONE, isTimeZone, setCalendarZone } from '../domain/calendar';
import { newPiiKey, parseHmacKey, parsePiiKeys, PiiError, type PiiKeys } from '../crypto/pii';

/**
 * The only place that reads `process.env`. Everything else receives an {@link AppConfig}.
 */
export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  /** cluster workers of `npm start` on PostgreSQL (the SQLite default is one process) */
  webConcurrency: number;
  /** V8 old-space limit (MB) of each cluster worker: the heap is collected instead of grown */
  workerHeapMb: number;
  dataDir: string;
  database: ({ kind: 'postgres'; url: string; poolSize: number } | { kind: 'sqlite'; file: string }) & {
    /** longest wait for a connection (PostgreSQL pool) or the write lock (SQLite): then 503 */
    acquireTimeoutMs: number;
    /** longest run of one statement (PostgreSQL statement_timeout and lock_timeout): then 503 */
    statementTimeoutMs: number;
  };
  redis: { url: string; prefix: string } | null;
  jwt: { secret: string; expiresIn: string };
  /** ID numbers and phones at rest (issue 11): AES-256-GCM data keys (first writes) and the lookup-hash key */
  pii: PiiKeys;
  evidence: { dir: string; maxBytes: number };
  bootstrapAdmin: { username: string; password: string } | null;
  timers: { reconcileIntervalMs: number; lockMs: number };
  /** allowPrivate: targets on loopback, private or link-local addresses (tests; never in production by default) */
  webhooks: { maxAttempts: number; backoffMs: number; timeoutMs: number; allowPrivate: boolean };
  /** the daily overdue reminder (SF-04): local time of day and its time zone */
  reminders: { hour: number; minute: number; timeZone: string };
  /** the daily audit checkpoint (issue 12): one hash over every chain head, local time of day */
  checkpoints: { hour: number; minute: number; timeZone: string };
  imports: { maxBytes: number; chunkRows: number };
  logLevel: string;
  /** browser origins allowed to call the API (CORS); empty: no cross-origin access */
  corsOrigins: string[];
  /** the built console (issue 20), served at /app/; absent folder: no console, the API alone */
  consoleDir?: string;
}

export class ConfigError extends Error {}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Embedded default: a secret generated once and kept beside the data, so tokens survive restarts. */
function embeddedSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Embedded default for the personal-data keys: generated once into `$DATA_DIR/pii-keys` (mode 600),
 * like the JWT secret. Losing this file loses the ID numbers and phones: back it up with the data.
 */
function embeddedPiiKeys(dataDir: string): { keys: string; hmacKey: string } {
  const file = join(dataDir, 'pii-keys');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { keys: string; hmacKey: string };
  const made = { keys: `k1:${newPiiKey()}`, hmacKey: newPiiKey() };
  writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}

function piiKeys(env: NodeJS.ProcessEnv, production: boolean, dataDir: string): PiiKeys {
  if (production && (!env.PII_KEYS || !env.PII_HMAC_KEY)) {
    throw new ConfigError('PII_KEYS and PII_HMAC_KEY are required when NODE_ENV=production (the keys that encrypt ID numbers and phones)');
  }
  const embedded = !env.PII_KEYS || !env.PII_HMAC_KEY ? embeddedPiiKeys(dataDir) : null;
  try {
    return { keys: parsePiiKeys(env.PII_KEYS || embedded!.keys), hmacKey: parseHmacKey(env.PII_HMAC_KEY || embedded!.hmacKey) };
  } catch (e) {
    if (e instanceof PiiError) throw new ConfigError(e.message);
    throw e;
  }
}

function timeOfDay(name: string, raw: string | undefined, fallback: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(raw || fallback);
  if (!m) throw new ConfigError(`${name} must be HH:MM (24-hour), got "${raw}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** `CORS_ORIGINS=https://a.example,https://b.example`: each an origin (scheme://host[:port]). */
function corsOrigins(raw: string | undefined): string[] {
  const list = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const origin of list) {
    let ok = false;
    try {
      const u = new URL(origin);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError(`CORS_ORIGINS must list origins like https://console.example.gov.cn, got "${origin}"`);
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const dataDir = resolve(env.DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true });

  const limits = {
    acquireTimeoutMs: int('DB_ACQUIRE_TIMEOUT_MS', env.DB_ACQUIRE_TIMEOUT_MS, 3_000),
    statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', env.DB_STATEMENT_TIMEOUT_MS, 5_000),
  };
  const database: AppConfig['database'] = env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: int('DB_POOL_SIZE', env.DB_POOL_SIZE, 20), ...limits }
    : { kind: 'sqlite', file: resolve(env.SQLITE_FILE ?? join(dataDir, 'approvals.sqlite')), ...limits };

  let secret = env.JWT_SECRET;
  if (!secret) {
    if (production) throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
    secret = embeddedSecret(dataDir);
  } else if (secret.length < 32 && production) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters in production');
  }

  const adminUser = env.BOOTSTRAP_ADMIN_USERNAME;
  const adminPassword = env.BOOTSTRAP_ADMIN_PASSWORD;
  let bootstrapAdmin: AppConfig['bootstrapAdmin'] = null;
  if (adminUser && adminPassword) {
    const weak = passwordProblem(adminPassword, adminUser, { production });
    if (weak && production) throw new ConfigError(`BOOTSTRAP_ADMIN_PASSWORD is refused: ${weak}`);
    bootstrapAdmin = { username: adminUser, password: adminPassword };
  }
  else if (production) {
    throw new ConfigError('BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD are required when NODE_ENV=production');
  } else bootstrapAdmin = { username: 'admin', password: 'Admin@2026' };

  // every calendar date the service judges is a date in this zone (issue 19, src/common/domain/calendar.ts)
  const timeZone = env.REMINDER_TIME_ZONE || DEFAULT_CALENDAR_ZONE;
  if (!isTimeZone(timeZone)) throw new ConfigError(`REMINDER_TIME_ZONE is not a known IANA time zone: "${timeZone}"`);
  setCalendarZone(timeZone);

  return {
    nodeEnv,
    production,
    port: int('PORT', env.PORT, 3000),
    webConcurrency: int('WEB_CONCURRENCY', env.WEB_CONCURRENCY, availableParallelism()),
    workerHeapMb: int('WORKER_HEAP_MB', env.WORKER_HEAP_MB, 192),
    dataDir,
    database,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX ?? 'approvals' } : null,
    jwt: { secret, expiresIn: env.JWT_EXPIRES_IN ?? '12h' },
    pii: piiKeys(env, production, dataDir),
    evidence: {
      dir: resolve(env.EVIDENCE_DIR ?? join(dataDir, 'evidence')),
      maxBytes: int('EVIDENCE_MAX_BYTES', env.EVIDENCE_MAX_BYTES, 20 * 1024 * 1024),
    },
    bootstrapAdmin,
    timers: { reconcileIntervalMs: int('TIMER_RECONCILE_MS', env.TIMER_RECONCILE_MS, 30_000), lockMs: int('TIMER_LOCK_MS', env.TIMER_LOCK_MS, 10_000) },
    webhooks: {
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', env.WEBHOOK_MAX_ATTEMPTS, 8),
      backoffMs: int('WEBHOOK_BACKOFF_MS', env.WEBHOOK_BACKOFF_MS, 5_000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, 10_000),
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === 'true',
    },
    reminders: {
      ...timeOfDay('OVERDUE_REMINDER_AT', env.OVERDUE_REMINDER_AT, '08:30'),
      timeZone,
    },
    checkpoints: {
      ...timeOfDay('AUDIT_CHECKPOINT_AT', env.AUDIT_CHECKPOINT_AT, '00:30'),
      timeZone,
    },
    imports: {
      maxBytes: int('IMPORT_MAX_BYTES', env.IMPORT_MAX_BYTES, 50 * 1024 * 1024),
      chunkRows: int('IMPORT_CHUNK_ROWS', env.IMPORT_CHUNK_ROWS, 2_000),
    },
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    consoleDir: resolve(env.CONSOLE_DIR ?? 'dist/console'),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Which database the entities are mapped for. Column types differ (timestamptz vs datetime)
 * and decorators run at import time, before the Nest config provider exists.
 */
export function databaseKind(env: NodeJS.ProcessEnv = process.env): 'postgres' | 'sqlite' {
  return env.DATABASE_URL ? 'postgres' : 'sqlite';
}
