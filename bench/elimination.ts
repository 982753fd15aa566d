/**
 * Phase 2: risk elimination (风险消除) of the monitoring objects the inclusion phase produced,
 * as README "Walk-through, part 2" and test/support/elimination.ts do it, in lists (batches) of
 * B households proposed by the village:
 *
 *   setup (timed, not in the phase's wall time): the county policy (minimum monitoring time,
 *   income stability and notice period of a second, no concentration warning), then per
 *   monitoring object an assistance measure and a monitoring visit's income record above the line;
 *
 *   measured, C clients, one batch at a time per client: PROPOSE (the list), the meeting's three
 *   documents and SUBMIT for the batch, RECORD_VERIFICATION per case (each risk resolved by the
 *   measure), RECORD_APPRAISAL and PUBLISH_NOTICE for the batch (shared meeting evidence, as the
 *   e2e helpers do), then parked until the CLOSE_NOTICE timers have moved every case to
 *   township_review (not counted as a user transition), township APPROVE and county APPROVE for
 *   the batch.
 *
 * A batch request is timed as one request ("(batch)") and per case ("(per case)" = request
 * time / cases of the batch, one sample per case). A batch answer with any case not ok is an
 * error per failed case.
 */
import { randomUUID } from 'node:crypto';
import { type Api, RequestFailed } from './http';
import { CheckFailed, ParkingDriver, type ParkingResult } from './parking';
import type { Recorder } from './stats';
import { COUNTY, HUOZHUANG, pdf, pool, TOWNSHIP, type Tokens, VILLAGE } from './workload';

