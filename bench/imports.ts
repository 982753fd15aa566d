/**
 * Phase 5: department alert import (部门筛查预警名单导入), as the service does it: the list is
 * accepted at once (202), processed in the background in chunks, polled for progress.
 *
 * Setup (not measured): H households of one member each, spread over the five demo villages,
 * registered by the county user; a CSV of R rows: the H members (each opens a monitoring-inclusion
 * case), ~1% rows with a bad check digit (invalid), the rest valid ID numbers of nobody
 * (unmatched), shuffled with a fixed seed.
 *
 * Measured: `POST /imports/department-alerts` by d_civil (source dibao), then `GET /imports/{id}`
 * every 250 ms until completed or failed (10 minutes at most); the report downloaded and counted.
 * Then the same file again: every matched household now has an open case (openCase = H, opened 0).
 *
 * ID numbers: 411003 + a birth date in 1971–1999 + an order code in 400..699, a block no other
 * phase and no seed uses (demo households 200..2xx, inclusion 300..343, post candidates 701..731),
 * so a row matches exactly the household the bench made for it, or nobody.
 */
import { checkCharacter } from '../src/common/domain/id-number';
import type { ImportCounts } from '../src/modules/imports/imports.entities';
import { type Api, RequestFailed } from './http';
import { memoryOf } from './procstat';
import type { Recorder } from './stats';
import { pool } from './workload';

export const IMPORT_USER = 'd_civil';
export const IMPORT_SOURCE = 'dibao';
export const IMPORT_VILLAGES = ['411003100201', '411003100202', '411003101201', '411003101202', '411003102201'] as const;
export const IMPORT_POLL_MS = 250;
export const IMPORT_TIMEOUT_MS = 10 * 60_000;
/** the target: 100,000 rows in under a minute */
export const TARGET_ROWS = 100_000;
export const TARGET_MS = 60_000;
export const IMPORTS_LABELS = ['import-household', 'import-upload', 'import-poll', 'import-report'] as const;

const DAY = 86_400_000;
const FIRST_BIRTH = Date.UTC(1971, 0, 1);
const BIRTH_DAYS = Math.round((Date.UTC(1999, 11, 31) - FIRST_BIRTH) / DAY) + 1;
const ORDER_FROM = 400;
const ORDER_TO = 699;
/** how many distinct ID numbers the block holds (~3.2 million) */
export const ID_CAPACITY = BIRTH_DAYS * (ORDER_TO - ORDER_FROM + 1);
const CHECK_CHARS = '10X98765432';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The k-th ID number of the import block (valid check character). */
export function importIdNumber(k: number): { idNumber: string; birthDate: string; gender: 'male' | 'female' } {
  if (!Number.isInteger(k) || k < 0 || k >= ID_CAPACITY) throw new Error(`import ID number #${k} is outside the block (0..${ID_CAPACITY - 1})`);
  const birthDate = new Date(FIRST_BIRTH + (k % BIRTH_DAYS) * DAY).toISOString().slice(0, 10);
  const order = ORDER_FROM + Math.floor(k / BIRTH_DAYS);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return { idNumber: first17 + checkCharacter(first17), birthDate, gender: order % 2 === 1 ? 'male' : 'female' };
}

/** The same number with a wrong check character. */
function withBadCheck(idNumber: string): string {
  const good = idNumber[17];
  const bad = CHECK_CHARS[(CHECK_CHARS.indexOf(good) + 1 + (idNumber.charCodeAt(12) % 9)) % 11];
  return idNumber.slice(0, 17) + bad;
}

export function importHousehold(i: number) {
  const id = importIdNumber(i);
  const areaCode = IMPORT_VILLAGES[i % IMPORT_VILLAGES.length];
  return {
    areaCode,
    householderName: `预警户${i + 1}`,
    address: `许昌市建安区预警名单压测组${i + 1}号`,
    isFormerlyPoor: false,
    members: [
      { name: `预警户${i + 1}`, idNumber: id.idNumber, relation: '户主', gender: id.gender, birthDate: id.birthDate,
        laborAbility: 'full', employment: 'local', phone: '13903749999' },
    ],
  };
}

