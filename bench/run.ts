/**
 * `npm run bench`: throughput and latency of the monitoring-inclusion workflow on the built
 * service, PostgreSQL and Redis (Bull timers), everything on this machine.
 *
 *   1. a fresh database and queue prefix, the service as a child process, the seeds, and a
 *      one-second notice period for the demo county;
 *   2. N households (setup, not measured);
 *   3. N cases from CREATE to `included` with C concurrent clients (measured);
 *   4. figures printed and written to bench/results/latest.json;
 *   5. the child stopped, the database dropped, the Redis keys of the prefix deleted.
 *
 * Exits non-zero when any request failed, any case did not finish, or cleanup failed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Api } from './http';
import {
  createDatabase,
  deleteRedisPrefix,
  dropDatabase,
  freePort,
  redisPing,
  runSeeds,
  type ServiceProcess,
  serviceEnv,
  startService,
  stopService,
  waitForHealth,
} from './infra';
import { parseOptions, UsageError } from './options';
import { memoryOf, Sampler } from './procstat';
import { Recorder, summarize } from './stats';
import {
  type CaseRun,
  CaseDriver,
  checkHistories,
  COUNTY,
  COUNTY_CODE,
  EVENT_LABELS,
  householdBody,
  pool,
  TOWNSHIP,
  type Tokens,
  VILLAGE,
} from './workload';

const DEMO_PASSWORD = 'Demo@2026';
const ADMIN_PASSWORD = 'Admin@2026';

const mb = (kb: number | null | undefined) => (kb === null || kb === undefined || Number.isNaN(kb) ? null : Math.round(kb / 102.4) / 10);
const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const root = resolve(__dirname, '..', '..');
  if (!existsSync(join(root, 'dist', 'src', 'main.js')) || !existsSync(join(root, 'package.json'))) {
    console.error(`not built: ${join(root, 'dist', 'src', 'main.js')} is missing (run npm run build)`);
    return 2;
  }

  const abort = new AbortController();
  const stop = abort.signal;
  const globalTimer = setTimeout(() => abort.abort(new Error(`global timeout of ${opts.timeoutMs / 1000} s reached`)), opts.timeoutMs);
  globalTimer.unref();
  const onSignal = (sig: string) => () => abort.abort(new Error(`interrupted by ${sig}`));
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));

  const recorder = new Recorder();
  const startedAt = new Date();
  let fatal: Error | null = null;
  let db: { name: string; url: string } | null = null;
  let svc: ServiceProcess | null = null;
  let stopping = false;
  let sampler: Sampler | null = null;
  let dataDir: string | null = null;
  const prefix = `bench-${randomBytes(6).toString('hex')}`;
  const cleanup: Record<string, string> = {};
  const setup: Record<string, unknown> = {};
  let phase: { startedAt: number; endedAt: number; runs: CaseRun[]; maxParked: number } | null = null;
  let histories: Awaited<ReturnType<typeof checkHistories>> | null = null;
  let serviceMemory: { rssKb: number; hwmKb: number } | null = null;

  // the child must not outlive the bench, whatever happens
  process.on('exit', () => {
    if (svc?.alive()) svc.child.kill('SIGKILL');
  });

  const throwIfAborted = () => {
    if (stop.aborted) throw stop.reason instanceof Error ? stop.reason : new Error(String(stop.reason));
  };

  try {
    log(`cases=${opts.cases} concurrency=${opts.concurrency} timeout=${opts.timeoutMs / 1000}s`);
    await redisPing(opts.redisUrl).catch((err) => {
      throw new Error(`Redis at ${opts.redisUrl} does not answer: ${(err as Error).message}`);
    });
    db = await createDatabase(opts.databaseUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'approvals-bench-'));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = serviceEnv({ port, databaseUrl: db.url, redisUrl: opts.redisUrl, queuePrefix: prefix, dataDir });
    log(`database ${db.name}, queue prefix ${prefix}, service on ${baseUrl}`);

    let t = Date.now();
    const service = startService(root, env);
    svc = service;
    sampler = new Sampler(() => (service.alive() ? service.pid : null));
    sampler.start();
    const health = await waitForHealth(baseUrl, service, 60_000, stop);
    setup.serviceStartMs = Date.now() - t;
    setup.health = health;
    void service.exited.then((how) => {
      if (!stopping) abort.abort(new Error(`the service exited unexpectedly (${how}):\n${service.output.tail()}`));
    });
    throwIfAborted();

    t = Date.now();
    setup.seeds = await runSeeds(root, env, 120_000);
    setup.seedMs = Date.now() - t;
    throwIfAborted();

    const api = new Api(baseUrl, recorder, stop);
    const tokens: Tokens = {};
    for (const [user, password] of [['admin', ADMIN_PASSWORD], [VILLAGE, DEMO_PASSWORD], [TOWNSHIP, DEMO_PASSWORD], [COUNTY, DEMO_PASSWORD]]) {
      const res = await api.call<{ accessToken: string }>('login', 'POST', '/auth/login', { json: { username: user, password }, expect: 200 });
      tokens[user] = res.accessToken;
    }
    await api.call('policy', 'PUT', `/policies/${COUNTY_CODE}`, {
      token: tokens.admin,
      json: { effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'inclusion.noticePeriod': opts.noticePeriod } },
    });
    const policy = await api.call<{ values: Record<string, unknown> }>('policy', 'GET', `/policies/${COUNTY_CODE}`, { token: tokens.admin });
    if (policy.values['inclusion.noticePeriod'] !== opts.noticePeriod) {
      throw new Error(`policy not in force: inclusion.noticePeriod is ${JSON.stringify(policy.values['inclusion.noticePeriod'])}`);
    }

    log(`creating ${opts.cases} households`);
    t = Date.now();
    const households: string[] = new Array(opts.cases);
    await pool(Array.from({ length: opts.cases }, (_, i) => i), opts.concurrency, stop, async (i) => {
      const h = await api.call<{ id: string }>('household', 'POST', '/households', { token: tokens[VILLAGE], json: householdBody(i) });
      households[i] = h.id;
    });
    throwIfAborted();
    setup.householdsMs = Date.now() - t;

    const runs: CaseRun[] = households.map((householdId, index) => ({ index, householdId, name: `压测户${index + 1}`, polls: 0 }));
    log(`driving ${opts.cases} cases with ${opts.concurrency} clients`);
    const driver = new CaseDriver(api, recorder, tokens, stop, opts);
    phase = await driver.drive(runs);
    log(`event phase done in ${((phase.endedAt - phase.startedAt) / 1000).toFixed(2)} s`);
    throwIfAborted();

    log('checking histories and audit chains (not measured)');
    histories = await checkHistories(api, tokens[COUNTY], runs, opts.concurrency, stop);
    throwIfAborted();
  } catch (err) {
    fatal = err as Error;
  } finally {
    // --------------------------------------------------------------- cleanup
    sampler?.stop();
    if (svc) {
      serviceMemory = memoryOf(svc.pid);
      stopping = true;
      try {
        cleanup.service = await stopService(svc);
      } catch (err) {
        cleanup.service = `FAILED: ${(err as Error).message}`;
      }
    }
    if (db) {
      try {
        await dropDatabase(opts.databaseUrl, db.name);
        cleanup.database = `dropped ${db.name}`;
      } catch (err) {
        cleanup.database = `FAILED to drop ${db.name}: ${(err as Error).message}`;
      }
    }
    try {
      cleanup.redis = `deleted ${await deleteRedisPrefix(opts.redisUrl, prefix)} keys of ${prefix}:*`;
    } catch (err) {
      cleanup.redis = `FAILED for ${prefix}: ${(err as Error).message}`;
    }
    if (dataDir) {
      try {
        rmSync(dataDir, { recursive: true, force: true });
        cleanup.dataDir = `removed ${dataDir}`;
      } catch (err) {
        cleanup.dataDir = `FAILED to remove ${dataDir}: ${(err as Error).message}`;
      }
    }
    clearTimeout(globalTimer);
  }

  // ----------------------------------------------------------------- figures
  const benchMemory = memoryOf('self');
  const wallMs = phase ? phase.endedAt - phase.startedAt : null;
  const wallS = wallMs ? wallMs / 1000 : null;
  const runs = phase?.runs ?? [];
  const userTransitions = EVENT_LABELS.reduce((n, l) => n + recorder.count(l), 0);
  const timerTransitions = runs.filter((r) => r.observedClosedAt !== undefined).length;
  const uploads = recorder.count('upload');
  const polls = recorder.count('poll');
  const included = runs.filter((r) => r.finalState === 'included').length;
  const failedCases = runs.filter((r) => r.failed);
  const latency: Record<string, ReturnType<typeof summarize>> = {};
  for (const l of [...EVENT_LABELS, 'upload', 'poll']) latency[l] = recorder.summary(l);
  const observed = summarize(runs.filter((r) => r.observedClosedAt && r.noticeEndsAt).map((r) => r.observedClosedAt! - r.noticeEndsAt!));
  const cpu = phase && sampler ? sampler.window(phase.startedAt, phase.endedAt) : null;
  const byStatus = Object.fromEntries(recorder.errorsByStatus);
  const byLabel = Object.fromEntries(recorder.errorsByLabel);

  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ok: false,
    config: {
      cases: opts.cases,
      concurrency: opts.concurrency,
      noticePeriod: opts.noticePeriod,
      pollIntervalMs: opts.pollIntervalMs,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
    },
    setup,
    eventPhase: {
      wallMs,
      userTransitions,
      transitionsPerSec: wallS ? Math.round((userTransitions / wallS) * 10) / 10 : null,
      uploads,
      uploadsPerSec: wallS ? Math.round((uploads / wallS) * 10) / 10 : null,
      polls,
      requestsPerSec: wallS ? Math.round(((userTransitions + uploads + polls) / wallS) * 10) / 10 : null,
      casesIncluded: included,
      casesFailed: failedCases.length,
      maxCasesWaitingForTimer: phase?.maxParked ?? null,
    },
    transitions: { userSent: userTransitions, timer: timerTransitions, total: userTransitions + timerTransitions },
    latencyMs: latency,
    timer: {
      count: histories?.timerLagMs.length ?? 0,
      /** CLOSE_NOTICE history `at` minus the notice's endsAt, both from the service */
      lagMs: summarize(histories?.timerLagMs ?? []),
      /** notice end until a client's poll saw township_review (includes the poll interval) */
      observedMs: observed,
    },
    checks: {
      historiesChecked: recorder.count('history'),
      badHistory: histories?.badHistory.slice(0, 20) ?? [],
      invalidChain: histories?.invalidChain.slice(0, 20) ?? [],
    },
    errors: { total: recorder.totalErrors, byStatus, byLabel, samples: recorder.samples, failedCases: failedCases.slice(0, 10).map((r) => r.failed) },
    memory: {
      serviceVmHwmMb: mb(serviceMemory?.hwmKb),
      servicePeakRssSampledMb: mb(sampler?.peakServiceRssKb),
      benchVmHwmMb: mb(benchMemory?.hwmKb),
    },
    cpuDuringEventPhase: cpu,
    serviceLog: svc
      ? { warnings: svc.output.warnings, errors: svc.output.errors, otherLines: svc.output.other, first: svc.output.firstProblems }
      : null,
    cleanup,
    fatal: fatal ? String(fatal.message ?? fatal) : null,
  };
  const cleanupOk = Object.values(cleanup).every((v) => !v.startsWith('FAILED'));
  results.ok =
    !fatal &&
    recorder.totalErrors === 0 &&
    included === opts.cases &&
    (histories?.badHistory.length ?? 1) === 0 &&
    (histories?.invalidChain.length ?? 1) === 0 &&
    cleanupOk;

  // ----------------------------------------------------------------- report
  const lines: string[] = [];
  lines.push('');
  lines.push(`monitoring-inclusion benchmark — ${opts.cases} cases, ${opts.concurrency} clients, notice ${opts.noticePeriod}, ` +
    `node ${process.version}, ${cpus().length} CPU`);
  if (phase && wallS) {
    lines.push(`event phase wall time     ${wallS.toFixed(2)} s`);
    lines.push(`transitions               ${userTransitions + timerTransitions} total = ${userTransitions} user-sent (incl. CREATE) + ${timerTransitions} timer (CLOSE_NOTICE)`);
    lines.push(`throughput (user-sent)    ${fmt(results.eventPhase.transitionsPerSec)} transitions/s` +
      `   (+ ${fmt(results.eventPhase.uploadsPerSec)} uploads/s, ${polls} polls; all requests ${fmt(results.eventPhase.requestsPerSec)}/s)`);
    lines.push(`cases included            ${included}/${opts.cases}   (at most ${phase.maxParked} waiting for their timer at once)`);
    lines.push('');
    lines.push(`${pad('latency ms', 20)}${lpad('count', 7)}${lpad('p50', 9)}${lpad('p99', 9)}${lpad('max', 9)}${lpad('mean', 9)}`);
    for (const [label, s] of Object.entries(latency)) {
      lines.push(`${pad(label === 'poll' ? 'poll (GET case)' : label, 20)}${lpad(String(s.count), 7)}${lpad(fmt(s.p50), 9)}${lpad(fmt(s.p99), 9)}${lpad(fmt(s.max), 9)}${lpad(fmt(s.mean), 9)}`);
    }
    const lag = results.timer.lagMs;
    lines.push('');
    lines.push(`timer CLOSE_NOTICE        notice end → applied: p50 ${fmt(lag.p50, 0)} ms, p99 ${fmt(lag.p99, 0)} ms, max ${fmt(lag.max, 0)} ms (n=${lag.count}); ` +
      `→ seen by client: p50 ${fmt(observed.p50, 0)} ms, p99 ${fmt(observed.p99, 0)} ms`);
  }
  lines.push(`errors                    ${recorder.totalErrors}${recorder.totalErrors ? `  by status ${JSON.stringify(byStatus)}  by request ${JSON.stringify(byLabel)}` : ''}`);
  for (const s of recorder.samples.slice(0, 5)) {
    lines.push(`  ${s.status} ${s.request}`);
    if (s.requestBody !== undefined) lines.push(`    request:  ${JSON.stringify(s.requestBody).slice(0, 600)}`);
    lines.push(`    response: ${s.response.slice(0, 800)}`);
  }
  if (histories) {
    lines.push(`checks                    ${recorder.count('history')} histories read, ${histories.badHistory.length} unexpected, ${histories.invalidChain.length} broken audit chains`);
  }
  lines.push(`peak RSS                  service ${fmt(results.memory.serviceVmHwmMb)} MB (VmHWM; sampled VmRSS peak ${fmt(results.memory.servicePeakRssSampledMb)} MB), ` +
    `bench ${fmt(results.memory.benchVmHwmMb)} MB`);
  if (cpu && cpu.samples) {
    lines.push(`CPU during event phase    (% of one core, mean/max over ${cpu.samples} samples) service ${cpu.servicePct.mean}/${cpu.servicePct.max}, ` +
      `postgres ${cpu.postgresPct.mean}/${cpu.postgresPct.max}, redis ${cpu.redisPct.mean}/${cpu.redisPct.max}, bench ${cpu.benchPct.mean}/${cpu.benchPct.max}, ` +
      `other processes ${cpu.otherPct.mean}/${cpu.otherPct.max}; machine ${cpu.systemBusyPct.mean}% busy of ${cpus().length} cores`);
    if ((cpu.otherPct.mean ?? 0) > 20) {
      lines.push(`WARNING                   other processes used ${cpu.otherPct.mean}% of a core during the run: the figures are disturbed`);
    }
  }
  if (svc && (svc.output.warnings || svc.output.errors || svc.output.other)) {
    lines.push(`service log               ${svc.output.warnings} warnings, ${svc.output.errors} errors, ${svc.output.other} other lines; first:`);
    for (const l of svc.output.firstProblems.slice(0, 3)) lines.push(`  ${l.slice(0, 400)}`);
  }
  lines.push(`cleanup                   ${Object.values(cleanup).join('; ')}`);
  if (fatal) lines.push(`FATAL: ${fatal.stack ?? fatal.message}`);
  lines.push(results.ok ? 'result: OK' : 'result: FAILED');
  console.log(lines.join('\n'));

  try {
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`figures written to ${join(dir, 'latest.json')}`);
  } catch (err) {
    console.error(`could not write results: ${(err as Error).message}`);
    return 1;
  }
  return results.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