/** latency rows of the phase, in the order of a batch (setup first) */
export const ELIMINATION_LABELS = [
  'measure',
  'income-record',
  'PROPOSE (batch)',
  'PROPOSE (per case)',
  'SUBMIT (batch)',
  'SUBMIT (per case)',
  'RECORD_VERIFICATION',
  'RECORD_APPRAISAL (batch)',
  'RECORD_APPRAISAL (per case)',
  'PUBLISH_NOTICE (batch)',
  'PUBLISH_NOTICE (per case)',
  'APPROVE@township (batch)',
  'APPROVE@township (per case)',
  'APPROVE@county (batch)',
  'APPROVE@county (per case)',
  'upload',
  'poll',
];
/** the requests that are user-sent transitions (one per case each) */
export const ELIMINATION_TRANSITIONS = [
  'PROPOSE (per case)',
  'SUBMIT (per case)',
  'RECORD_VERIFICATION',
  'RECORD_APPRAISAL (per case)',
  'PUBLISH_NOTICE (per case)',
  'APPROVE@township (per case)',
  'APPROVE@county (per case)',
];
export const ELIMINATION_HISTORY = ['CREATE', 'SUBMIT', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL', 'PUBLISH_NOTICE', 'CLOSE_NOTICE', 'APPROVE', 'APPROVE'];

export const ELIMINATION_POLICY = {
  'elimination.minMonitoringPeriod': 'PT1S',
  'elimination.incomeStablePeriod': 'PT1S',
  'elimination.noticePeriod': 'PT1S',
  'elimination.concentrationThreshold': 1,
};
const NOTICE_MS = 1000;

const SECURE = { education: true, medical: true, housing: true, water: true };
/** 20 000 yuan a year of household income (SF-05: by category; the member count is the registry's): above the 7 500 line for two members */
const incomeSurvey = {
  income: { periodStart: '2025-11-01', periodEnd: '2026-10-31', lines: [{ category: 'business_net', amount: 20000 }] },
  rigidExpenditure: { medical: 0, education: 0 },
  guarantees: SECURE,
};

export interface MonitoredHousehold {
  moId: string;
  householdId: string;
  riskTypes: string[];
  measureId?: string;
}

export interface EliminationCase {
  caseId: string;
  moId: string;
  version: number;
  state: string;
}

export interface BatchRun {
  index: number;
  objects: MonitoredHousehold[];
  batchId?: string;
  cases: EliminationCase[];
  publishedAt?: number;
  deadline?: number;
  observedClosedAt?: number;
  polls: number;
  eliminated: number;
  failed?: string;
}

interface BatchResult {
  caseId: string;
  ok: boolean;
  status: number;
  state: string;
  version?: number;
  code?: string;
  message?: string;
  details?: unknown;
}

const today = () => new Date().toISOString().slice(0, 10);

/** The monitoring objects (in monitoring) of the given households, read page by page. */
export async function monitoringObjectsOf(api: Api, token: string, householdIds: string[]): Promise<MonitoredHousehold[]> {
  const wanted = new Set(householdIds);
  const found = new Map<string, MonitoredHousehold>();
  const pageSize = 200;
  // bounded: the service says how many there are; at most that many pages plus one
  let pages = 1;
  for (let page = 1; page <= pages && page <= 10_000; page++) {
    const res = await api.call<{ items: Array<{ id: string; householdId: string; riskTypes: string[] }>; total: number }>(
      'mo-list',
      'GET',
      `/monitoring-objects?areaCode=${HUOZHUANG}&status=monitoring&pageSize=${pageSize}&page=${page}`,
      { token },
    );
    pages = Math.ceil(res.total / pageSize);
    for (const o of res.items) if (wanted.has(o.householdId)) found.set(o.householdId, { moId: o.id, householdId: o.householdId, riskTypes: o.riskTypes });
  }
  return householdIds.map((h) => found.get(h)).filter((o): o is MonitoredHousehold => !!o);
}

/** Setup of every object: a measure for its risks and an income record above the line. */
export async function prepareObjects(
  api: Api,
  recorder: Recorder,
  tokens: Tokens,
  objects: MonitoredHousehold[],
  concurrency: number,
  stop: AbortSignal,
): Promise<void> {
  await pool(objects, concurrency, stop, async (o) => {
    try {
      await prepareObject(api, tokens, o);
    } catch (err) {
      // a failed request is already recorded; the object is left out of the lists
      o.measureId = undefined;
      if (!(err instanceof RequestFailed)) recorder.error({ label: 'income-record', status: 'bench-error', request: `setup of ${o.moId}`, response: String(err) });
    }
  });
}

async function prepareObject(api: Api, tokens: Tokens, o: MonitoredHousehold): Promise<void> {
  {
    const m = await api.call<{ id: string }>('measure', 'POST', `/monitoring-objects/${o.moId}/measures`, {
      token: tokens[VILLAGE],
      json: { type: 'health', description: '落实大病专项救助和慢病签约服务，报销后自付降至3000元', date: today(), riskTypes: o.riskTypes },
    });
    o.measureId = m.id;
    const rec = await api.call<{ aboveLine?: boolean; perCapitaNetIncome?: number }>('income-record', 'POST', `/monitoring-objects/${o.moId}/income-records`, {
      token: tokens[VILLAGE],
      json: incomeSurvey,
    });
    if (rec.aboveLine === false) throw new Error(`income record of ${o.moId} is not above the line: ${JSON.stringify(rec)}`);
  }
}

export class EliminationDriver {
  constructor(
    private readonly api: Api,
    private readonly recorder: Recorder,
    private readonly tokens: Tokens,
    private readonly stop: AbortSignal,
    private readonly opts: { concurrency: number; pollIntervalMs: number; timerWaitMs: number },
  ) {}

  drive(batches: BatchRun[]): Promise<ParkingResult> {
    const driver = new ParkingDriver<BatchRun>(this.opts.concurrency, this.stop, this.recorder, {
      start: (b) => this.start(b),
      resume: (b) => this.resume(b),
      fail: (b, message) => {
        b.failed = message;
      },
      describe: (b) => `elimination batch ${b.batchId ?? `#${b.index}`}`,
    });
    return driver.drive(batches);
  }

  private async upload(user: string, type: string, target: { batchId: string } | { caseId: string }): Promise<string> {
    const form = new FormData();
    form.append('type', type);
    if ('batchId' in target) form.append('batchId', target.batchId);
    else form.append('caseId', target.caseId);
    form.append('file', pdf(`${JSON.stringify(target)} ${type} ${randomUUID()}`), `${type}.pdf`);
    const ev = await this.api.call<{ id: string }>('upload', 'POST', '/evidence', { token: this.tokens[user], form });
    return ev.id;
  }

  /** One batch event; every case must take it and reach `expectState`. */
  private async batchEvent(b: BatchRun, label: string, user: string, body: { type: string; evidenceIds?: string[]; data?: unknown }, expectState: string) {
    const path = `/batches/${b.batchId}/events`;
    const { body: res, ms } = await this.api.timed<{ results: BatchResult[] }>(`${label} (batch)`, 'POST', path, {
      token: this.tokens[user],
      headers: { 'Idempotency-Key': randomUUID() },
      json: body,
      expect: 200,
    });
    const n = res.results.length;
    for (let i = 0; i < n; i++) this.recorder.ok(`${label} (per case)`, ms / n);
    const bad = res.results.filter((r) => !r.ok || r.state !== expectState);
    for (const r of bad) {
      this.recorder.error({
        label: `${label} (batch)`,
        status: r.ok ? 'unexpected-state' : `case-${r.status}-${r.code}`,
        request: `POST ${path} (case ${r.caseId})`,
        requestBody: body,
        response: JSON.stringify(r).slice(0, 2000),
      });
    }
    if (n !== b.cases.length) {
      this.recorder.error({ label: `${label} (batch)`, status: 'wrong-count', request: `POST ${path}`, response: `${n} results for ${b.cases.length} cases` });
    }
    for (const r of res.results) {
      const c = b.cases.find((x) => x.caseId === r.caseId);
      if (c && r.ok) {
        c.state = r.state;
        if (r.version !== undefined) c.version = r.version;
      }
    }
    if (bad.length || n !== b.cases.length) {
      throw new CheckFailed(`batch ${b.batchId} ${label}: ${bad.length} of ${n} cases failed, first ${JSON.stringify(bad[0] ?? null).slice(0, 500)}`);
    }
  }

  /** PROPOSE … PUBLISH_NOTICE, then park until the notice is over. */
  private async start(b: BatchRun): Promise<number> {
    const proposal = { areaCode: HUOZHUANG, monitoringObjectIds: b.objects.map((o) => o.moId), eliminationType: 'assisted' };
    const { body: created, ms } = await this.api.timed<{ batchId: string; cases: Array<{ id: string; version: number; state: string; subject: { id: string } }> }>(
      'PROPOSE (batch)',
      'POST',
      '/procedures/risk-elimination/batches',
      { token: this.tokens[VILLAGE], json: proposal },
    );
    for (let i = 0; i < created.cases.length; i++) this.recorder.ok('PROPOSE (per case)', ms / created.cases.length);
    b.batchId = created.batchId;
    b.cases = created.cases.map((c) => ({ caseId: c.id, moId: c.subject.id, version: c.version, state: c.state }));
    if (b.cases.length !== b.objects.length || b.cases.some((c) => !b.objects.some((o) => o.moId === c.moId))) {
      this.recorder.error({ label: 'PROPOSE (batch)', status: 'wrong-cases', request: 'POST /procedures/risk-elimination/batches', requestBody: proposal, response: JSON.stringify(created).slice(0, 2000) });
      throw new CheckFailed(`batch ${b.batchId}: the proposal opened ${b.cases.length} cases for ${b.objects.length} households`);
    }
    const batch = { batchId: b.batchId };

    // SF-07: the meeting that proposed the list, once for the batch
    const meeting = [];
    for (const t of ['meeting_minutes', 'meeting_photos', 'sign_in_sheet']) meeting.push(await this.upload(VILLAGE, t, batch));
    await this.batchEvent(b, 'SUBMIT', VILLAGE, { type: 'SUBMIT', evidenceIds: meeting }, 'household_verification');

    for (const c of b.cases) {
      const o = b.objects.find((x) => x.moId === c.moId)!;
      const evidence = [await this.upload(VILLAGE, 'household_survey', { caseId: c.caseId }), await this.upload(VILLAGE, 'income_calculation', { caseId: c.caseId })];
      const data = {
        ...incomeSurvey,
        risks: o.riskTypes.map((riskType) => ({ riskType, resolved: true, measureId: o.measureId, note: '大病救助后医疗负担已化解' })),
      };
      const view = await this.api.call<{ version: number; state: string }>('RECORD_VERIFICATION', 'POST', `/cases/${c.caseId}/events`, {
        token: this.tokens[VILLAGE],
        headers: { 'Idempotency-Key': randomUUID() },
        json: { type: 'RECORD_VERIFICATION', evidenceIds: evidence, data, version: c.version },
        expect: 200,
      });
      c.version = view.version;
      c.state = view.state;
      if (view.state !== 'village_appraisal') {
        this.recorder.error({ label: 'RECORD_VERIFICATION', status: 'unexpected-state', request: `POST /cases/${c.caseId}/events`, response: JSON.stringify(view).slice(0, 2000) });
        throw new CheckFailed(`case ${c.caseId}: RECORD_VERIFICATION left it in ${view.state}`);
      }
    }

    const appraisal = [await this.upload(VILLAGE, 'meeting_minutes', batch), await this.upload(VILLAGE, 'sign_in_sheet', batch)];
    await this.batchEvent(b, 'RECORD_APPRAISAL', VILLAGE, { type: 'RECORD_APPRAISAL', evidenceIds: appraisal, data: { result: 'passed' } }, 'public_notice');
    const photo = [await this.upload(VILLAGE, 'notice_photo', batch)];
    await this.batchEvent(
      b,
      'PUBLISH_NOTICE',
      VILLAGE,
      { type: 'PUBLISH_NOTICE', evidenceIds: photo, data: { text: '霍庄村拟风险消除监测对象名单公示，公示期内如有异议请向村委会反映' } },
      'public_notice',
    );
    // every case's notice ends at most NOTICE_MS after the answer
    b.publishedAt = Date.now();
    b.deadline = b.publishedAt + NOTICE_MS + this.opts.timerWaitMs;
    return b.publishedAt + NOTICE_MS + 20;
  }

  /** Polls the batch once; when every notice is closed, the township's and the county's decisions. */
  private async resume(b: BatchRun): Promise<number | null> {
    b.polls++;
    const view = await this.api.call<{ cases: Array<{ id: string; state: string; version: number }> }>('poll', 'GET', `/batches/${b.batchId}`, {
      token: this.tokens[VILLAGE],
    });
    const open = view.cases.filter((c) => c.state === 'public_notice');
    if (open.length) {
      if (Date.now() > b.deadline!) {
        this.recorder.error({ label: 'timer', status: 'timer-timeout', request: `GET /batches/${b.batchId}`, response: JSON.stringify(open).slice(0, 2000) });
        throw new CheckFailed(`batch ${b.batchId}: CLOSE_NOTICE not applied to ${open.length} cases ${this.opts.timerWaitMs} ms after the notice ended`);
      }
      return Date.now() + this.opts.pollIntervalMs;
    }
    const wrong = view.cases.filter((c) => c.state !== 'township_review');
    if (wrong.length || view.cases.length !== b.cases.length) {
      this.recorder.error({ label: 'timer', status: 'unexpected-state', request: `GET /batches/${b.batchId}`, response: JSON.stringify(view).slice(0, 2000) });
      throw new CheckFailed(`batch ${b.batchId}: expected township_review after the notice, found ${wrong.map((c) => c.state).join(', ')}`);
    }
    b.observedClosedAt = Date.now();
    for (const c of view.cases) {
      const mine = b.cases.find((x) => x.caseId === c.id);
      if (mine) Object.assign(mine, { state: c.state, version: c.version });
    }
    await this.batchEvent(b, 'APPROVE@township', TOWNSHIP, { type: 'APPROVE', data: { opinion: '经乡镇复核，风险已稳定消除，同意上报' } }, 'county_approval');
    await this.batchEvent(b, 'APPROVE@county', COUNTY, { type: 'APPROVE', data: { opinion: '同意认定风险消除' } }, 'eliminated');
    b.eliminated = b.cases.filter((c) => c.state === 'eliminated').length;
    return null;
  }
}

export interface EliminationChecks {
  timerLagMs: number[];
  badHistory: string[];
  invalidChain: string[];
  /** monitoring objects of eliminated cases that the service does not list as eliminated */
  notEliminated: string[];
}

/** Each eliminated case's history and audit chain, and the monitoring objects' status (not measured). */
export async function checkElimination(api: Api, token: string, batches: BatchRun[], concurrency: number, stop: AbortSignal): Promise<EliminationChecks> {
  const out: EliminationChecks = { timerLagMs: [], badHistory: [], invalidChain: [], notEliminated: [] };
  const cases = batches.flatMap((b) => b.cases.filter((c) => c.state === 'eliminated'));
  await pool(cases, concurrency, stop, async (c) => {
    try {
      const history = await api.call<Array<{ event: string; at: string }>>('history', 'GET', `/cases/${c.caseId}/history`, { token });
      const events = history.map((h) => h.event);
      if (events.join() !== ELIMINATION_HISTORY.join()) out.badHistory.push(`${c.caseId}: ${events.join(' → ')}`);
      const published = history.find((h) => h.event === 'PUBLISH_NOTICE');
      const closed = history.find((h) => h.event === 'CLOSE_NOTICE');
      if (published && closed) out.timerLagMs.push(Date.parse(closed.at) - (Date.parse(published.at) + NOTICE_MS));
      const verify = await api.call<{ valid: boolean }>('verify', 'GET', `/cases/${c.caseId}/verify`, { token });
      if (!verify.valid) out.invalidChain.push(`${c.caseId}: ${JSON.stringify(verify)}`);
      const mo = await api.call<{ status: string; eliminationCaseId: string | null }>('mo-check', 'GET', `/monitoring-objects/${c.moId}`, { token });
      if (mo.status !== 'eliminated' || mo.eliminationCaseId !== c.caseId) out.notEliminated.push(`${c.moId}: ${mo.status}, case ${mo.eliminationCaseId}`);
    } catch (err) {
      out.badHistory.push(`${c.caseId}: ${(err as Error).message}`);
    }
  });
  return out;
}
