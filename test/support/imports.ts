/** Department alert imports in e2e specs: files, uploads, waiting for the background job. */
import type { TestEnv } from './harness';
import { COUNTY, expectOk } from './flows';

export const DEPARTMENT = 'd_civil';

export interface AlertLine {
  idNumber: string;
  name?: string;
  areaCode: string;
  source?: string;
  description?: string;
}

/** A CSV as a Chinese department exports it (Chinese headers, UTF-8 with BOM). */
export function alertCsv(lines: AlertLine[]): Buffer {
  const rows = ['身份证号,姓名,区划代码,预警来源,预警说明'];
  for (const l of lines) rows.push([l.idNumber, l.name ?? '某某', l.areaCode, l.source ?? '', l.description ?? ''].join(','));
  return Buffer.from(`\uFEFF${rows.join('\r\n')}\r\n`, 'utf8');
}

export async function memberIds(env: TestEnv, householdId: string): Promise<string[]> {
  const h = await expectOk(await env.http().get(`/households/${householdId}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
  return h.members.map((m: { idNumber: string }) => m.idNumber);
}

export async function uploadAlerts(env: TestEnv, file: Buffer, opts: { user?: string; source?: string; name?: string } = {}) {
  return env
    .http()
    .post('/imports/department-alerts')
    .set('Authorization', `Bearer ${await env.token(opts.user ?? DEPARTMENT)}`)
    .field('source', opts.source ?? '低保')
    .attach('file', file, opts.name ?? 'dibao.csv');
}

export async function waitForImport(env: TestEnv, id: string, opts: { user?: string; timeoutMs?: number } = {}) {
  const until = Date.now() + (opts.timeoutMs ?? 30000);
  let last: any = null;
  while (Date.now() < until) {
    last = await expectOk(await env.http().get(`/imports/${id}`).set('Authorization', `Bearer ${await env.token(opts.user ?? DEPARTMENT)}`));
    if (last.status === 'completed' || last.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`import ${id} still ${last?.status} (${JSON.stringify(last?.progress)})`);
}

/** The report CSV as rows of cells (header first). */
export async function importReport(env: TestEnv, id: string, user = DEPARTMENT): Promise<string[][]> {
  const res = await env.http().get(`/imports/${id}/report`).set('Authorization', `Bearer ${await env.token(user)}`).buffer(true).parse((r, cb) => {
    let data = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (data += c));
    r.on('end', () => cb(null, data));
  });
  if (res.status !== 200) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  return String(res.body).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
}
