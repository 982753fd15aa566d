/**
 * The engine phase of `npm run bench`: N monitoring-inclusion leads wait in one state with
 * their evidence uploaded (setup, not measured); then C clients send the one event,
 * RECORD_VERIFICATION, to each — nothing else runs, so transitions/s and the service's CPU per
 * transition are the engine's own.
 */
import { randomUUID } from 'node:crypto';
import { uploadToCase } from './case-calls';
import type { Api } from './http';
import { householdBody, pool, type Tokens, verificationData, VILLAGE } from './workload';

/** household indexes of this phase start here, clear of the inclusion phase's */
const INDEX_BASE = 50_000;

export interface WaitingCase {
  id: string;
  version: number;
  evidenceIds: string[];
  state?: string;
}

export async function prepareWaiting(api: Api, tokens: Tokens, n: number, concurrency: number, stop: AbortSignal): Promise<WaitingCase[]> {
  const out: WaitingCase[] = new Array(n);
  await pool(Array.from({ length: n }, (_, i) => i), concurrency, stop, async (i) => {
    const h = await api.call<{ id: string }>('engine-setup', 'POST', '/households', { token: tokens[VILLAGE], json: householdBody(INDEX_BASE + i) });
    const c = await api.call<{ id: string; version: number }>('engine-setup', 'POST', '/procedures/monitoring-inclusion/cases', {
      token: tokens[VILLAGE],
      json: { householdId: h.id, channel: 'self_report', riskDescription: '压测：户主因病住院，医疗支出较大', urgent: false },
    });
    const evidenceIds = [
      await uploadToCase(api, tokens[VILLAGE], c.id, 'household_survey'),
      await uploadToCase(api, tokens[VILLAGE], c.id, 'income_calculation'),
    ];
    out[i] = { id: c.id, version: c.version, evidenceIds };
  });
  return out;
}

/** Every waiting case gets its one event; returns the wall time of the sending. */
export async function driveOneEvent(api: Api, tokens: Tokens, cases: WaitingCase[], concurrency: number, stop: AbortSignal): Promise<{ startedAt: number; endedAt: number }> {
  const startedAt = Date.now();
  await pool(cases, concurrency, stop, async (c) => {
    const view = await api.call<{ state: string; version: number }>('engine:RECORD_VERIFICATION', 'POST', `/cases/${c.id}/events`, {
      token: tokens[VILLAGE],
      headers: { 'Idempotency-Key': randomUUID() },
      json: { type: 'RECORD_VERIFICATION', version: c.version, evidenceIds: c.evidenceIds, data: verificationData },
      expect: 200,
    }).catch(() => null);
    if (view) c.state = view.state;
  });
  return { startedAt, endedAt: Date.now() };
}
