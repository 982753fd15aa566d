/**
 * Issue 11 (HTTP surface): security headers from helmet and no X-Powered-By, CORS only for the
 * origins in CORS_ORIGINS, and multipart forms whose fields are repeated, bracketed or unknown
 * refused with a 400 naming the field (they were 500s).
 */
import type request from 'supertest';
import { startApp, target, type TestEnv } from './support/harness';
import { pdf } from './support/flows';

const CJK = /[\u4e00-\u9fff]/;
const CONSOLE = 'https://console.example.gov.cn';

describe(`HTTP surface (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp({ env: { CORS_ORIGINS: CONSOLE } });
  });
  afterAll(() => env?.close());

  it('answers with security headers and without X-Powered-By; the API docs still load', async () => {
    for (const res of [await env.http().get('/health'), await env.http().get('/cases')]) {
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
    const docs = await env.http().get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);
  });

  it('no answer of the API is kept by a browser or a proxy (personal data on shared computers), and none carries an ETag', async () => {
    const token = `Bearer ${await env.token('t_lingjing')}`;
    const upload = await env.http().post('/evidence').set('Authorization', token).field('type', 'application_form').attach('file', pdf('申请书'), 'a.pdf');
    expect(upload.status).toBe(201);
    const answers: Array<[string, request.Response]> = [
      ['health', await env.http().get('/health')],
      ['401', await env.http().get('/cases')],
      ['cases', await env.http().get('/cases').set('Authorization', token)],
      ['tasks', await env.http().get('/tasks').set('Authorization', token)],
      ['evidence', await env.http().get(`/evidence/${upload.body.id}`).set('Authorization', token)],
      ['file', await env.http().get(`/evidence/${upload.body.id}/content`).set('Authorization', token)],
      ['upload', upload],
    ];
    for (const [what, res] of answers) {
      expect({ what, cacheControl: res.headers['cache-control'], etag: res.headers.etag }).toEqual({ what, cacheControl: 'no-store', etag: undefined });
    }
    expect(answers[5][1].body.length).toBeGreaterThan(0);
  });

  it('lets only the configured origin call across origins', async () => {
    const allowed = await env.http().options('/cases').set('Origin', CONSOLE).set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,idempotency-key,content-type');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
    const other = await env.http().options('/cases').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await env.http().get('/health').set('Origin', CONSOLE);
    expect(simple.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(simple.headers['access-control-expose-headers']).toMatch(/Retry-After/);
  });

  it('refuses repeated, bracketed and unknown multipart fields with a 400 naming them', async () => {
    const token = `Bearer ${await env.token('v_huozhuang')}`;
    const county = `Bearer ${await env.token('c_jianan')}`;
    const cases: Array<{ path: string; auth: string; fields: Array<[string, string]>; bad: string }> = [
      { path: '/evidence', auth: token, fields: [['type', 'household_survey'], ['type', 'meeting_minutes']], bad: 'type' },
      { path: '/evidence', auth: token, fields: [['type', 'household_survey'], ['caseId[x]', 'abc']], bad: 'caseId' },
      { path: '/evidence', auth: token, fields: [['type[]', 'household_survey']], bad: 'type' },
      { path: '/evidence', auth: token, fields: [['type', 'household_survey'], ['note', 'x']], bad: 'note' },
      { path: '/imports/department-alerts', auth: county, fields: [['source', 'dibao'], ['source', 'tekun']], bad: 'source' },
      { path: '/imports/department-alerts', auth: county, fields: [['source[]', 'dibao']], bad: 'source' },
    ];
    for (const c of cases) {
      const req = env.http().post(c.path).set('Authorization', c.auth);
      for (const [k, v] of c.fields) req.field(k, v);
      const res = await req.attach('file', pdf(), 'x.pdf');
      expect({ path: c.path, fields: c.fields, status: res.status }).toEqual({ path: c.path, fields: c.fields, status: 400 });
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields[c.bad]).toMatch(CJK);
    }
  });
});
