/**
 * The measured work: N monitoring-inclusion cases, each driven from CREATE to `included` by
 * the demo users, as test/support/flows.ts does, with C concurrent clients.
 *
 * A case waiting for its CLOSE_NOTICE timer does not hold a client: it is parked, and the
 * client starts or resumes another case meanwhile. So the clients keep the service busy and
 * the notice period shows up only in the timer figures, not in the transition latencies.
 */
import { randomUUID } from 'node:crypto';
import { checkCharacter } from '../src/common/domain/id-number';
import { type Api, RequestFailed } from './http';
import type { Recorder } from './stats';

export const VILLAGE = 'v_huozhuang';
export const TOWNSHIP = 't_lingjing';
export const COUNTY = 'c_jianan';
export const HUOZHUANG = '411003100201';
export const COUNTY_CODE = '411003000000';

/** the labels of the latency table, in the order of a case */
export const EVENT_LABELS = [
  'CREATE',
  'RECORD_VERIFICATION',
  'RECORD_APPRAISAL',
  'PUBLISH_NOTICE',
  'APPROVE@township',
  'APPROVE@county',
] as const;
export const EXPECTED_HISTORY = ['CREATE', 'RECORD_VERIFICATION', 'RECORD_APPRAISAL', 'PUBLISH_NOTICE', 'CLOSE_NOTICE', 'APPROVE', 'APPROVE'];

export type Tokens = Record<string, string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn over items with at most `limit` at a time; stops taking new items once `stop` fires. */
export async function pool<T>(items: T[], limit: number, stop: AbortSignal, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop.aborted) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ------------------------------------------------------------------ households (setup)

/** A valid 居民身份证号 of 建安区 for household i, member j; unique within a run. */
export function idNumber(i: number, j: number, gender: 'male' | 'female'): { idNumber: string; birthDate: string } {
  const birth = new Date(Date.UTC(1950, 0, 1) + (i % 18_000) * 86_400_000 + j * 3 * 365 * 86_400_000);
  const birthDate = birth.toISOString().slice(0, 10);
  // sequence 300..999: household block above the demo data's 100..199
  const order = 300 + Math.floor(i / 18_000) * 8 + j * 2 + (gender === 'male' ? 1 : 0);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return { idNumber: first17 + checkCharacter(first17), birthDate };
}

export function householdBody(i: number) {
  const head = idNumber(i, 0, 'male');
  const spouse = idNumber(i, 1, 'female');
  return {
    areaCode: HUOZHUANG,
    householderName: `压测户${i + 1}`,
    address: `许昌市建安区灵井镇霍庄村压测组${i + 1}号`,
    isFormerlyPoor: i % 2 === 0,
    members: [
      { name: `压测户${i + 1}`, idNumber: head.idNumber, relation: '户主', gender: 'male', birthDate: head.birthDate,
        laborAbility: 'weak', employment: 'local', phone: '13903741234' },
      { name: `配偶${i + 1}`, idNumber: spouse.idNumber, relation: '配偶', gender: 'female', birthDate: spouse.birthDate,
        laborAbility: 'semi', employment: 'none', disability: { category: '肢体', level: 3 } },
    ],
  };
}

// ------------------------------------------------------------------ cases (measured)

export const verificationData = {
  conclusion: 'include',
  // SF-05: income by category (household-level lines: wages would name a member and employer); the member count is the registry's
  income: { periodStart: '2025-10-01', periodEnd: '2026-09-30', lines: [{ category: 'business_net', amount: 8000 }, { category: 'transfer', amount: 4000 }] },
  rigidExpenditure: { medical: 38000, education: 2000 },
  guarantees: { education: true, medical: false, housing: true, water: true },
  riskTypes: ['illness'],
  monitoringType: 'sudden_hardship',
};

const approvalData = {
  monitoringType: 'sudden_hardship',
  riskTypes: ['illness'],
  startDate: '2026-11-01',
  assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' },
  opinion: '同意纳入监测，落实帮扶措施',
};

/** A minimal but real PDF: its kind is recognised from its bytes. */
export function pdf(label: string): Blob {
  return new Blob([`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\ntrailer << /Root 1 0 R >>\n%%EOF\n`], { type: 'application/pdf' });
}

