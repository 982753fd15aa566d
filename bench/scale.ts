/**
 * `npm run bench -- --scale`: lists at a million cases. bench/scale/load.sql writes the rows
 * inside PostgreSQL (no HTTP); then each list the front-ends call most is read repeatedly by
 * the demo users whose area holds a share of the data, one request at a time (latency, not
 * throughput), and PostgreSQL's own counters tell whether any list read a table sequentially.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Api } from './http';
import { summarize } from './stats';
import type { Tokens } from './workload';

const run = promisify(execFile);

export const SCALE_USERS = ['v_huozhuang', 't_lingjing', 'c_jianan'];

const LISTS: Array<{ label: string; user: string; path: string }> = [
  { label: 'GET /tasks (village)', user: 'v_huozhuang', path: '/tasks' },
  { label: 'GET /tasks (township)', user: 't_lingjing', path: '/tasks' },
  { label: 'GET /tasks (county)', user: 'c_jianan', path: '/tasks' },
  { label: 'GET /cases?overdue=true (county)', user: 'c_jianan', path: '/cases?overdue=true' },
  { label: 'GET /cases?status=open (township)', user: 't_lingjing', path: '/cases?status=open' },
  { label: 'GET /cases (village)', user: 'v_huozhuang', path: '/cases' },
  { label: 'GET /monitoring-objects?status=monitoring (township)', user: 't_lingjing', path: '/monitoring-objects?status=monitoring' },
  { label: 'GET /monitoring-objects?areaCode=村 (county)', user: 'c_jianan', path: '/monitoring-objects?areaCode=411003100201' },
];

export interface ScaleResult {
  cases: number;
  auditEntries: number;
  monitoringObjects: number;
  loadMs: number;
  lists: Array<{ label: string; count: number; p50: number | null; p95: number | null; max: number | null; total: number | null }>;
  /** sequential scans of the big tables while the lists were read: 0 means every list used an index */
  seqScans: Record<string, number>;
}

async function counts(url: string, tables: string[]): Promise<Record<string, number>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const rows = await c.query<{ relname: string; seq_scan: string }>('SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY($1)', [tables]);
    return Object.fromEntries(rows.rows.map((r) => [r.relname, Number(r.seq_scan)]));
  } finally {
    await c.end();
  }
}

async function rowCount(url: string, table: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

export async function runScale(root: string, databaseUrl: string, api: Api, tokens: Tokens, cases: number, rounds: number, signal: AbortSignal): Promise<ScaleResult> {
  const u = new URL(databaseUrl);
  const started = Date.now();
  await run('psql', ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), '-d', u.pathname.slice(1), '-q', '-v', `cases=${cases}`, '-f', join(root, 'bench', 'scale', 'load.sql')], {
    signal,
    maxBuffer: 1 << 22,
    env: { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) },
  });
  const loadMs = Date.now() - started;
  const tables = ['cases', 'audit_entries', 'monitoring_objects'];
  // one warm-up read of each list (plans cached, pages in memory), not counted
  for (const l of LISTS) await api.call(`scale-warmup`, 'GET', l.path, { token: tokens[l.user] });
  await new Promise((r) => setTimeout(r, 1_100)); // let the statistics of the warm-up reach pg_stat
  const before = await counts(databaseUrl, tables);
  const lists: ScaleResult['lists'] = [];
  for (const l of LISTS) {
    const ms: number[] = [];
    let total: number | null = null;
    for (let i = 0; i < rounds && !signal.aborted; i++) {
      const { body, ms: t } = await api.timed<{ total: number }>(`scale:${l.label}`, 'GET', l.path, { token: tokens[l.user] });
      ms.push(t);
      total = body.total;
    }
    const s = summarize(ms);
    lists.push({ label: l.label, count: s.count, p50: s.p50, p95: percentile(ms, 95), max: s.max, total });
  }
  await new Promise((r) => setTimeout(r, 1_100));
  const after = await counts(databaseUrl, tables);
  return {
    cases: await rowCount(databaseUrl, 'cases'),
    auditEntries: await rowCount(databaseUrl, 'audit_entries'),
    monitoringObjects: await rowCount(databaseUrl, 'monitoring_objects'),
    loadMs,
    lists,
    seqScans: Object.fromEntries(tables.map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)])),
  };
}

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
}