/** H households (setup, county user), C at a time; returns their ids. */
export async function importHouseholds(api: Api, token: string, count: number, concurrency: number, stop: AbortSignal): Promise<string[]> {
  const ids: string[] = new Array(count);
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, stop, async (i) => {
    const h = await api.call<{ id: string }>('import-household', 'POST', '/households', { token, json: importHousehold(i) });
    ids[i] = h.id;
  });
  return ids;
}

export interface AlertFile {
  csv: Buffer;
  rows: number;
  matched: number;
  invalid: number;
  unmatched: number;
  /** ID numbers of the matched rows (the households' members) */
  matchedIds: Set<string>;
  buildMs: number;
}

/** mulberry32: a small seeded PRNG, so the shuffle is the same in every run */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** R rows: the H households' members, round(R/100) invalid, the rest unmatched; shuffled. */
export function buildAlertFile(rows: number, households: number): AlertFile {
  const started = performance.now();
  const invalid = Math.round(rows / 100);
  const unmatched = rows - households - invalid;
  if (unmatched < 0) throw new Error(`${rows} rows cannot hold ${households} matched and ${invalid} invalid rows`);
  if (rows > ID_CAPACITY) throw new Error(`at most ${ID_CAPACITY} rows`);
  const seen = new Set<string>();
  const matchedIds = new Set<string>();
  const lines: string[] = [];
  const take = (k: number) => {
    const id = importIdNumber(k);
    if (seen.has(id.idNumber)) throw new Error(`ID number ${id.idNumber} generated twice`);
    seen.add(id.idNumber);
    return id;
  };
  for (let k = 0; k < rows; k++) {
    const id = take(k);
    const village = IMPORT_VILLAGES[k % IMPORT_VILLAGES.length];
    if (k < households) {
      matchedIds.add(id.idNumber);
      lines.push(`${id.idNumber},预警户${k + 1},${village}`);
    } else if (k < households + invalid) {
      const bad = withBadCheck(id.idNumber);
      if (bad === id.idNumber || seen.has(bad)) throw new Error(`bad check character for ${id.idNumber} is not bad: ${bad}`);
      seen.add(bad);
      lines.push(`${bad},校验错误${k + 1},${village}`);
    } else {
      lines.push(`${id.idNumber},名单人员${k + 1},${village}`);
    }
  }
  const random = prng(20_260_601);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  const csv = Buffer.from(`身份证号,姓名,区划代码\r\n${lines.join('\r\n')}\r\n`, 'utf8');
  return { csv, rows, matched: households, invalid, unmatched, matchedIds, buildMs: performance.now() - started };
}

/** The service's own counts type: the bench checks what the API returns against it. */
export type { ImportCounts };

