/**
 * Phase 3: project intake (项目库入库), as docs/project-intake.md and
 * test/project-intake.e2e-spec.ts do it: M industry projects of 霍庄村 (argued by 农业农村,
 * `d_agri`, the default countersign of the category), each driven by C clients through
 *
 *   CREATE (village), evidence + SUBMIT, township APPROVE, department APPROVE with its
 *   feasibility opinion, county APPROVE (performance targets approved), county PUBLISH_NOTICE,
 *
 * then parked until the CLOSE_NOTICE timer has put it in the library (`in_library`, not counted
 * as a user transition); the county's notice period is set to a second during setup.
 */
import type { Api } from './http';
import { type CaseView, sendToCase, uploadToCase } from './case-calls';
import { CheckFailed, ParkingDriver, type ParkingResult } from './parking';
import type { Recorder } from './stats';
import { COUNTY, HUOZHUANG, pool, TOWNSHIP, type Tokens, VILLAGE } from './workload';

export const DEPARTMENT = 'd_agri';
export const PROJECT_LABELS = [
  'CREATE',
  'SUBMIT',
  'APPROVE@township',
  'APPROVE@department',
  'APPROVE@county',
  'PUBLISH_NOTICE',
  'upload',
  'poll',
] as const;
export const PROJECT_TRANSITIONS = ['CREATE', 'SUBMIT', 'APPROVE@township', 'APPROVE@department', 'APPROVE@county', 'PUBLISH_NOTICE'];
export const PROJECT_HISTORY = ['CREATE', 'SUBMIT', 'APPROVE', 'APPROVE', 'APPROVE', 'PUBLISH_NOTICE', 'CLOSE_NOTICE'];
export const PROJECT_POLICY = { 'projects.noticePeriod': 'PT1S' };
export const PROJECT_YEAR = 2026;

export function projectBody(i: number) {
  return {
    areaCode: HUOZHUANG,
    name: `霍庄村压测产业项目${i + 1}号（食用菌大棚）`,
    category: 'industry',
    subCategory: '种植业基地',
    year: PROJECT_YEAR,
    budget: { total: 1200000, linkageFunds: 1000000, otherFunds: 200000 },
    fundSource: '中央和省级财政衔接推进乡村振兴补助资金',
    period: { start: '2026-04-01', end: '2026-10-31' },
    content: `新建食用菌标准化大棚${(i % 20) + 1}座及配套水电设施`,
    performanceTargets: [
      { kind: 'output', indicator: '新建大棚数量', value: String((i % 20) + 1), unit: '座' },
      { kind: 'benefit', indicator: '带动脱贫户增收', value: '2000', unit: '元/户·年' },
      { kind: 'satisfaction', indicator: '受益群众满意度', value: '≥90', unit: '%' },
    ],
    beneficiaries: { households: 120, formerlyPoorHouseholds: 30, monitoredHouseholds: 5 },
    linkageMechanism: '资产收益分红、优先吸纳脱贫户和监测户务工、订单收购',
  };
}

export interface ProjectRun {
  index: number;
  id?: string;
  projectId?: string;
  version?: number;
  noticeEndsAt?: number;
  observedInLibraryAt?: number;
  polls: number;
  finalState?: string;
  failed?: string;
}

type View = CaseView;

export class ProjectDriver {
  constructor(
    private readonly api: Api,
    private readonly recorder: Recorder,
    private readonly tokens: Tokens,
    private readonly stop: AbortSignal,
    private readonly opts: { concurrency: number; pollIntervalMs: number; timerWaitMs: number },
  ) {}

  drive(runs: ProjectRun[]): Promise<ParkingResult> {
    const driver = new ParkingDriver<ProjectRun>(this.opts.concurrency, this.stop, this.recorder, {
      start: (r) => this.start(r),
      resume: (r) => this.resume(r),
      fail: (r, message) => {
        r.failed = message;
      },
      describe: (r) => `project case ${r.id ?? `#${r.index}`}`,
    });
    return driver.drive(runs);
  }

  private upload(run: ProjectRun, user: string, type: string): Promise<string> {
    return uploadToCase(this.api, this.tokens[user], run.id!, type);
  }

  private send(run: ProjectRun, label: string, user: string, body: { type: string; evidenceIds?: string[]; data?: unknown }, expectState: string) {
    return sendToCase(this.api, this.recorder, { token: this.tokens[user], run, label, kind: 'project', body, expectState });
  }

