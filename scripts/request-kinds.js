#!/usr/bin/env node
/**
 * Service and PostgreSQL CPU per request kind (issue 21): the inclusion bench's requests run in
 * stages, one kind after another (CREATE for N households, their uploads, each step, the notice
 * timers, polls), with the CPU ticks of the service's process tree and of every PostgreSQL
 * process read from /proc around each stage. Needs `npm run build`, and DATABASE_URL and
 * REDIS_URL (defaults: the machine's servers).
 *
 *   node scripts/request-kinds.js [BUILD_DIR=.] [N=300]
 *   ONLY=upload node scripts/request-kinds.js     # CREATE, then uploads only (to profile them)
 *   ONLY=floor  node scripts/request-kinds.js     # the framework's floor: GET /evidence/types, /health
 *
 * BUILD_DIR may be another commit's built worktree (bench:ab keeps one with --keep), to compare
 * the same stages; the bench's helpers come from this tree's dist/bench. BENCH_SERVICE_NODE_ARGS
 * passes node flags to the service (e.g. --cpu-prof). Figures vary ±15 % run to run on the
 * 2-core machine: compare within one sitting.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes, randomUUID } = require('node:crypto');

const root = path.resolve(process.argv[2] || '.');
const N = Number(process.argv[3] || 300);
const CLIENTS = 32;
const DB = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const bench = (m) => require(path.join(__dirname, '..', 'dist', 'bench', m));
const { createDatabase, dropDatabase, serviceEnv, startService, stopService, waitForHealth, runSeeds, freePort, deleteRedisPrefix } = bench('infra.js');
const { Api } = bench('http.js');
const { Recorder } = bench('stats.js');
const W = bench('workload.js');
const { clkTck } = bench('procstat.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** every process of the machine: pid, parent, comm, CPU ticks (user + system) */
function processes() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** CPU ticks of `rootPid` and its descendants (the service's primary and workers) */
function treeTicks(rootPid) {
  const all = processes();
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) grew = tree.add(p.pid) && true;
  }
  return all.filter((p) => tree.has(p.pid)).reduce((n, p) => n + p.ticks, 0);
}

const postgresTicks = () => processes().filter((p) => p.comm.startsWith('postgres') || p.comm.startsWith('postmaster')).reduce((n, p) => n + p.ticks, 0);

