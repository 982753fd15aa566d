/** The two requests every bench driver makes on a case: upload its evidence, send an event. */
import { randomUUID } from 'node:crypto';
import type { Api } from './http';
import { CheckFailed } from './parking';
import type { Recorder } from './stats';
import { pdf } from './workload';

export type CaseView = { id: string; version: number; state: string; subject: { id: string }; notice: { endsAt: string } | null; data?: any };

export async function uploadToCase(api: Api, token: string, caseId: string, type: string): Promise<string> {
  const form = new FormData();
  form.append('type', type);
  form.append('caseId', caseId);
  form.append('file', pdf(`${caseId} ${type} ${randomUUID()}`), `${type}.pdf`);
  return (await api.call<{ id: string }>('upload', 'POST', '/evidence', { token, form })).id;
}

/** Sends an event at the run's version, keeps the new version, and fails on an unexpected state. */
export async function sendToCase(
  api: Api,
  recorder: Recorder,
  args: { token: string; run: { id?: string; version?: number }; label: string; kind: string; body: { type: string; evidenceIds?: string[]; data?: unknown }; expectState: string },
): Promise<CaseView> {
  const { run, label, body } = args;
  const view = await api.call<CaseView>(label, 'POST', `/cases/${run.id}/events`, {
    token: args.token,
    headers: { 'Idempotency-Key': randomUUID() },
    json: { ...body, version: run.version },
    expect: 200,
  });
  run.version = view.version;
  if (view.state !== args.expectState) {
    recorder.error({ label, status: 'unexpected-state', request: `POST /cases/${run.id}/events`, requestBody: body, response: JSON.stringify(view).slice(0, 2000) });
    throw new CheckFailed(`${args.kind} case ${run.id}: ${label} left it in ${view.state}, expected ${args.expectState}`);
  }
  return view;
}