interface ImportView {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: { rowsDone: number; rowsTotal: number | null };
  counts: ImportCounts;
  error: string | null;
  sameFileAs: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportRun {
  label: string;
  id?: string;
  /** epoch ms, just before the upload was sent */
  startedAt: number;
  /** epoch ms, when a poll first saw it completed or failed */
  endedAt?: number;
  uploadMs?: number;
  /** upload sent → a poll saw completed */
  wallMs?: number;
  /** finishedAt − startedAt, both from the service */
  serviceMs?: number;
  /** startedAt − createdAt, both from the service: time in the queue */
  queuedMs?: number;
  status?: string;
  progress?: { rowsDone: number; rowsTotal: number | null };
  counts?: ImportCounts;
  error?: string | null;
  sameFileAs?: string | null;
  polls: number;
  /** distinct (rowsDone) values seen, with when (ms after the upload was sent) */
  progressSamples: Array<{ ms: number; rowsDone: number }>;
  /** peak VmRSS of the service seen by this run's polls */
  peakRssKb: number | null;
  reportMs?: number;
  reportLines?: number;
  reportOutcomes?: Record<string, number>;
  /** check failures; any makes the bench fail */
  problems: string[];
}

/** Uploads the file, polls until done, downloads and counts the report (measured). */
export async function runImport(
  api: Api,
  recorder: Recorder,
  token: string,
  file: AlertFile,
  label: string,
  servicePid: () => number | null,
  stop: AbortSignal,
): Promise<ImportRun> {
  const run: ImportRun = { label, startedAt: Date.now(), polls: 0, progressSamples: [], peakRssKb: null, problems: [] };
  const rss = () => {
    const pid = servicePid();
    const m = pid ? memoryOf(pid) : null;
    if (m && !Number.isNaN(m.rssKb)) run.peakRssKb = Math.max(run.peakRssKb ?? 0, m.rssKb);
  };
  const problem = (status: string, request: string, message: string) => {
    run.problems.push(message);
    recorder.error({ label: 'import-check', status, request, response: message.slice(0, 2000) });
  };
  try {
    rss();
    const form = new FormData();
    form.append('source', IMPORT_SOURCE);
    form.append('file', new Blob([file.csv], { type: 'text/csv' }), `bench-alerts-${file.rows}.csv`);
    const up = await api.timed<ImportView>('import-upload', 'POST', '/imports/department-alerts', { token, form, expect: 202 });
    run.uploadMs = up.ms;
    run.id = up.body.id;
    if (up.body.status !== 'queued') problem('unexpected-status', 'POST /imports/department-alerts', `upload answered status ${up.body.status}, expected queued`);
    let view: ImportView = up.body;
    let lastDone = -1;
    for (;;) {
      if (stop.aborted) return run;
      const elapsed = Date.now() - run.startedAt;
      if (elapsed > IMPORT_TIMEOUT_MS) {
        problem('import-timeout', `GET /imports/${run.id}`, `${label}: not finished ${IMPORT_TIMEOUT_MS / 1000} s after the upload (last: ${JSON.stringify(view).slice(0, 600)})`);
        break;
      }
      const next = Date.now() + IMPORT_POLL_MS;
      view = await api.call<ImportView>('import-poll', 'GET', `/imports/${run.id}`, { token });
      run.polls++;
      rss();
      if (view.progress.rowsDone !== lastDone) {
        lastDone = view.progress.rowsDone;
        run.progressSamples.push({ ms: Date.now() - run.startedAt, rowsDone: lastDone });
      }
      if (view.status === 'completed' || view.status === 'failed') {
        run.endedAt = Date.now();
        run.wallMs = run.endedAt - run.startedAt;
        break;
      }
      await sleep(Math.max(0, next - Date.now()));
    }
    run.status = view.status;
    run.progress = view.progress;
    run.counts = view.counts;
    run.error = view.error;
    run.sameFileAs = view.sameFileAs;
    if (view.startedAt && view.finishedAt) run.serviceMs = Date.parse(view.finishedAt) - Date.parse(view.startedAt);
    if (view.startedAt) run.queuedMs = Date.parse(view.startedAt) - Date.parse(view.createdAt);
    if (view.status !== 'completed') {
      if (view.status === 'failed') problem('import-failed', `GET /imports/${run.id}`, `${label}: import failed: ${view.error}`);
      return run;
    }
    await readReport(api, recorder, token, run, stop);
  } catch (err) {
    if (!(err instanceof RequestFailed)) recorder.error({ label: 'bench', status: 'bench-error', request: `import ${label}`, response: String((err as Error)?.stack ?? err) });
    run.problems.push(`${label}: ${(err as Error).message}`);
  }
  return run;
}

/** The report as CSV (timed here: the body is not JSON); its lines and outcome codes counted. */
async function readReport(api: Api, recorder: Recorder, token: string, run: ImportRun, stop: AbortSignal): Promise<void> {
  const path = `/imports/${run.id}/report`;
  const started = performance.now();
  let status = 0;
  let body = Buffer.alloc(0);
  try {
    const res = await fetch(api.baseUrl + path, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/csv' }, signal: AbortSignal.any([stop, AbortSignal.timeout(120_000)]) });
    status = res.status;
    // the bytes, not res.text(): a WHATWG UTF-8 decode drops the BOM this checks for
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    recorder.error({ label: 'import-report', status: 'network', request: `GET ${path}`, response: String(err) });
    run.problems.push(`${run.label}: report: ${(err as Error).message}`);
    return;
  }
  const ms = performance.now() - started;
  const text = body.toString('utf8');
  if (status !== 200) {
    recorder.error({ label: 'import-report', status: String(status), request: `GET ${path}`, response: text.slice(0, 2000) });
    run.problems.push(`${run.label}: report answered ${status}`);
    return;
  }
  recorder.ok('import-report', ms);
  run.reportMs = ms;
  if (!(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)) {
    const message = `${run.label}: report does not start with a UTF-8 BOM (first bytes ${body.subarray(0, 3).toString('hex')})`;
    run.problems.push(message);
    recorder.error({ label: 'import-report', status: 'bad-csv', request: `GET ${path}`, response: message });
  }
  const lines = text.replace(/^\uFEFF/, '').split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  run.reportLines = lines.length - 1;
  // 行号,姓名,身份证号,区划代码,预警来源,结果,结果代码,…: the bench's names and IDs hold no commas or quotes
  const outcomes: Record<string, number> = {};
  for (let i = 1; i < lines.length; i++) {
    const code = lines[i].split(',')[6] ?? '?';
    outcomes[code] = (outcomes[code] ?? 0) + 1;
  }
  run.reportOutcomes = outcomes;
}

export interface ImportExpectation {
  rows: number;
  opened: number;
  openCase: number;
  invalid: number;
  unmatched: number;
}

const OUTCOME_CODE: Record<keyof ImportCounts, string> = {
  opened: 'opened',
  alreadyMonitored: 'already_monitored',
  openCase: 'open_case',
  unmatched: 'unmatched',
  invalid: 'invalid',
  duplicate: 'duplicate',
};

/** Counts, progress and report of a finished run against what the file must give; failures recorded. */
export function checkImport(recorder: Recorder, run: ImportRun, want: ImportExpectation): void {
  const add = (message: string) => {
    run.problems.push(message);
    recorder.error({ label: 'import-check', status: 'wrong-count', request: `GET /imports/${run.id}`, response: message });
  };
  if (run.status !== 'completed') return; // already a problem
  const c = run.counts!;
  const expected: ImportCounts = { opened: want.opened, alreadyMonitored: 0, openCase: want.openCase, unmatched: want.unmatched, invalid: want.invalid, duplicate: 0 };
  for (const k of Object.keys(expected) as Array<keyof ImportCounts>) {
    if (c[k] !== expected[k]) add(`${run.label}: counts.${k} is ${c[k]}, expected ${expected[k]}`);
  }
  const p = run.progress!;
  if (p.rowsDone !== want.rows || p.rowsTotal !== want.rows) add(`${run.label}: progress ${p.rowsDone}/${p.rowsTotal}, expected ${want.rows}/${want.rows}`);
  if (run.reportLines !== undefined) {
    if (run.reportLines !== want.rows) add(`${run.label}: report has ${run.reportLines} data lines, expected ${want.rows}`);
    for (const k of Object.keys(expected) as Array<keyof ImportCounts>) {
      const got = run.reportOutcomes?.[OUTCOME_CODE[k]] ?? 0;
      if (got !== expected[k]) add(`${run.label}: report has ${got} rows of outcome ${OUTCOME_CODE[k]}, expected ${expected[k]}`);
    }
  } else if (!run.problems.length) {
    add(`${run.label}: no report read`);
  }
}

/** rows/s over each fifth of the run, from the progress samples: does the rate fall as the import goes on? */
export function rateByFifth(run: ImportRun, rows: number): Array<number | null> {
  const s = run.progressSamples.filter((x) => x.rowsDone > 0);
  if (!s.length) return [];
  const out: Array<number | null> = [];
  const at = (target: number) => s.find((x) => x.rowsDone >= target);
  let prev = { ms: s[0].ms, rowsDone: s[0].rowsDone };
  for (let f = 1; f <= 5; f++) {
    const hit = at((rows * f) / 5);
    if (!hit || hit.ms <= prev.ms) {
      out.push(null);
      continue;
    }
    out.push(Math.round(((hit.rowsDone - prev.rowsDone) / ((hit.ms - prev.ms) / 1000)) * 10) / 10);
    prev = hit;
  }
  return out;
}
