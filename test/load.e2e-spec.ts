/**
 * Issue 10: the service never hangs. More concurrent clients than the pool has connections
 * (a pool of 2 against 50 requests; 256 clients against the default pool): every request is
 * answered within 10 s — served, refused for a reason (409), or 503 SERVICE_BUSY with
 * Retry-After — never a 500, and nothing acknowledged is lost. Real HTTP on loopback, real
 * database (PostgreSQL in CI, and the embedded SQLite default).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { checkCharacter } from '../src/common/domain/id-number';
import { NestedConnectionError, UnitOfWork } from '../src/database/unit-of-work';
import { PoliciesService } from '../src/modules/policies/policies.service';
import { startApp, target, type TestEnv } from './support/harness';
import { expectOk, HUOZHUANG, pdf, upload, VILLAGE, verificationData } from './support/flows';

const ANSWER_WITHIN_MS = 10_000;
const CJK = /[\u4e00-\u9fff]/;

interface Answer {
  label: string;
  status: number;
  ms: number;
  body: any;
  retryAfter: string | null;
}

/** One request over real HTTP, with a hard client-side limit well above the 10 s bound. */
async function call(base: string, label: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 5_000),
    });
    const text = await res.text();
    return { label, status: res.status, ms: Date.now() - started, body: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return { label, status: 0, ms: Date.now() - started, body: { error: (err as Error).message }, retryAfter: null };
  }
}

/** A valid, run-unique 居民身份证号 (male) of 建安区 for index i. */
let idBase = Math.floor(Math.random() * 5000);
function idNumber(): { idNumber: string; birthDate: string } {
  idBase += 1;
  const birth = new Date(Date.UTC(1950, 0, 1) + idBase * 86_400_000);
  const birthDate = birth.toISOString().slice(0, 10);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(701 + 2 * (idBase % 100)).padStart(3, '0')}`;
  return { idNumber: first17 + checkCharacter(first17), birthDate };
}

function householdBody(name: string) {
  const id = idNumber();
  return {
    areaCode: HUOZHUANG,
    householderName: name,
    address: `许昌市建安区灵井镇霍庄村负载组${name}`,
    isFormerlyPoor: false,
    members: [{ name, idNumber: id.idNumber, relation: '户主', gender: 'male', birthDate: id.birthDate, laborAbility: 'weak', employment: 'local', disability: null }],
  };
}

/** `$1, $2, …` on PostgreSQL, `?, ?, …` on SQLite. */
const params = (n: number) => Array.from({ length: n }, (_, i) => (target === 'postgres' ? `$${i + 1}` : '?')).join(',');

const leadBody = (householdId: string) => ({ householdId, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元', urgent: true });

/** Every answer in time, and each one served, refused with 409, or a well-formed 503. */
function expectBounded(answers: Answer[]): void {
  const late = answers.filter((a) => a.status === 0 || a.ms > ANSWER_WITHIN_MS);
  expect(late.map((a) => `${a.label}: ${a.status} after ${a.ms} ms`)).toEqual([]);
  const bad = answers.filter((a) => !(a.status < 300 || a.status === 409 || a.status === 503));
  expect(bad.map((a) => `${a.label}: ${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  for (const a of answers.filter((x) => x.status === 503)) {
    expect(a.body.code).toBe('SERVICE_BUSY');
    expect(a.body.message).toMatch(CJK);
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }
}

