/** Building blocks for the risk-elimination e2e spec: monitoring objects ready to propose, batches, batch events. */
import { randomUUID } from 'node:crypto';
import { beijingDate } from '../../src/machines/record-date';
import type { TestEnv } from './harness';
import { COUNTY, expectOk, HUOZHUANG, inclusionCase, send, TOWNSHIP, upload, VILLAGE, waitForState } from './flows';
import { freshIdNumber } from './households';

export const COUNTY_CODE = '411003000000';
export const SUPERVISOR = 's_jianan';

/** Today in China (the service counts stated dates in Asia/Shanghai). */
export const today = () => beijingDate(new Date());
/** The day `n` days before today in China (negative: after). */
export const daysAgo = (n: number) => beijingDate(new Date(Date.now() - n * 86400_000));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function auth(env: TestEnv, user: string) {
  return `Bearer ${await env.token(user)}`;
}

/** Changes the demo county's policy, effective 1 s ago (a new version carries earlier values forward). */
export async function setPolicy(env: TestEnv, values: Record<string, unknown>) {
  const res = await env
    .http()
    .put(`/policies/${COUNTY_CODE}`)
    .set('Authorization', await auth(env, 'admin'))
    .send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values });
  await expectOk(res, 201);
}

let households = 0;

/** A one-person household of 霍庄村 whose member has the given labour capacity. */
export async function createHousehold(env: TestEnv, opts: { laborAbility?: 'full' | 'weak' | 'semi' | 'none'; name?: string } = {}) {
  households++;
  const name = opts.name ?? `消除测试户${households}`;
  const birthDate = `19${55 + (households % 30)}-0${1 + (households % 9)}-1${households % 10}`;
  const res = await env
    .http()
    .post('/households')
    .set('Authorization', await auth(env, VILLAGE))
    .send({
      areaCode: HUOZHUANG,
      householderName: name,
      address: `许昌市建安区灵井镇霍庄村消除组${households}号`,
      isFormerlyPoor: false,
      members: [
        { name, idNumber: freshIdNumber(birthDate), relation: '户主', gender: 'male', birthDate, laborAbility: opts.laborAbility ?? 'weak', employment: 'local' },
      ],
    });
  return (await expectOk(res, 201)).id as string;
}

export async function monitoringObjectView(env: TestEnv, moId: string, user = COUNTY) {
  return expectOk(await env.http().get(`/monitoring-objects/${moId}`).set('Authorization', await auth(env, user)));
}

/** A household driven through inclusion to a monitoring object (risk: illness, start 2026-11-01). */
export async function monitoringObject(env: TestEnv, opts: { laborAbility?: 'full' | 'weak' | 'semi' | 'none' } = {}) {
  const householdId = await createHousehold(env, opts);
  const { id: inclusionCaseId } = await inclusionCase(env, 'included', { householdId });
  const list = await expectOk(
    await env.http().get(`/monitoring-objects?areaCode=${HUOZHUANG}&pageSize=200`).set('Authorization', await auth(env, COUNTY)),
  );
  const mo = list.items.find((o: any) => o.householdId === householdId);
  if (!mo) throw new Error(`no monitoring object for household ${householdId}`);
  return { householdId, inclusionCaseId, moId: mo.id as string };
}

export async function addMeasure(env: TestEnv, moId: string, opts: { type?: string; riskTypes?: string[]; date?: string } = {}) {
  const res = await env
    .http()
    .post(`/monitoring-objects/${moId}/measures`)
    .set('Authorization', await auth(env, VILLAGE))
    .send({ type: opts.type ?? 'health', description: '落实大病救助和慢病签约服务，报销医疗费用3.2万元', date: opts.date ?? today(), riskTypes: opts.riskTypes ?? ['illness'] });
  return (await expectOk(res, 201)) as { id: string; type: string };
}

type Guarantees = { education: boolean; medical: boolean; housing: boolean; water: boolean };
export const SECURE: Guarantees = { education: true, medical: true, housing: true, water: true };

/**
 * An income survey giving the given per-capita net income to a household of `members` registry
 * members (createHousehold's are one-person households). SF-05: the count is the registry's,
 * never sent; the income is one household-level line of 生产经营性净收入 (a wage line would have
 * to name a registry member able to work and an employer; see test/income-per-member.e2e-spec.ts).
 */
export function incomeSurvey(perCapita = 10000, guarantees: Guarantees = SECURE, members = 1) {
  return {
    income: { periodStart: '2025-11-01', periodEnd: '2026-10-31', lines: [{ category: 'business_net', amount: perCapita * members, note: '种植、养殖' }] },
    rigidExpenditure: { medical: 0, education: 0 },
    guarantees,
  };
}

/** A monitoring visit's income record (above the line by default). */
export async function addIncome(env: TestEnv, moId: string, perCapita = 10000, guarantees: Guarantees = SECURE) {
  const res = await env
    .http()
    .post(`/monitoring-objects/${moId}/income-records`)
    .set('Authorization', await auth(env, VILLAGE))
    .send(incomeSurvey(perCapita, guarantees));
  return expectOk(res, 201);
}

/** A monitoring object with a measure for its risk and an income record above the line. */
export async function readyObject(env: TestEnv, opts: { laborAbility?: 'full' | 'weak' | 'semi' | 'none'; measureType?: string } = {}) {
  const mo = await monitoringObject(env, opts);
  const measure = await addMeasure(env, mo.moId, { type: opts.measureType });
  await addIncome(env, mo.moId);
  return { ...mo, measureId: measure.id };
}

