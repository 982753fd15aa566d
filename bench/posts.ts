/**
 * Phase 4: public-welfare posts (公益性岗位), as docs/welfare-posts.md and
 * test/welfare-posts.e2e-spec.ts do it.
 *
 * Setup (not measured): `posts.noticePeriod` of the county set to a second; P water-keeper posts
 * of 霍庄村 (a type without an entry in `posts.capPerVillage`, so no cap applies) driven through
 * the setting procedure to `open`, with places for every candidate; H formerly-poor households of
 * one eligible member each (35–55 years old, weak or semi labour, employed locally).
 *
 * Measured: H hiring cases, each through CREATE (village), RECOMMEND, PUBLISH_NOTICE, then parked
 * until the CLOSE_NOTICE timer has moved it to township_review (the wait holds no client and is
 * not counted as a user transition), township APPROVE, county APPROVE, township SIGN_AGREEMENT
 * (start on the 1st of last month) → `on_duty`. Then, as a second measured step, one month
 * (last month) of attendance per holder through POST /welfare-posts/attendance with an
 * attendance sheet, the computed subsidy checked against the policy; then the ledger of that
 * month, JSON and CSV, once each.
 */
import { randomUUID } from 'node:crypto';
import { checkCharacter } from '../src/common/domain/id-number';
import { addMonths, monthOf, subsidyFor } from '../src/machines/welfare-posts.shared';
import { type Api, RequestFailed } from './http';
import { type CaseView, sendToCase, uploadToCase } from './case-calls';
import { CheckFailed, ParkingDriver, type ParkingResult } from './parking';
import type { Recorder } from './stats';
import { COUNTY, HUOZHUANG, pdf, pool, TOWNSHIP, type Tokens, VILLAGE } from './workload';

export const POSTS_POLICY = { 'posts.noticePeriod': 'PT1S' };
export const POST_TYPE = 'water_keeper';
export const MONTHLY_SUBSIDY = 600;
export const HIRING_LABELS = ['CREATE', 'RECOMMEND', 'PUBLISH_NOTICE', 'APPROVE@township', 'APPROVE@county', 'SIGN_AGREEMENT'] as const;
export const POSTS_LABELS = [
  'post-setting',
  'household',
  ...HIRING_LABELS,
  'RECORD_ATTENDANCE',
  'upload',
  'poll',
  'ledger',
  'ledger-csv',
] as const;
export const HIRING_HISTORY = ['CREATE', 'RECOMMEND', 'PUBLISH_NOTICE', 'CLOSE_NOTICE', 'APPROVE', 'APPROVE', 'SIGN_AGREEMENT', 'RECORD_ATTENDANCE'];
/** days worked of holder i: full, full, partial, none, full (the subsidy is checked for each) */
const DAYS = [22, 20, 5, 0, 15];

/** last month on the Beijing calendar: the agreement starts on its 1st, attendance is for it */
export function attendanceMonth(): string {
  return addMonths(monthOf(new Date().toISOString()), -1);
}

/** A valid ID number for candidate i, born 1972–1990 (35–53 years old), male; unique within a run (orders 701+, above the inclusion households). */
export function candidateId(i: number): { idNumber: string; birthDate: string } {
  const birth = new Date(Date.UTC(1972, 0, 1) + (i % 6_500) * 86_400_000);
  const birthDate = birth.toISOString().slice(0, 10);
  const order = 701 + Math.floor(i / 6_500) * 2;
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return { idNumber: first17 + checkCharacter(first17), birthDate };
}

export function candidateHousehold(i: number) {
  const id = candidateId(i);
  return {
    areaCode: HUOZHUANG,
    householderName: `岗位候选${i + 1}`,
    address: `许昌市建安区灵井镇霍庄村岗位组${i + 1}号`,
    isFormerlyPoor: true,
    members: [
      { name: `岗位候选${i + 1}`, idNumber: id.idNumber, relation: '户主', gender: 'male', birthDate: id.birthDate,
        laborAbility: i % 2 ? 'semi' : 'weak', employment: 'local', phone: '13903745678' },
    ],
  };
}

export interface HireRun {
  index: number;
  postId: string;
  memberId: string;
  id?: string;
  version?: number;
  noticeEndsAt?: number;
  observedClosedAt?: number;
  polls: number;
  finalState?: string;
  failed?: string;
  daysWorked?: number;
  subsidy?: number;
}

type View = CaseView;