async function listen(env: TestEnv): Promise<string> {
  await env.app.listen(0, '127.0.0.1');
  const { port } = env.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Retries a request answered 503 until it is served (the service recovers by itself). */
async function untilServed(make: () => Promise<Answer>, tries = 20): Promise<Answer> {
  for (let i = 0; ; i++) {
    const a = await make();
    if (a.status !== 503 || i >= tries) return a;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe(`load: bounded answers under more clients than connections (${target})`, () => {
  describe('a starved pool (2 connections, 50 concurrent events and creations)', () => {
    let env: TestEnv;
    let base: string;
    beforeAll(async () => {
      env = await startApp({ env: { DB_POOL_SIZE: '2', DB_ACQUIRE_TIMEOUT_MS: '1000' } });
      base = await listen(env);
    });
    afterAll(() => env?.close());

    it('answers every request within 10 s with 2xx, 409 or 503 + Retry-After, then serves normally, losing nothing', async () => {
      const token = await env.token(VILLAGE);
      // setup (not concurrent): 25 leads with their verification evidence, 25 households without a case
      const leads: Array<{ id: string; version: number; evidence: string[] }> = [];
      for (let i = 0; i < 25; i++) {
        const h = await expectOk(await env.http().post('/households').set('Authorization', `Bearer ${token}`).send(householdBody(`池甲${i}`)), 201);
        const c = await expectOk(await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${token}`).send(leadBody(h.id)), 201);
        const evidence = [
          (await upload(env, VILLAGE, 'household_survey', { caseId: c.id, file: pdf() })).id,
          (await upload(env, VILLAGE, 'income_calculation', { caseId: c.id, file: pdf() })).id,
        ];
        leads.push({ id: c.id, version: c.version, evidence });
      }
      const fresh: string[] = [];
      for (let i = 0; i < 25; i++) {
        fresh.push((await expectOk(await env.http().post('/households').set('Authorization', `Bearer ${token}`).send(householdBody(`池乙${i}`)), 201)).id);
      }

      const keys = leads.map(() => randomUUID());
      const event = (i: number) =>
        call(base, `event ${i}`, token, 'POST', `/cases/${leads[i].id}/events`,
          { type: 'RECORD_VERIFICATION', version: leads[i].version, evidenceIds: leads[i].evidence, data: verificationData() },
          { 'Idempotency-Key': keys[i] });
      const create = (i: number) => call(base, `create ${i}`, token, 'POST', '/procedures/monitoring-inclusion/cases', leadBody(fresh[i]));
      const answers = await Promise.all([...leads.map((_, i) => event(i)), ...fresh.map((_, i) => create(i))]);
      expectBounded(answers);

      // then the service serves normally: what was refused for load goes through on retry
      const health = await call(base, 'health', token, 'GET', '/health');
      expect(health.status).toBe(200);
      for (let i = 0; i < leads.length; i++) {
        if (answers[i].status === 503) expect((await untilServed(() => event(i))).status).toBe(200);
      }
      for (let i = 0; i < fresh.length; i++) {
        if (answers[leads.length + i].status === 503) expect((await untilServed(() => create(i))).status).toBe(201);
      }
      // nothing lost, nothing doubled: every lead verified once, every household has its one case
      for (const lead of leads) {
        const view = await expectOk(await env.http().get(`/cases/${lead.id}`).set('Authorization', `Bearer ${token}`));
        expect(view.state).toBe('village_appraisal');
        expect(view.version).toBe(2);
        const verify = await expectOk(await env.http().get(`/cases/${lead.id}/verify`).set('Authorization', `Bearer ${await env.token('c_jianan')}`));
        expect(verify).toMatchObject({ valid: true, entries: 2 });
      }
      const open = await env.ds.query(
        `SELECT count(*) AS n FROM cases WHERE procedure = 'monitoring-inclusion' AND "subjectId" IN (${params(fresh.length)})`,
        fresh,
      );
      expect(Number(open[0].n)).toBe(fresh.length);
    });
  });

  describe('queries inside a transaction', () => {
    let env: TestEnv;
    beforeAll(async () => {
      env = await startApp({ seedDemo: false, env: { DB_POOL_SIZE: '2' } });
    });
    afterAll(() => env?.close());

    it('go through the transaction: a service called inside one uses its connection, even with every other connection taken', async () => {
      const uow = env.app.get(UnitOfWork);
      const policies = env.app.get(PoliciesService);
      // both transactions hold a connection of the pool of 2 while asking for policies
      const both = await Promise.all(
        [0, 1].map(() =>
          uow.transaction(async (em) => {
            await em.query('SELECT 1');
            await new Promise((r) => setTimeout(r, 100));
            expect(uow.manager).toBe(em);
            return (await policies.effective('411003000000')).version;
          }),
        ),
      );
      expect(both[0]).toMatch(/^000000000000#1/);
      expect(uow.inTransaction).toBe(false);
    });

    it('refuse a second pooled connection at once instead of waiting for it (the freeze of issue 10)', async () => {
      const uow = env.app.get(UnitOfWork);
      const started = Date.now();
      const attempt = uow.transaction(() => uow.dataSource.manager.query('SELECT 1'));
      if (target === 'postgres') {
        await expect(attempt).rejects.toBeInstanceOf(NestedConnectionError);
        expect(Date.now() - started).toBeLessThan(1_000);
      } else {
        // SQLite has one connection: the query runs on it, inside the transaction
        await expect(attempt).resolves.toBeDefined();
      }
    });
  });

  describe('256 concurrent clients on the default pool', () => {
    let env: TestEnv;
    let base: string;
    beforeAll(async () => {
      env = await startApp();
      base = await listen(env);
    });
    afterAll(() => env?.close());

    it('answers each within 10 s (served or 503 + Retry-After), no 500, and every acknowledged write is stored', async () => {
      const token = await env.token(VILLAGE);
      const clients = 256;
      // each client registers a household and opens its lead at the same moment as the others
      const first = await Promise.all(
        Array.from({ length: clients }, (_, i) => call(base, `household ${i}`, token, 'POST', '/households', householdBody(`负载${i}`))),
      );
      expectBounded(first);
      const households = await Promise.all(
        first.map(async (a, i) => (a.status === 503 ? await untilServed(() => call(base, `household ${i}`, token, 'POST', '/households', householdBody(`负载重试${i}`))) : a)),
      );
      expect(households.filter((a) => a.status !== 201).map((a) => `${a.label}: ${a.status}`)).toEqual([]);

      const leads = await Promise.all(
        households.map((h, i) => call(base, `lead ${i}`, token, 'POST', '/procedures/monitoring-inclusion/cases', leadBody(h.body.id))),
      );
      const reads = await Promise.all(Array.from({ length: clients }, (_, i) => call(base, `tasks ${i}`, token, 'GET', '/tasks')));
      expectBounded([...leads, ...reads]);

      const done = await Promise.all(
        leads.map((a, i) => (a.status === 503 ? untilServed(() => call(base, `lead ${i}`, token, 'POST', '/procedures/monitoring-inclusion/cases', leadBody(households[i].body.id))) : a)),
      );
      expect(done.filter((a) => a.status !== 201).map((a) => `${a.label}: ${a.status}`)).toEqual([]);
      // every acknowledged case is stored with its first audit entry
      const ids = done.map((a) => a.body.id as string);
      const stored = await env.ds.query(
        `SELECT count(DISTINCT c.id) AS n FROM cases c JOIN audit_entries a ON a."caseId" = c.id AND a.seq = 1 WHERE c.id IN (${params(ids.length)})`,
        ids,
      );
      expect(Number(stored[0].n)).toBe(clients);
    });
  });
});