export function verificationData(measureId: string, opts: { perCapita?: number; guarantees?: Guarantees; risks?: unknown[] } = {}) {
  return {
    ...incomeSurvey(opts.perCapita ?? 10000, opts.guarantees ?? SECURE),
    risks: opts.risks ?? [{ riskType: 'illness', resolved: true, measureId, note: '大病救助后医疗负担已化解' }],
  };
}

export async function proposeRaw(env: TestEnv, monitoringObjectIds: string[], opts: { user?: string; areaCode?: string; eliminationType?: string } = {}) {
  return env
    .http()
    .post('/procedures/risk-elimination/batches')
    .set('Authorization', await auth(env, opts.user ?? VILLAGE))
    .send({ areaCode: opts.areaCode ?? HUOZHUANG, monitoringObjectIds, eliminationType: opts.eliminationType ?? 'assisted' });
}

/** Proposes a list; returns the batch id and the case id of each monitoring object. */
export async function propose(env: TestEnv, monitoringObjectIds: string[]) {
  const body = await expectOk(await proposeRaw(env, monitoringObjectIds), 201);
  const caseOf = (moId: string) => {
    const c = body.cases.find((x: any) => x.subject.id === moId);
    if (!c) throw new Error(`no case for ${moId}`);
    return c.id as string;
  };
  return { body, batchId: body.batchId as string, caseOf };
}

export interface BatchBody {
  type: string;
  evidenceIds?: string[];
  data?: Record<string, unknown>;
  reason?: string;
}

export async function batchEvent(env: TestEnv, user: string, batchId: string, body: BatchBody, key: string = randomUUID()) {
  return env.http().post(`/batches/${batchId}/events`).set('Authorization', await auth(env, user)).set('Idempotency-Key', key).send(body);
}

/** A batch event every case of which must succeed. */
export async function batchOk(env: TestEnv, user: string, batchId: string, body: BatchBody) {
  const res = await expectOk(await batchEvent(env, user, batchId, body));
  const failed = res.results.filter((r: any) => !r.ok);
  if (failed.length) throw new Error(`batch ${body.type}: ${JSON.stringify(failed)}`);
  return res as { batchId: string; results: Array<{ caseId: string; ok: boolean; state: string; version: number }> };
}

export const MEETING = ['meeting_minutes', 'meeting_photos', 'sign_in_sheet'];

export async function uploadBatch(env: TestEnv, batchId: string, types: string[], user = VILLAGE) {
  const ids: Record<string, string> = {};
  for (const t of types) ids[t] = (await upload(env, user, t, { batchId })).id;
  return ids;
}

/** SF-07: the village meeting's three documents, then SUBMIT for the whole list. */
export async function submitBatch(env: TestEnv, batchId: string) {
  const ev = await uploadBatch(env, batchId, MEETING);
  return batchOk(env, VILLAGE, batchId, { type: 'SUBMIT', evidenceIds: Object.values(ev) });
}

export async function verifyCase(env: TestEnv, caseId: string, data: Record<string, unknown>, user = VILLAGE) {
  const survey = await upload(env, user, 'household_survey', { caseId });
  const income = await upload(env, user, 'income_calculation', { caseId });
  return send(env, user, caseId, { type: 'RECORD_VERIFICATION', evidenceIds: [survey.id, income.id], data });
}

/** Village appraisal and public notice for the whole batch; the notice is closed by the timer. */
export async function appraiseAndNotice(env: TestEnv, batchId: string, caseIds: string[]) {
  const appraisal = await uploadBatch(env, batchId, ['meeting_minutes', 'sign_in_sheet']);
  await batchOk(env, VILLAGE, batchId, { type: 'RECORD_APPRAISAL', evidenceIds: Object.values(appraisal), data: { result: 'passed' } });
  const photo = await uploadBatch(env, batchId, ['notice_photo']);
  await batchOk(env, VILLAGE, batchId, {
    type: 'PUBLISH_NOTICE',
    evidenceIds: Object.values(photo),
    data: { text: '霍庄村拟风险消除监测对象名单公示，公示期内如有异议请向村委会反映' },
  });
  for (const id of caseIds) await waitForState(env, VILLAGE, id, 'township_review');
}

/** From proposal to county approval: SUBMIT, each case's verification, appraisal, notice, township approval. */
export async function toCountyApproval(env: TestEnv, batchId: string, verifications: Array<{ caseId: string; data: Record<string, unknown> }>) {
  await submitBatch(env, batchId);
  for (const v of verifications) await expectOk(await verifyCase(env, v.caseId, v.data));
  await appraiseAndNotice(env, batchId, verifications.map((v) => v.caseId));
  await batchOk(env, TOWNSHIP, batchId, { type: 'APPROVE', data: { opinion: '经乡镇审核，该户风险已消除，同意上报' } });
}

export async function history(env: TestEnv, caseId: string) {
  return expectOk(await env.http().get(`/cases/${caseId}/history`).set('Authorization', await auth(env, COUNTY)));
}

export async function inspection(env: TestEnv, what: 'concentration' | 'overdue-elimination' | 'stale-monitoring', user = COUNTY, areaCode = COUNTY_CODE) {
  return env.http().get(`/inspection/${what}?areaCode=${areaCode}`).set('Authorization', await auth(env, user));
}