export interface CaseRun {
  index: number;
  householdId: string;
  name: string;
  id?: string;
  version?: number;
  /** notice end as the service computed it */
  noticeEndsAt?: number;
  /** when a poll first saw the case past the notice (epoch ms) */
  observedClosedAt?: number;
  polls: number;
  finalState?: string;
  failed?: string;
}

interface Parked {
  run: CaseRun;
  dueAt: number;
  deadline: number;
}

export interface DriveResult {
  startedAt: number;
  endedAt: number;
  runs: CaseRun[];
  maxParked: number;
}

export class CaseDriver {
  private readonly parked: Parked[] = [];
  private next = 0;
  maxParked = 0;

  constructor(
    private readonly api: Api,
    private readonly recorder: Recorder,
    private readonly tokens: Tokens,
    private readonly stop: AbortSignal,
    private readonly opts: { concurrency: number; pollIntervalMs: number; timerWaitMs: number },
  ) {}

  async drive(runs: CaseRun[]): Promise<DriveResult> {
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: this.opts.concurrency }, () => this.client(runs)));
    return { startedAt, endedAt: Date.now(), runs, maxParked: this.maxParked };
  }

  /** One client: resume a case whose notice is over, else start a new one, else wait a little. */
  private async client(runs: CaseRun[]): Promise<void> {
    // bounded: every iteration either finishes a step of a case or sleeps until a parked case is due
    while (!this.stop.aborted) {
      const due = this.takeDue(Date.now());
      if (due) {
        await this.guard(due.run, () => this.resume(due));
        continue;
      }
      if (this.next < runs.length) {
        const run = runs[this.next++];
        await this.guard(run, () => this.start(run));
        continue;
      }
      if (this.parked.length === 0) return;
      const wait = Math.min(...this.parked.map((p) => p.dueAt)) - Date.now();
      await sleep(Math.max(5, Math.min(wait, 50)));
    }
  }

  private async guard(run: CaseRun, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      run.failed = err instanceof RequestFailed ? err.message : String((err as Error)?.stack ?? err);
      if (!(err instanceof RequestFailed)) {
        this.recorder.error({ label: 'bench', status: 'bench-error', request: `case ${run.id ?? run.index}`, response: run.failed });
      }
    }
  }

  private takeDue(now: number): Parked | null {
    let best = -1;
    for (let i = 0; i < this.parked.length; i++) {
      if (this.parked[i].dueAt <= now && (best < 0 || this.parked[i].dueAt < this.parked[best].dueAt)) best = i;
    }
    return best < 0 ? null : this.parked.splice(best, 1)[0];
  }

  private park(p: Parked): void {
    this.parked.push(p);
    this.maxParked = Math.max(this.maxParked, this.parked.length);
  }

  private async upload(run: CaseRun, type: string): Promise<string> {
    const form = new FormData();
    form.append('type', type);
    form.append('caseId', run.id!);
    form.append('file', pdf(`${run.id} ${type} ${randomUUID()}`), `${type}.pdf`);
    const ev = await this.api.call<{ id: string }>('upload', 'POST', '/evidence', { token: this.tokens[VILLAGE], form });
    return ev.id;
  }

  private async send(run: CaseRun, label: string, user: string, body: { type: string; evidenceIds?: string[]; data?: unknown }) {
    const view = await this.api.call<{ version: number; state: string; notice: { endsAt: string } | null }>(
      label,
      'POST',
      `/cases/${run.id}/events`,
      { token: this.tokens[user], headers: { 'Idempotency-Key': randomUUID() }, json: { ...body, version: run.version }, expect: 200 },
    );
    run.version = view.version;
    return view;
  }

  /** CREATE … PUBLISH_NOTICE, then park until the notice is over. */
  private async start(run: CaseRun): Promise<void> {
    const created = await this.api.call<{ id: string; version: number }>('CREATE', 'POST', '/procedures/monitoring-inclusion/cases', {
      token: this.tokens[VILLAGE],
      json: { householdId: run.householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true },
    });
    run.id = created.id;
    run.version = created.version;

    const verification = [await this.upload(run, 'household_survey'), await this.upload(run, 'income_calculation')];
    await this.send(run, 'RECORD_VERIFICATION', VILLAGE, { type: 'RECORD_VERIFICATION', evidenceIds: verification, data: verificationData });

    const appraisal = [await this.upload(run, 'meeting_minutes'), await this.upload(run, 'sign_in_sheet')];
    await this.send(run, 'RECORD_APPRAISAL', VILLAGE, { type: 'RECORD_APPRAISAL', evidenceIds: appraisal, data: { result: 'passed' } });

    const notice = [await this.upload(run, 'notice_photo')];
    const published = await this.send(run, 'PUBLISH_NOTICE', VILLAGE, {
      type: 'PUBLISH_NOTICE',
      evidenceIds: notice,
      data: { text: `霍庄村拟纳入防止返贫监测对象名单公示：${run.name}户` },
    });
    if (!published.notice?.endsAt) throw new Error(`case ${run.id}: PUBLISH_NOTICE answered without notice.endsAt`);
    run.noticeEndsAt = Date.parse(published.notice.endsAt);
    this.park({ run, dueAt: run.noticeEndsAt + 20, deadline: run.noticeEndsAt + this.opts.timerWaitMs });
  }

  /** Polls once; when the timer has closed the notice, sends both approvals. */
  private async resume(p: Parked): Promise<void> {
    const { run } = p;
    run.polls++;
    const view = await this.api.call<{ version: number; state: string }>('poll', 'GET', `/cases/${run.id}`, { token: this.tokens[VILLAGE] });
    if (view.state === 'public_notice') {
      if (Date.now() > p.deadline) {
        const message = `case ${run.id}: CLOSE_NOTICE not applied ${this.opts.timerWaitMs} ms after the notice ended (${run.polls} polls)`;
        this.recorder.error({ label: 'timer', status: 'timer-timeout', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
        throw new Error(message);
      }
      this.park({ ...p, dueAt: Date.now() + this.opts.pollIntervalMs });
      return;
    }
    if (view.state !== 'township_review') {
      this.recorder.error({ label: 'timer', status: 'unexpected-state', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
      throw new Error(`case ${run.id}: expected township_review after the notice, found ${view.state}`);
    }
    run.observedClosedAt = Date.now();
    run.version = view.version;
    await this.send(run, 'APPROVE@township', TOWNSHIP, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } });
    const approved = await this.send(run, 'APPROVE@county', COUNTY, { type: 'APPROVE', data: approvalData });
    run.finalState = approved.state;
    if (approved.state !== 'included') {
      this.recorder.error({ label: 'APPROVE@county', status: 'unexpected-state', request: `POST /cases/${run.id}/events`, response: JSON.stringify(approved).slice(0, 2000) });
      throw new Error(`case ${run.id}: county APPROVE left it in ${approved.state}`);
    }
  }
}

// ------------------------------------------------------------------ checks after the run (not measured)

export interface HistoryCheck {
  timerLagMs: number[];
  badHistory: string[];
  invalidChain: string[];
}

/** Reads each finished case's history and chain check; the timer lag is CLOSE_NOTICE `at` minus the notice end. */
export async function checkHistories(api: Api, token: string, runs: CaseRun[], concurrency: number, stop: AbortSignal): Promise<HistoryCheck> {
  const out: HistoryCheck = { timerLagMs: [], badHistory: [], invalidChain: [] };
  await pool(runs.filter((r) => r.finalState === 'included'), concurrency, stop, async (run) => {
    try {
      const history = await api.call<Array<{ event: string; at: string }>>('history', 'GET', `/cases/${run.id}/history`, { token });
      const events = history.map((h) => h.event);
      if (events.join() !== EXPECTED_HISTORY.join()) out.badHistory.push(`${run.id}: ${events.join(' → ')}`);
      const close = history.find((h) => h.event === 'CLOSE_NOTICE');
      if (close && run.noticeEndsAt) out.timerLagMs.push(Date.parse(close.at) - run.noticeEndsAt);
      const verify = await api.call<{ valid: boolean }>('verify', 'GET', `/cases/${run.id}/verify`, { token });
      if (!verify.valid) out.invalidChain.push(`${run.id}: ${JSON.stringify(verify)}`);
    } catch (err) {
      out.badHistory.push(`${run.id}: ${(err as Error).message}`);
    }
  });
  return out;
}

export { sleep };