async function main() {
  const stop = new AbortController().signal;
  const recorder = new Recorder();
  const db = await createDatabase(DB);
  const prefix = `bench-${randomBytes(6).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'request-kinds-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...serviceEnv({ port, databaseUrl: db.url, redisUrl: REDIS, queuePrefix: prefix, dataDir }), WEB_CONCURRENCY: '1' };
  const svc = startService(root, env);
  const lines = [];
  try {
    await waitForHealth(base, svc, 120_000, stop);
    await runSeeds(root, env, 120_000);
    const api = new Api(base, recorder, stop);
    const tokens = {};
    for (const [user, password] of [['admin', 'Admin@2026'], [W.VILLAGE, 'Demo@2026'], [W.TOWNSHIP, 'Demo@2026'], [W.COUNTY, 'Demo@2026']]) {
      tokens[user] = (await api.call('login', 'POST', '/auth/login', { json: { username: user, password }, expect: 200 })).accessToken;
    }
    await api.call('policy', 'PUT', '/policies/bounds', {
      token: tokens.admin,
      json: { reason: '基准测试库：公示期缩短到秒级，仅用于性能测试', bounds: { 'inclusion.noticePeriod': { min: 'PT1S' } } },
    });
    await api.call('policy', 'PUT', `/policies/${W.COUNTY_CODE}`, {
      token: tokens.admin,
      json: { effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'inclusion.noticePeriod': 'PT1S' } },
    });
    const households = new Array(N);
    await W.pool([...Array(N).keys()], CLIENTS, stop, async (i) => {
      households[i] = (await api.call('household', 'POST', '/households', { token: tokens[W.VILLAGE], json: W.householdBody(i) })).id;
    });
    const runs = households.map((householdId, i) => ({ i, householdId }));

    /** runs `fn` over every case with the bench's clients; CPU per request of the stage */
    async function stage(name, count, fn) {
      const s0 = treeTicks(svc.pid);
      const p0 = postgresTicks();
      const t0 = Date.now();
      await W.pool(runs, CLIENTS, stop, fn);
      const ms = Date.now() - t0;
      const per = (ticks) => ((ticks * 1000) / clkTck / count).toFixed(2);
      const line = `${name.padEnd(24)} n=${count} wall ${ms} ms  service ${per(treeTicks(svc.pid) - s0)} ms/req  postgres ${per(postgresTicks() - p0)} ms/req  ${((count / ms) * 1000).toFixed(0)} req/s`;
      lines.push(line);
      process.stderr.write(`${line}\n`);
    }
    const upload = async (run, type) => {
      const form = new FormData();
      form.append('type', type);
      form.append('caseId', run.id);
      form.append('file', W.pdf(`${run.id} ${type} ${randomUUID()}`), `${type}.pdf`);
      return (await api.call('upload', 'POST', '/evidence', { token: tokens[W.VILLAGE], form })).id;
    };
    const send = async (run, user, body) => {
      const view = await api.call('event', 'POST', `/cases/${run.id}/events`, {
        token: tokens[user],
        headers: { 'Idempotency-Key': randomUUID() },
        json: { ...body, version: run.version },
        expect: 200,
      });
      run.version = view.version;
      return view;
    };

    if (process.env.ONLY === 'floor') {
      for (let k = 0; k < 3; k++) {
        await stage('GET /evidence/types ×4', 4 * N, async () => {
          for (let j = 0; j < 4; j++) await api.call('types', 'GET', '/evidence/types', { token: tokens[W.VILLAGE] });
        });
        await stage('GET /health ×4', 4 * N, async () => {
          for (let j = 0; j < 4; j++) await api.call('health', 'GET', '/health', {});
        });
      }
      return;
    }

    await stage('CREATE', N, async (run) => {
      const c = await api.call('CREATE', 'POST', '/procedures/monitoring-inclusion/cases', {
        token: tokens[W.VILLAGE],
        json: { householdId: run.householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true },
      });
      run.id = c.id;
      run.version = c.version;
    });
    if (process.env.ONLY === 'upload') {
      for (let k = 0; k < 6; k++) {
        await stage('upload ×2', 2 * N, async (run) => {
          await upload(run, 'household_survey');
          await upload(run, 'income_calculation');
        });
      }
      return;
    }
    await stage('upload ×2', 2 * N, async (run) => {
      run.verification = [await upload(run, 'household_survey'), await upload(run, 'income_calculation')];
    });
    await stage('RECORD_VERIFICATION', N, (run) => send(run, W.VILLAGE, { type: 'RECORD_VERIFICATION', evidenceIds: run.verification, data: W.verificationData }));
    await stage('upload ×2', 2 * N, async (run) => {
      run.appraisal = [await upload(run, 'meeting_minutes'), await upload(run, 'sign_in_sheet')];
    });
    await stage('RECORD_APPRAISAL', N, (run) => send(run, W.VILLAGE, { type: 'RECORD_APPRAISAL', evidenceIds: run.appraisal, data: { result: 'passed' } }));
    await stage('upload ×1', N, async (run) => {
      run.notice = [await upload(run, 'notice_photo')];
    });
    await stage('PUBLISH_NOTICE', N, (run) =>
      send(run, W.VILLAGE, { type: 'PUBLISH_NOTICE', evidenceIds: run.notice, data: { text: `霍庄村拟纳入防止返贫监测对象名单公示：压测户${run.i + 1}户` } }),
    );
    // the notice timers (one second) fire through the queue meanwhile; an idle stretch after it is the baseline
    const w0 = treeTicks(svc.pid);
    await sleep(6000);
    lines.push(`notice timers (6 s)       service ${(((treeTicks(svc.pid) - w0) * 1000) / clkTck / N).toFixed(2)} ms per case`);
    const i0 = treeTicks(svc.pid);
    await sleep(6000);
    lines.push(`idle (6 s, baseline)      service ${(((treeTicks(svc.pid) - i0) * 1000) / clkTck / N).toFixed(2)} ms per case`);
    await stage('poll ×2', 2 * N, async (run) => {
      await api.call('poll', 'GET', `/cases/${run.id}`, { token: tokens[W.VILLAGE] });
      const view = await api.call('poll', 'GET', `/cases/${run.id}`, { token: tokens[W.VILLAGE] });
      if (view.state !== 'township_review') throw new Error(`case ${run.id}: ${view.state} after its notice`);
      run.version = view.version;
    });
    await stage('APPROVE@township', N, (run) => send(run, W.TOWNSHIP, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
    await stage('APPROVE@county', N, async (run) => {
      const view = await send(run, W.COUNTY, {
        type: 'APPROVE',
        data: {
          monitoringType: 'sudden_hardship',
          riskTypes: ['illness'],
          startDate: '2026-11-01',
          assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' },
          opinion: '同意纳入监测，落实帮扶措施',
        },
      });
      if (view.state !== 'included') throw new Error(`case ${run.id}: ${view.state} after the county's approval`);
    });
  } finally {
    await stopService(svc);
    await dropDatabase(DB, db.name).catch(() => undefined);
    await deleteRedisPrefix(REDIS, prefix).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    console.log(lines.join('\n'));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
