/**
 * The load phase of `npm run bench`: C clients (default 256) at once, each registering a
 * household, opening its lead and reading its case — more clients than the pool has
 * connections. Every request must be answered within 10 s: served, or 503 SERVICE_BUSY with
 * Retry-After (then retried after that many seconds); never a 500 or a hang; and every
 * acknowledged lead must be stored.
 */
import type { Recorder } from './stats';
import { householdBody, VILLAGE, type Tokens } from './workload';

const INDEX_BASE = 100_000;
export const ANSWER_WITHIN_MS = 10_000;

export interface LoadResult {
  clients: number;
  requests: number;
  served: number;
  busy: number;
  busyWithoutRetryAfter: number;
  otherErrors: string[];
  late: number;
  maxMs: number;
  leadsAcknowledged: number;
  leadsStored: number;
  startedAt: number;
  endedAt: number;
}

export async function runLoad(baseUrl: string, recorder: Recorder, tokens: Tokens, clients: number, stop: AbortSignal): Promise<LoadResult> {
  const result: LoadResult = {
    clients, requests: 0, served: 0, busy: 0, busyWithoutRetryAfter: 0, otherErrors: [], late: 0, maxMs: 0,
    leadsAcknowledged: 0, leadsStored: 0, startedAt: Date.now(), endedAt: 0,
  };
  const token = tokens[VILLAGE];
  /** one request, retried after Retry-After while the service says it is busy */
  const call = async (label: string, method: string, path: string, json?: unknown): Promise<any> => {
    for (let attempt = 0; attempt < 10 && !stop.aborted; attempt++) {
      const started = performance.now();
      let status = 0;
      let text = '';
      let retryAfter: string | null = null;
      try {
        const res = await fetch(baseUrl + path, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
          body: json ? JSON.stringify(json) : undefined,
          signal: AbortSignal.any([stop, AbortSignal.timeout(ANSWER_WITHIN_MS + 5_000)]),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (err) {
        text = (err as Error).message;
      }
      const ms = performance.now() - started;
      result.requests += 1;
      result.maxMs = Math.max(result.maxMs, ms);
      if (ms > ANSWER_WITHIN_MS || status === 0) result.late += 1;
      if (status === 503) {
        result.busy += 1;
        if (!(Number(retryAfter) > 0)) result.busyWithoutRetryAfter += 1;
        recorder.ok(`load:${label}:503`, ms);
        await new Promise((r) => setTimeout(r, Number(retryAfter ?? 1) * 1000));
        continue;
      }
      if (status >= 200 && status < 300) {
        result.served += 1;
        recorder.ok(`load:${label}`, ms);
        return JSON.parse(text);
      }
      result.otherErrors.push(`${label} ${status}: ${text.slice(0, 200)}`);
      return null;
    }
    return null;
  };
  const leads: string[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const h = await call('household', 'POST', '/households', householdBody(INDEX_BASE + i));
      if (!h) return;
      const lead = await call('lead', 'POST', '/procedures/monitoring-inclusion/cases', {
        householdId: h.id, channel: 'self_report', riskDescription: '负载测试：户主务工受伤，收入骤减', urgent: false,
      });
      if (!lead) return;
      leads.push(lead.id);
      await call('read', 'GET', `/cases/${lead.id}`);
    }),
  );
  result.endedAt = Date.now();
  result.leadsAcknowledged = leads.length;
  // nothing lost: every acknowledged lead is there (not measured)
  for (const id of leads) {
    const res = await fetch(`${baseUrl}/cases/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.status === 200) result.leadsStored += 1;
  }
  return result;
}
