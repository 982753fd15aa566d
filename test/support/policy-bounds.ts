/**
 * Issue 12: policy values outside the national bounds (a notice period of seconds, a
 * concentration alert switched off, …) are refused, at every level. A spec that needs such
 * values lowers the national bounds first, explicitly, as the global admin and with a reason
 * (PUT /policies/bounds, written to the policy ledger) — as the operator of a test
 * environment would — and only then sets the values.
 */
import type { TestEnv } from './harness';

export type BoundChanges = Record<string, Record<string, unknown>>;

/** Changes the national bounds of the given keys (fields not given keep their value). */
export async function widenPolicyBounds(env: TestEnv, bounds: BoundChanges, reason: string) {
  const res = await env
    .http()
    .put('/policies/bounds')
    .set('Authorization', `Bearer ${await env.token('admin')}`)
    .send({ reason, bounds });
  if (res.status !== 201) throw new Error(`PUT /policies/bounds: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A floor of one second for each duration key: the tests' notice periods and waits run in seconds. */
export const secondsFloor = (...keys: string[]): BoundChanges => Object.fromEntries(keys.map((k) => [k, { min: 'PT1S' }]));
