/**
 * Phase 3b: project implementation and funds (issue 15), as docs/project-implementation.md and
 * test/project-implementation.e2e-spec.ts do it, on the library projects the project-intake
 * phase produced. Setup (not measured): the county puts each project in the 2026 plan. Then
 * each project is driven by one of C clients through
 *
 *   CREATE implementation (village), contract + start report + RECORD_CONTRACT (village),
 *   advance payment 30%: CREATE payment, invoice + SUBMIT (village), APPROVE (county finance),
 *   progress photo + REPORT_PROGRESS 80% (township),
 *   progress payment 50%: CREATE, invoice + SUBMIT, APPROVE (80% paid at 80% progress, at the SF-23 limit:
 *   max(advance ratio, progress) × contract, the advance recovered as the work proceeds),
 *   progress photo + REPORT_PROGRESS 100% (township).
 *
 * No timer and no notice in this phase, so no policy bound needs lowering for it. Every request
 * answers at once; throughput is user-sent transitions per second of the phase's wall time.
 */
import { randomUUID } from 'node:crypto';
import type { Api } from './http';
import { type CaseView, sendToCase, uploadToCase } from './case-calls';
import { PROJECT_YEAR } from './projects';
import type { Recorder } from './stats';
import { COUNTY, pool, TOWNSHIP, type Tokens, VILLAGE } from './workload';

export const IMPLEMENTATION_LABELS = ['CREATE@implementation', 'RECORD_CONTRACT', 'CREATE@payment', 'SUBMIT@payment', 'APPROVE@payment', 'REPORT_PROGRESS', 'upload'] as const;
export const IMPLEMENTATION_TRANSITIONS = ['CREATE@implementation', 'RECORD_CONTRACT', 'CREATE@payment', 'SUBMIT@payment', 'APPROVE@payment', 'REPORT_PROGRESS'];
export const IMPLEMENTATION_HISTORY = ['CREATE', 'RECORD_CONTRACT', 'REPORT_PROGRESS', 'REPORT_PROGRESS'];
export const CONTRACT_AMOUNT = 1_000_000;
export const EXPECTED_PAID = 800_000;

const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);

export interface ImplementationRun {
  index: number;
  projectId: string;
  id?: string;
  version?: number;
  contractNo?: string;
  payments: string[];
  finalState?: string;
  startedAt?: number;
  endedAt?: number;
  failed?: string;
}

/** Setup, not measured: the county puts every library project in the year's plan. */
export async function planProjects(api: Api, token: string, runs: ImplementationRun[], concurrency: number, stop: AbortSignal): Promise<void> {
  await pool(runs, concurrency, stop, async (run) => {
    await api.call('plan', 'POST', '/project-plans/entries', {
      token,
      json: { year: PROJECT_YEAR, projectId: run.projectId, funds: [{ source: '中央财政衔接资金', amount: 1_000_000 }, { source: '县级财政衔接资金', amount: 200_000 }] },
    });
  });
}

export class ImplementationDriver {
  constructor(
    private readonly api: Api,
    private readonly recorder: Recorder,
    private readonly tokens: Tokens,
    private readonly stop: AbortSignal,
    private readonly opts: { concurrency: number },
  ) {}

  async drive(runs: ImplementationRun[]): Promise<{ startedAt: number; endedAt: number }> {
    const startedAt = Date.now();
    await pool(runs, this.opts.concurrency, this.stop, async (run) => {
      run.startedAt = Date.now();
      try {
        await this.one(run);
      } catch (err) {
        run.failed = `implementation of project ${run.projectId}: ${(err as Error).message}`;
      }
      run.endedAt = Date.now();
    });
    return { startedAt, endedAt: Date.now() };
  }

  private send(run: { id?: string; version?: number }, label: string, user: string, body: { type: string; evidenceIds?: string[]; data?: unknown }, expectState: string) {
    return sendToCase(this.api, this.recorder, { token: this.tokens[user], run, label, kind: 'implementation', body, expectState });
  }

