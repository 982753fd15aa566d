/**
 * Issue 11 (fuzz): every POST/PUT/PATCH endpoint of the API (read from the service's own
 * OpenAPI document, so a new endpoint is fuzzed without anyone remembering to) gets more than
 * 30 malformed bodies — wrong types, huge and deep values, prototype-pollution keys, odd
 * unicode, invalid ids, broken JSON, wrong content types, bad multipart — as each role (admin,
 * village, township, county, department). Every answer must come within 10 s, never be a 5xx, and every refusal must be
 * in the one error shape with a Chinese message.
 */
import { randomUUID } from 'node:crypto';
import { startApp, target, type TestEnv } from './support/harness';
import { pdf } from './support/flows';

const CJK = /[\u4e00-\u9fff]/;

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** [label, content type, raw body] */
const BODIES: Array<[string, string, string]> = [
  ['empty object', 'application/json', '{}'],
  ['array', 'application/json', '[]'],
  ['null', 'application/json', 'null'],
  ['string', 'application/json', '"text"'],
  ['number', 'application/json', '12345'],
  ['boolean', 'application/json', 'true'],
  ['broken json', 'application/json', '{"a":'],
  ['trailing garbage', 'application/json', '{"a":1} xyz'],
  ['single quotes', 'application/json', "{'a':1}"],
  ['empty body', 'application/json', ''],
  ['unknown field', 'application/json', '{"zzz":1}'],
  ['deep 40', 'application/json', JSON.stringify(nested(40))],
  ['deep 3000', 'application/json', `${'['.repeat(3000)}${']'.repeat(3000)}`],
  ['30k keys', 'application/json', `{${Array.from({ length: 30_000 }, (_, i) => `"k${i}":0`).join(',')}}`],
  ['900 KB string', 'application/json', JSON.stringify({ type: 'x'.repeat(900_000) })],
  ['over the size limit', 'application/json', JSON.stringify({ a: 'x'.repeat(1_200_000) })],
  ['__proto__', 'application/json', '{"__proto__":{"admin":true}}'],
  ['constructor', 'application/json', '{"constructor":{"prototype":{"admin":true}}}'],
  ['nested __proto__', 'application/json', '{"data":{"__proto__":{"x":1}},"values":{"__proto__":1}}'],
  ['toString key', 'application/json', '{"toString":"x","valueOf":1}'],
  ['wrong types', 'application/json', '{"type":1,"version":"x","evidenceIds":"abc","data":[],"reason":{},"areaCode":123,"householdId":[],"month":true}'],
  ['nulls', 'application/json', '{"type":null,"version":null,"evidenceIds":null,"data":null,"areaCode":null,"name":null,"username":null,"password":null}'],
  ['invalid ids', 'application/json', `{"householdId":"not-a-uuid","caseId":"../../etc/passwd","postId":"1 OR 1=1","memberId":"${'f'.repeat(36)}","batchId":"%00"}`],
  ['negative and huge numbers', 'application/json', '{"version":-1,"daysWorked":1e308,"members":-5,"amount":-0.001,"page":-1,"pageSize":1e9}'],
  ['number strings', 'application/json', '{"version":"1","daysWorked":"10","year":"2026"}'],
  ['emoji and RTL', 'application/json', '{"name":"😀\u202e\u200b","riskDescription":"\u0000\u0001\ud83d","username":"\ud800"}'],
  ['zero width', 'application/json', '{"householderName":"\u200b\u200b\u200b","text":"\ufeff"}'],
  ['NUL bytes', 'application/json', '{"reason":"a\u0000b","opinion":"\u0000"}'],
  ['SQL-ish', 'application/json', `{"username":"admin' --","areaCode":"411003' OR '1'='1","q":"%' OR 1=1 --"}`],
  ['long arrays', 'application/json', JSON.stringify({ evidenceIds: Array.from({ length: 5000 }, () => randomUUID()), members: Array.from({ length: 2000 }, () => ({})) })],
  ['array of arrays', 'application/json', '{"evidenceIds":[[[]]],"riskTypes":[[1]],"values":[[]]}'],
  ['dates', 'application/json', '{"effectiveFrom":"2026-13-45T99:99:99Z","startDate":"yesterday","month":"2026-00","date":"0000-00-00"}'],
  ['text/plain', 'text/plain', 'hello'],
  ['form urlencoded', 'application/x-www-form-urlencoded', 'a=1&a=2&b[c]=3&__proto__[x]=1'],
  ['xml', 'application/xml', '<a>1</a>'],
  ['bad multipart', 'multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--XY'],
];