/** Creates P open posts of `places` each (setup). */
export async function openPosts(api: Api, tokens: Tokens, count: number, places: number, stop: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count && !stop.aborted; i++) {
    const c = await api.call<View>('post-setting', 'POST', '/procedures/welfare-post-setting/cases', {
      token: tokens[VILLAGE],
      json: {
        areaCode: HUOZHUANG,
        postType: POST_TYPE,
        places,
        duties: `负责霍庄村第${i + 1}片区供水设施日常巡查与维护`,
        monthlySubsidy: MONTHLY_SUBSIDY,
        termMonths: 12,
        justification: '全村集中供水工程一处，管网4公里，需专人管护',
      },
    });
    let version = c.version;
    const form = new FormData();
    form.append('type', 'application_form');
    form.append('caseId', c.id);
    form.append('file', pdf(`${c.id} application_form`), 'application_form.pdf');
    const ev = await api.call<{ id: string }>('post-setting', 'POST', '/evidence', { token: tokens[VILLAGE], form });
    const steps: Array<[string, unknown]> = [
      [VILLAGE, { type: 'SUBMIT', evidenceIds: [ev.id] }],
      [TOWNSHIP, { type: 'APPROVE', data: { opinion: '经乡镇实地核实确有需要' } }],
      [COUNTY, { type: 'APPROVE', data: { opinion: '同意设岗' } }],
    ];
    let view: View = c;
    for (const [user, body] of steps) {
      view = await api.call<View>('post-setting', 'POST', `/cases/${c.id}/events`, {
        token: tokens[user],
        headers: { 'Idempotency-Key': randomUUID() },
        json: { ...(body as object), version },
        expect: 200,
      });
      version = view.version;
    }
    if (view.state !== 'open') throw new Error(`post-setting case ${c.id} ended in ${view.state}, expected open`);
    ids.push(view.subject.id);
  }
  return ids;
}

/** H candidate households (setup); returns each one's member id. */
export async function candidates(api: Api, tokens: Tokens, count: number, concurrency: number, stop: AbortSignal): Promise<string[]> {
  const members: string[] = new Array(count);
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, stop, async (i) => {
    const h = await api.call<{ members: Array<{ id: string }> }>('household', 'POST', '/households', { token: tokens[VILLAGE], json: candidateHousehold(i) });
    members[i] = h.members[0].id;
  });
  return members;
}

export class HiringDriver {
  constructor(
    private readonly api: Api,
    private readonly recorder: Recorder,
    private readonly tokens: Tokens,
    private readonly stop: AbortSignal,
    private readonly opts: { concurrency: number; pollIntervalMs: number; timerWaitMs: number },
    private readonly month: string,
  ) {}

  drive(runs: HireRun[]): Promise<ParkingResult> {
    return new ParkingDriver<HireRun>(this.opts.concurrency, this.stop, this.recorder, {
      start: (r) => this.start(r),
      resume: (r) => this.resume(r),
      fail: (r, message) => {
        r.failed = message;
      },
      describe: (r) => `hiring case ${r.id ?? `#${r.index}`}`,
    }).drive(runs);
  }

  private upload(run: HireRun, user: string, type: string): Promise<string> {
    return uploadToCase(this.api, this.tokens[user], run.id!, type);
  }

  private send(run: HireRun, label: string, user: string, body: { type: string; evidenceIds?: string[]; data?: unknown }, expectState: string) {
    return sendToCase(this.api, this.recorder, { token: this.tokens[user], run, label, kind: 'hiring', body, expectState });
  }

  private async start(run: HireRun): Promise<number> {
    const created = await this.api.call<View>('CREATE', 'POST', '/procedures/welfare-post-hiring/cases', {
      token: this.tokens[VILLAGE],
      json: { postId: run.postId, memberId: run.memberId, exclusions: { villageCadreOrFamily: false, publicEmployee: false, urbanEmployeePension: false } },
    });
    run.id = created.id;
    run.version = created.version;
    const rec = [await this.upload(run, VILLAGE, 'meeting_minutes'), await this.upload(run, VILLAGE, 'sign_in_sheet')];
    await this.send(run, 'RECOMMEND', VILLAGE, { type: 'RECOMMEND', evidenceIds: rec, data: { result: 'recommended' } }, 'public_notice');
    const photo = [await this.upload(run, VILLAGE, 'notice_photo')];
    const published = await this.send(run, 'PUBLISH_NOTICE', VILLAGE, { type: 'PUBLISH_NOTICE', evidenceIds: photo, data: { text: '霍庄村拟聘用公益性岗位水管员公示' } }, 'public_notice');
    if (!published.notice?.endsAt) throw new CheckFailed(`hiring case ${run.id}: PUBLISH_NOTICE answered without notice.endsAt`);
    run.noticeEndsAt = Date.parse(published.notice.endsAt);
    return run.noticeEndsAt + 20;
  }