  private async start(run: ProjectRun): Promise<number> {
    const created = await this.api.call<View>('CREATE', 'POST', '/procedures/project-intake/cases', { token: this.tokens[VILLAGE], json: projectBody(run.index) });
    run.id = created.id;
    run.projectId = created.subject.id;
    run.version = created.version;

    const submit = [];
    for (const t of ['villager_resolution', 'notice_photo', 'project_proposal']) submit.push(await this.upload(run, VILLAGE, t));
    await this.send(run, 'SUBMIT', VILLAGE, { type: 'SUBMIT', evidenceIds: submit }, 'township_review');
    await this.send(run, 'APPROVE@township', TOWNSHIP, { type: 'APPROVE', data: { opinion: '材料齐全，同意上报' } }, 'department_review');
    const opinion = [await this.upload(run, DEPARTMENT, 'feasibility_opinion')];
    await this.send(run, 'APPROVE@department', DEPARTMENT, { type: 'APPROVE', evidenceIds: opinion, data: { opinion: '符合产业规划，技术方案可行' } }, 'county_approval');
    await this.send(run, 'APPROVE@county', COUNTY, { type: 'APPROVE', data: { opinion: '同意入库，绩效目标审定', performanceTargetsApproved: true } }, 'county_notice');
    const photo = [await this.upload(run, COUNTY, 'notice_photo')];
    const published = await this.send(
      run,
      'PUBLISH_NOTICE',
      COUNTY,
      { type: 'PUBLISH_NOTICE', evidenceIds: photo, data: { text: '建安区2026年度巩固拓展脱贫攻坚成果和乡村振兴项目库入库公告' } },
      'county_notice',
    );
    if (!published.notice?.endsAt) throw new CheckFailed(`project case ${run.id}: PUBLISH_NOTICE answered without notice.endsAt`);
    run.noticeEndsAt = Date.parse(published.notice.endsAt);
    return run.noticeEndsAt + 20;
  }

  private async resume(run: ProjectRun): Promise<number | null> {
    run.polls++;
    const view = await this.api.call<View>('poll', 'GET', `/cases/${run.id}`, { token: this.tokens[VILLAGE] });
    if (view.state === 'county_notice') {
      if (Date.now() > run.noticeEndsAt! + this.opts.timerWaitMs) {
        this.recorder.error({ label: 'timer', status: 'timer-timeout', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
        throw new CheckFailed(`project case ${run.id}: CLOSE_NOTICE not applied ${this.opts.timerWaitMs} ms after the notice ended`);
      }
      return Date.now() + this.opts.pollIntervalMs;
    }
    run.finalState = view.state;
    if (view.state !== 'in_library') {
      this.recorder.error({ label: 'timer', status: 'unexpected-state', request: `GET /cases/${run.id}`, response: JSON.stringify(view).slice(0, 2000) });
      throw new CheckFailed(`project case ${run.id}: expected in_library after the notice, found ${view.state}`);
    }
    run.observedInLibraryAt = Date.now();
    return null;
  }
}

export interface ProjectChecks {
  timerLagMs: number[];
  badHistory: string[];
  invalidChain: string[];
  /** projects of finished cases the library does not list as in_library */
  notInLibrary: string[];
}

export async function checkProjects(api: Api, token: string, runs: ProjectRun[], concurrency: number, stop: AbortSignal): Promise<ProjectChecks> {
  const out: ProjectChecks = { timerLagMs: [], badHistory: [], invalidChain: [], notInLibrary: [] };
  await pool(runs.filter((r) => r.finalState === 'in_library'), concurrency, stop, async (run) => {
    try {
      const history = await api.call<Array<{ event: string; at: string }>>('history', 'GET', `/cases/${run.id}/history`, { token });
      const events = history.map((h) => h.event);
      if (events.join() !== PROJECT_HISTORY.join()) out.badHistory.push(`${run.id}: ${events.join(' → ')}`);
      const close = history.find((h) => h.event === 'CLOSE_NOTICE');
      if (close && run.noticeEndsAt) out.timerLagMs.push(Date.parse(close.at) - run.noticeEndsAt);
      const verify = await api.call<{ valid: boolean }>('verify', 'GET', `/cases/${run.id}/verify`, { token });
      if (!verify.valid) out.invalidChain.push(`${run.id}: ${JSON.stringify(verify)}`);
      const project = await api.call<{ status: string; year: number }>('project', 'GET', `/projects/${run.projectId}`, { token });
      if (project.status !== 'in_library') out.notInLibrary.push(`${run.projectId}: ${project.status}`);
    } catch (err) {
      out.badHistory.push(`${run.id}: ${(err as Error).message}`);
    }
  });
  return out;
}
