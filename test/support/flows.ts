/** Building blocks for e2e specs: uploads, events, and a monitoring-inclusion case at any step. */
import { randomUUID } from 'node:crypto';
import type { TestEnv } from './harness';
import { secondsFloor, widenPolicyBounds } from './policy-bounds';
import { checkCharacter } from '../../src/common/domain/id-number';

export const VILLAGE = 'v_huozhuang';
export const TOWNSHIP = 't_lingjing';
export const TOWNSHIP2 = 't_lingjing2';
export const COUNTY = 'c_jianan';
export const COUNTY2 = 'c_jianan2';
export const OTHER_VILLAGE = 'v_zhangzhuang';
export const OTHER_TOWNSHIP = 't_zhenjian';
export const HUOZHUANG = '411003100201';

/** A minimal but real PDF: its kind is recognised from its bytes. */
export function pdf(label: string = randomUUID()): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

export async function upload(env: TestEnv, user: string, type: string, opts: { caseId?: string; batchId?: string; file?: Buffer; name?: string } = {}) {
  const req = env
    .http()
    .post('/evidence')
    .set('Authorization', `Bearer ${await env.token(user)}`)
    .field('type', type);
  if (opts.caseId) req.field('caseId', opts.caseId);
  if (opts.batchId) req.field('batchId', opts.batchId);
  const res = await req.attach('file', opts.file ?? pdf(), opts.name ?? `${type}.pdf`);
  if (res.status !== 201) throw new Error(`upload ${type}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; sha256: string; type: string };
}

export async function uploadAll(env: TestEnv, user: string, caseId: string, types: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of types) ids.push((await upload(env, user, t, { caseId })).id);
  return ids;
}

export interface EventBody {
  type: string;
  version?: number;
  evidenceIds?: string[];
  data?: Record<string, unknown>;
  reason?: string;
}

export async function getCase(env: TestEnv, user: string, id: string) {
  return env.http().get(`/cases/${id}`).set('Authorization', `Bearer ${await env.token(user)}`);
}

/** Sends an event; the version defaults to the case's current one. */
export async function send(env: TestEnv, user: string, caseId: string, body: EventBody, key: string = randomUUID()) {
  const version = body.version ?? (await getCase(env, user, caseId)).body.version;
  return env
    .http()
    .post(`/cases/${caseId}/events`)
    .set('Authorization', `Bearer ${await env.token(user)}`)
    .set('Idempotency-Key', key)
    .send({ ...body, version });
}

export async function expectOk(res: { status: number; body: unknown }, status = 200) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as any;
}

/** A seeded household by its householder's name (see seeds/demo-data.ts). */
export async function household(env: TestEnv, householderName = '王建国'): Promise<string> {
  const token = await env.token('c_jianan');
  const res = await env.http().get(`/households?q=${encodeURIComponent(householderName)}`).set('Authorization', `Bearer ${token}`);
  const items = (await expectOk(res)).items as Array<{ id: string; householderName: string }>;
  const found = items.find((h) => h.householderName === householderName);
  if (!found) throw new Error(`no seeded household of ${householderName}`);
  return found.id;
}

/**
 * A verification of 12,000 yuan of household income (4,000 per person in the three-member seeded
 * household of 王建国). SF-05: the member count is the registry's, never sent; income is sent as
 * lines by category. These generic flows do not know the household's member ids, so they send
 * only household-level categories (生产经营性净收入 and other transfers: wages must name a
 * registry member and an employer, see test/income-per-member.e2e-spec.ts); pass `wage` to add a
 * wage line for a member.
 */
export const verificationData = (
  conclusion: 'include' | 'exclude' = 'include',
  wage?: { memberId: string; amount: number; employer?: string; workplace?: string },
) => ({
  conclusion,
  income: {
    periodStart: '2025-10-01',
    periodEnd: '2026-09-30',
    lines: [
      ...(wage ? [{ category: 'wage', ...wage }] : []),
      { category: 'business_net', amount: wage ? 8000 - wage.amount : 8000, note: '种植小麦、玉米' },
      { category: 'transfer', amount: 4000, note: '养老金、低保' },
    ],
  },
  rigidExpenditure: { medical: 38000, education: 2000 },
  guarantees: { education: true, medical: false, housing: true, water: true },
  riskTypes: ['illness'],
  monitoringType: 'sudden_hardship',
});

export const approvalData = {
  monitoringType: 'sudden_hardship',
  riskTypes: ['illness'],
  startDate: '2026-11-01',
  assistanceContact: { name: '孙立新', unit: '建安区乡村振兴局', phone: '13903740000' },
};

export type InclusionStep = 'lead' | 'village_appraisal' | 'public_notice' | 'published' | 'township_review' | 'county_approval' | 'included';

/** Opens an inclusion case and drives it to the given step with the demo users. */
export async function inclusionCase(env: TestEnv, step: InclusionStep, opts: { householdId?: string; channel?: string } = {}) {
  const householdId = opts.householdId ?? (await household(env));
  const created = await expectOk(
    await env
      .http()
      .post('/procedures/monitoring-inclusion/cases')
      .set('Authorization', `Bearer ${await env.token(VILLAGE)}`)
      .send({ householdId, channel: opts.channel ?? 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true }),
    201,
  );
  const id: string = created.id;
  const order: InclusionStep[] = ['lead', 'village_appraisal', 'public_notice', 'published', 'township_review', 'county_approval', 'included'];
  const upTo = (s: InclusionStep) => order.indexOf(step) >= order.indexOf(s);
  if (upTo('village_appraisal')) {
    const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
    await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: verificationData() }));
  }
  if (upTo('public_notice')) {
    const ev = await uploadAll(env, VILLAGE, id, ['meeting_minutes', 'sign_in_sheet']);
    await expectOk(await send(env, VILLAGE, id, { type: 'RECORD_APPRAISAL', evidenceIds: ev, data: { result: 'passed' } }));
  }
  if (upTo('published')) {
    const ev = await uploadAll(env, VILLAGE, id, ['notice_photo']);
    await expectOk(await send(env, VILLAGE, id, { type: 'PUBLISH_NOTICE', evidenceIds: ev, data: { text: '霍庄村拟纳入防止返贫监测对象名单公示：王建国户' } }));
  }
  if (upTo('township_review')) {
    // the notice period is over: let the timer do it, or move time by shortening the policy
    await waitForState(env, VILLAGE, id, 'township_review');
  }
  if (upTo('county_approval')) {
    await expectOk(await send(env, TOWNSHIP, id, { type: 'APPROVE', data: { opinion: '经审核情况属实，同意上报' } }));
  }
  if (upTo('included')) {
    await expectOk(await send(env, COUNTY, id, { type: 'APPROVE', data: approvalData }));
  }
  return { id, householdId };
}

export async function waitForState(env: TestEnv, user: string, id: string, state: string, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    const res = await getCase(env, user, id);
    last = res.body.state;
    if (last === state) return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`case ${id} stayed in ${last}, expected ${state}`);
}

/**
 * Shortens the inclusion notice period for the demo county, effective now. A notice of
 * seconds is below the national floor (P3D), so the national bound is lowered first, through
 * the admin endpoint with a reason (issue 12).
 */
export async function shortNotice(env: TestEnv, period = 'PT2S') {
  await widenPolicyBounds(env, secondsFloor('inclusion.noticePeriod'), '测试环境：纳入公示期缩短到秒级，以便在测试中等待公示期满');
  const res = await env
    .http()
    .put('/policies/411003000000')
    .set('Authorization', `Bearer ${await env.token('admin')}`)
    .send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'inclusion.noticePeriod': period } });
  await expectOk(res, 201);
}

let registeredHouseholds = 0;

/**
 * Registers a new one-person household (as `v_huozhuang` in 霍庄村 by default), for specs that
 * need more inclusion cases than the seeded households allow (one open case per household).
 * The member's ID number is valid: birth date inside it equals birthDate, odd 17th digit = male.
 */
export async function registerHousehold(
  env: TestEnv,
  opts: { householderName?: string; areaCode?: string; user?: string } = {},
): Promise<string> {
  registeredHouseholds += 1;
  const n = registeredHouseholds;
  const birth = new Date(Date.UTC(1955, 0, 1) + (n * 97 + Math.floor(Math.random() * 90)) * 86400_000);
  const birthDate = birth.toISOString().slice(0, 10);
  const order = 501 + 2 * ((n * 7 + Math.floor(Math.random() * 200)) % 249); // odd: male
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  const name = opts.householderName ?? `测试户${n}`;
  const res = await env
    .http()
    .post('/households')
    .set('Authorization', `Bearer ${await env.token(opts.user ?? VILLAGE)}`)
    .send({
      areaCode: opts.areaCode ?? HUOZHUANG,
      householderName: name,
      address: `许昌市建安区灵井镇霍庄村测试组${n}号`,
      isFormerlyPoor: false,
      members: [
        {
          name,
          idNumber: first17 + checkCharacter(first17),
          relation: '户主',
          gender: 'male',
          birthDate,
          laborAbility: 'weak',
          employment: 'local',
          disability: null,
        },
      ],
    });
  return (await expectOk(res, 201)).id as string;
}