  private async pay(run: ImplementationRun, kind: string, amount: number): Promise<void> {
    const created = await this.api.call<CaseView>('CREATE@payment', 'POST', '/procedures/project-payment/cases', {
      token: this.tokens[VILLAGE],
      json: { projectId: run.projectId, kind, amount, invoiceNo: `INV-${randomUUID()}`, contractRef: run.contractNo, purpose: '支付工程款（压测）' },
    });
    const p = { id: created.id, version: created.version };
    const invoice = await uploadToCase(this.api, this.tokens[VILLAGE], p.id, 'invoice');
    await this.send(p, 'SUBMIT@payment', VILLAGE, { type: 'SUBMIT', evidenceIds: [invoice] }, 'finance_review');
    await this.send(p, 'APPROVE@payment', COUNTY, { type: 'APPROVE', data: { opinion: '票据齐全，同意拨付' } }, 'paid');
    run.payments.push(p.id);
  }

  private async one(run: ImplementationRun): Promise<void> {
    const created = await this.api.call<CaseView>('CREATE@implementation', 'POST', '/procedures/project-implementation/cases', { token: this.tokens[VILLAGE], json: { projectId: run.projectId } });
    run.id = created.id;
    run.version = created.version;
    run.contractNo = `JA-BENCH-${run.index + 1}`;
    const evidence = [await uploadToCase(this.api, this.tokens[VILLAGE], run.id, 'contract'), await uploadToCase(this.api, this.tokens[VILLAGE], run.id, 'start_report')];
    await this.send(run, 'RECORD_CONTRACT', VILLAGE, {
      type: 'RECORD_CONTRACT',
      evidenceIds: evidence,
      data: { contractNo: run.contractNo, contractor: '许昌建安建筑工程有限公司', contractAmount: CONTRACT_AMOUNT, signedOn: day(-40), startedOn: day(-38), plannedEnd: day(60) },
    }, 'in_progress');
    await this.pay(run, 'advance', CONTRACT_AMOUNT * 3 / 10);
    const photo1 = await uploadToCase(this.api, this.tokens[TOWNSHIP], run.id, 'progress_photo');
    await this.send(run, 'REPORT_PROGRESS', TOWNSHIP, { type: 'REPORT_PROGRESS', evidenceIds: [photo1], data: { percent: 80, date: day(-20) } }, 'in_progress');
    await this.pay(run, 'progress', CONTRACT_AMOUNT * 5 / 10);
    const photo2 = await uploadToCase(this.api, this.tokens[TOWNSHIP], run.id, 'progress_photo');
    const last = await this.send(run, 'REPORT_PROGRESS', TOWNSHIP, { type: 'REPORT_PROGRESS', evidenceIds: [photo2], data: { percent: 100, date: day(-1) } }, 'in_progress');
    run.finalState = last.state;
  }
}

export interface ImplementationChecks {
  badHistory: string[];
  invalidChain: string[];
  /** projects whose implementation figures are not what the run paid and reported */
  badFigures: string[];
}

/** Not measured: histories, audit chains (implementation and payment cases), the project's figures. */
export async function checkImplementation(api: Api, token: string, runs: ImplementationRun[], concurrency: number, stop: AbortSignal): Promise<ImplementationChecks> {
  const out: ImplementationChecks = { badHistory: [], invalidChain: [], badFigures: [] };
  await pool(runs.filter((r) => r.finalState === 'in_progress'), concurrency, stop, async (run) => {
    try {
      const history = await api.call<Array<{ event: string }>>('history', 'GET', `/cases/${run.id}/history`, { token });
      const events = history.map((h) => h.event);
      if (events.join() !== IMPLEMENTATION_HISTORY.join()) out.badHistory.push(`${run.id}: ${events.join(' → ')}`);
      for (const id of [run.id!, ...run.payments]) {
        const verify = await api.call<{ valid: boolean }>('verify', 'GET', `/cases/${id}/verify`, { token });
        if (!verify.valid) out.invalidChain.push(`${id}: ${JSON.stringify(verify)}`);
      }
      const view = await api.call<{ implementation: { paid: number; progressPercent: number; contracted: number } }>('project', 'GET', `/project-implementations/${run.projectId}`, { token });
      const f = view.implementation;
      if (f.paid !== EXPECTED_PAID || f.progressPercent !== 100 || f.contracted !== CONTRACT_AMOUNT) out.badFigures.push(`${run.projectId}: ${JSON.stringify(f)}`);
    } catch (err) {
      out.badHistory.push(`${run.id}: ${(err as Error).message}`);
    }
  });
  return out;
}