interface Endpoint {
  method: 'post' | 'put' | 'patch';
  path: string;
  takesBody: boolean;
}

describe(`fuzz: malformed bodies on every writing endpoint (${target})`, () => {
  let env: TestEnv;
  let endpoints: Endpoint[] = [];
  beforeAll(async () => {
    env = await startApp();
    const doc = (await env.http().get('/docs-json')).body as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of ['post', 'put', 'patch'] as const) {
        if (ops[method]) endpoints.push({ method, path: path.replace(/\{[^}]+\}/g, (p) => (p === '{areaCode}' ? '411003000000' : p === '{procedure}' ? 'monitoring-inclusion' : randomUUID())), takesBody: !!ops[method].requestBody });
      }
    }
    // 退出登录 ends the user's tokens (issue 20): it goes last, so every other endpoint meets a live token
    endpoints = [...endpoints.filter((e) => e.path !== '/auth/logout'), ...endpoints.filter((e) => e.path === '/auth/logout')];
  });
  afterAll(() => env?.close());

  it('covers the writing endpoints', () => {
    expect(endpoints.length).toBeGreaterThanOrEqual(18);
    expect(endpoints.map((e) => e.path)).toEqual(expect.arrayContaining(['/auth/login', '/evidence', '/households', '/imports/department-alerts']));
  });

  it.each([['admin'], ['v_huozhuang'], ['t_lingjing'], ['c_jianan'], ['d_civil']])('as %s: every answer is a quick 4xx in the error shape, never a 5xx', async (user) => {
    const token = await env.token(user);
    const problems: string[] = [];
    const statuses = new Map<string, number>();
    let requests = 0;
    for (const e of endpoints) {
      for (const [label, type, raw] of BODIES) {
        const started = Date.now();
        const res = await env.http()[e.method](e.path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).set('Idempotency-Key', randomUUID()).send(raw);
        requests++;
        statuses.set(`${res.status} ${res.body?.code ?? ''}`, (statuses.get(`${res.status} ${res.body?.code ?? ''}`) ?? 0) + 1);
        const ms = Date.now() - started;
        const where = `${e.method.toUpperCase()} ${e.path} [${label}] → ${res.status}`;
        if (res.status >= 500) problems.push(`${where} ${JSON.stringify(res.body).slice(0, 200)}`);
        else if (ms > 10_000) problems.push(`${where} after ${ms} ms`);
        else if (res.status >= 400) {
          const b = res.body;
          if (!(b && b.statusCode === res.status && typeof b.code === 'string' && CJK.test(b.message ?? '') && typeof b.requestId === 'string')) {
            problems.push(`${where} body ${JSON.stringify(b).slice(0, 200)}`);
          }
        } else if (e.takesBody && !['empty object'].includes(label)) {
          problems.push(`${where}: a malformed body was accepted`);
        }
      }
      // a bad multipart upload: the file endpoints with broken or missing parts
      if (e.path === '/evidence' || e.path === '/imports/department-alerts') {
        for (const req of [
          env.http().post(e.path).set('Authorization', `Bearer ${token}`).field('type', 'x').field('caseId', '../../x'),
          env.http().post(e.path).set('Authorization', `Bearer ${token}`).attach('file', pdf(), 'a.pdf').attach('file', pdf(), 'b.pdf'),
          env.http().post(e.path).set('Authorization', `Bearer ${token}`).attach('other', pdf(), 'a.pdf'),
        ]) {
          const res = await req;
          requests++;
          if (res.status >= 500 || res.status < 400 || !CJK.test(res.body?.message ?? '')) problems.push(`${e.path} multipart → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // the bodies reached validation, not only the door: most refusals are VALIDATION_FAILED
    if (process.env.FUZZ_DEBUG) console.log(user, [...statuses]);
    expect(statuses.get('400 VALIDATION_FAILED') ?? 0).toBeGreaterThan(requests / 2);
    expect(requests).toBeGreaterThanOrEqual(endpoints.length * 30);
  });
});