  private async resume(run: HireRun): Promise<number | null> {
    run.polls++;
    const view = await this.api.call<View>('poll', 'GET', `/cases/${run.id}`, { token: this.tokens[VILLAGE] });
    if (view.state === 'public_notice') {
      if (Date.now() > run.noticeEndsAt! + this.opts.timerWaitMs) {
        this.recorder.error({ label: 'timer', status: 'timer-timeout', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
        throw new CheckFailed(`hiring case ${run.id}: CLOSE_NOTICE not applied ${this.opts.timerWaitMs} ms after the notice ended`);
      }
      return Date.now() + this.opts.pollIntervalMs;
    }
    if (view.state !== 'township_review') {
      this.recorder.error({ label: 'timer', status: 'unexpected-state', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
      throw new CheckFailed(`hiring case ${run.id}: expected township_review after the notice, found ${view.state}`);
    }
    run.observedClosedAt = Date.now();
    run.version = view.version;
    await this.send(run, 'APPROVE@township', TOWNSHIP, { type: 'APPROVE', data: { opinion: '经审核符合聘用条件' } }, 'county_approval');
    await this.send(run, 'APPROVE@county', COUNTY, { type: 'APPROVE', data: { opinion: '同意聘用' } }, 'contracted');
    const agreement = [await this.upload(run, TOWNSHIP, 'agreement')];
    const signed = await this.send(
      run,
      'SIGN_AGREEMENT',
      TOWNSHIP,
      { type: 'SIGN_AGREEMENT', evidenceIds: agreement, data: { startDate: `${this.month}-01`, termMonths: 12 } },
      'on_duty',
    );
    run.finalState = signed.state;
    return null;
  }
}

/** One month of attendance for every holder (measured); the subsidy in the answer is checked. */
export async function recordAttendance(
  api: Api,
  recorder: Recorder,
  tokens: Tokens,
  runs: HireRun[],
  month: string,
  rules: { minDays: number; partialRatio: number },
  concurrency: number,
  stop: AbortSignal,
): Promise<{ startedAt: number; endedAt: number; recorded: number; wrongSubsidy: string[] }> {
  const startedAt = Date.now();
  let recorded = 0;
  const wrongSubsidy: string[] = [];
  await pool(runs, concurrency, stop, async (run) => {
    try {
      const form = new FormData();
      form.append('type', 'attendance_sheet');
      form.append('caseId', run.id!);
      form.append('file', pdf(`${run.id} attendance ${month}`), 'attendance_sheet.pdf');
      const ev = await api.call<{ id: string }>('upload', 'POST', '/evidence', { token: tokens[TOWNSHIP], form });
      const daysWorked = DAYS[run.index % DAYS.length];
      const view = await api.call<View>('RECORD_ATTENDANCE', 'POST', '/welfare-posts/attendance', {
        token: tokens[TOWNSHIP],
        headers: { 'Idempotency-Key': randomUUID() },
        json: { caseId: run.id, month, daysWorked, evidenceIds: [ev.id] },
        expect: 200,
      });
      const expected = subsidyFor({ monthlySubsidy: MONTHLY_SUBSIDY, daysWorked, minDays: rules.minDays, partialRatio: rules.partialRatio });
      const got = (view.data?.attendance as Array<{ month: string; daysWorked: number; subsidy: number }> | undefined)?.find((a) => a.month === month);
      run.daysWorked = daysWorked;
      run.subsidy = expected;
      if (!got || got.daysWorked !== daysWorked || got.subsidy !== expected) {
        recorder.error({ label: 'RECORD_ATTENDANCE', status: 'wrong-subsidy', request: `POST /welfare-posts/attendance (case ${run.id})`,
          requestBody: { month, daysWorked }, response: JSON.stringify(view.data?.attendance ?? view).slice(0, 2000) });
        wrongSubsidy.push(`${run.id}: ${daysWorked} days → ${JSON.stringify(got)}, expected subsidy ${expected}`);
        return;
      }
      recorded++;
    } catch (err) {
      if (!(err instanceof RequestFailed)) recorder.error({ label: 'bench', status: 'bench-error', request: `attendance of ${run.id}`, response: String((err as Error)?.stack ?? err) });
      run.failed = (err as Error).message;
    }
  });
  return { startedAt, endedAt: Date.now(), recorded, wrongSubsidy };
}

export interface LedgerCheck {
  jsonMs: number | null;
  csvMs: number | null;
  rows: number;
  csvLines: number;
  mismatches: string[];
}

/** The ledger of the month once as JSON and once as CSV (measured); our holders' rows checked. */
export async function readLedger(api: Api, recorder: Recorder, token: string, runs: HireRun[], month: string, stop: AbortSignal): Promise<LedgerCheck> {
  const out: LedgerCheck = { jsonMs: null, csvMs: null, rows: 0, csvLines: 0, mismatches: [] };
  const path = `/welfare-posts/ledger?areaCode=${HUOZHUANG}&month=${month}`;
  try {
    const { body, ms } = await api.timed<{ rows: Array<{ caseId: string; daysWorked: number | null; subsidy: number }> }>('ledger', 'GET', path, { token });
    out.jsonMs = ms;
    out.rows = body.rows.length;
    const byCase = new Map(body.rows.map((r) => [r.caseId, r]));
    for (const run of runs.filter((r) => r.subsidy !== undefined)) {
      const row = byCase.get(run.id!);
      if (!row || row.daysWorked !== run.daysWorked || Number(row.subsidy) !== run.subsidy) {
        out.mismatches.push(`${run.id}: ledger ${JSON.stringify(row ?? null)}, expected ${run.daysWorked} days, ${run.subsidy}`);
      }
    }
    if (out.mismatches.length) {
      recorder.error({ label: 'ledger', status: 'ledger-mismatch', request: `GET ${path}`, response: out.mismatches.slice(0, 5).join('\n') });
    }
  } catch (err) {
    if (!(err instanceof RequestFailed)) recorder.error({ label: 'ledger', status: 'bench-error', request: `GET ${path}`, response: String(err) });
  }
  // CSV: the body is not JSON, so this one is timed here rather than by Api
  const started = performance.now();
  try {
    const res = await fetch(api.baseUrl + path, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/csv' }, signal: AbortSignal.any([stop, AbortSignal.timeout(30_000)]) });
    const text = await res.text();
    const ms = performance.now() - started;
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !type.startsWith('text/csv') || lines.length - 1 !== out.rows) {
      recorder.error({ label: 'ledger-csv', status: res.status === 200 ? 'bad-csv' : String(res.status), request: `GET ${path} Accept: text/csv`,
        response: `content-type ${type}, ${lines.length - 1} data lines for ${out.rows} JSON rows: ${text.slice(0, 500)}` });
    } else {
      recorder.ok('ledger-csv', ms);
      out.csvMs = ms;
    }
    out.csvLines = lines.length - 1;
  } catch (err) {
    recorder.error({ label: 'ledger-csv', status: 'network', request: `GET ${path} Accept: text/csv`, response: String(err) });
  }
  return out;
}

export interface PostsChecks {
  timerLagMs: number[];
  badHistory: string[];
  invalidChain: string[];
  /** posts whose `filled` differs from the holders the bench put on them */
  badPosts: string[];
}

/** Histories and chains of the hiring cases, and each post's filled count (not measured). */
export async function checkPosts(api: Api, token: string, runs: HireRun[], postIds: string[], concurrency: number, stop: AbortSignal): Promise<PostsChecks> {
  const out: PostsChecks = { timerLagMs: [], badHistory: [], invalidChain: [], badPosts: [] };
  await pool(runs.filter((r) => r.finalState === 'on_duty' && r.subsidy !== undefined), concurrency, stop, async (run) => {
    try {
      const history = await api.call<Array<{ event: string; at: string }>>('history', 'GET', `/cases/${run.id}/history`, { token });
      const events = history.map((h) => h.event);
      if (events.join() !== HIRING_HISTORY.join()) out.badHistory.push(`${run.id}: ${events.join(' → ')}`);
      const close = history.find((h) => h.event === 'CLOSE_NOTICE');
      if (close && run.noticeEndsAt) out.timerLagMs.push(Date.parse(close.at) - run.noticeEndsAt);
      const verify = await api.call<{ valid: boolean }>('verify', 'GET', `/cases/${run.id}/verify`, { token });
      if (!verify.valid) out.invalidChain.push(`${run.id}: ${JSON.stringify(verify)}`);
    } catch (err) {
      out.badHistory.push(`${run.id}: ${(err as Error).message}`);
    }
  });
  for (const postId of postIds) {
    const want = runs.filter((r) => r.postId === postId && r.finalState === 'on_duty').length;
    try {
      const post = await api.call<{ filled: number; status: string }>('post', 'GET', `/welfare-posts/${postId}`, { token });
      if (post.filled !== want || post.status !== 'open') out.badPosts.push(`${postId}: filled ${post.filled}, status ${post.status}; expected ${want} holders`);
    } catch (err) {
      out.badPosts.push(`${postId}: ${(err as Error).message}`);
    }
  }
  return out;
}
