/** Household registry helpers (issue 13): files as the national system exports them, imports, changes. */
import { DateTime } from 'luxon';
import { checkCharacter } from '../../src/common/domain/id-number';
import type { TestEnv } from './harness';
import { COUNTY, expectOk, upload } from './flows';

let seq = 0;
/** A valid ID number of 建安区 with the given birth date and gender, unique in this process. */
export function regId(birthDate: string, gender: 'male' | 'female' = 'male'): string {
  seq++;
  const base = 700 + ((seq * 2 + (process.pid % 40) * 2) % 290);
  const order = base - (base % 2) + (gender === 'male' ? 1 : 0);
  const first17 = `411003${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

/** The same number with a wrong check character. */
export function badCheck(id: string): string {
  const chars = '10X98765432';
  return id.slice(0, 17) + chars[(chars.indexOf(id[17]) + 3) % 11];
}

export interface RegRow {
  code: string;
  householder: string;
  name: string;
  idNumber: string;
  relation: string;
  gender: '男' | '女';
  birthDate: string;
  labour?: string;
  employment?: string;
  disability?: string;
  phone?: string;
  village: string;
  poor?: '是' | '否';
}

export const REG_HEADER = ['户编号', '户主姓名', '姓名', '证件号码', '与户主关系', '性别', '出生日期', '劳动技能', '务工状况', '残疾类别/等级', '联系电话', '所在村', '是否脱贫户'];

export function registryCsv(rows: RegRow[]): Buffer {
  const lines = [REG_HEADER.join(',')];
  for (const r of rows) {
    lines.push([r.code, r.householder, r.name, r.idNumber, r.relation, r.gender, r.birthDate, r.labour ?? '普通劳动力', r.employment ?? '县内务工', r.disability ?? '', r.phone ?? '', r.village, r.poor ?? '否'].join(','));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function uploadRegistry(env: TestEnv, file: Buffer, opts: { user?: string; name?: string } = {}) {
  return env.http().post('/imports/households').set('Authorization', `Bearer ${await env.token(opts.user ?? COUNTY)}`).attach('file', file, opts.name ?? 'households.csv');
}

export async function waitForRegistryImport(env: TestEnv, id: string, user = COUNTY, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  let last: any = null;
  while (Date.now() < until) {
    last = await expectOk(await env.http().get(`/imports/households/${id}`).set('Authorization', `Bearer ${await env.token(user)}`));
    if (last.status === 'completed' || last.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`household import ${id} still ${last?.status}`);
}

export async function registryReport(env: TestEnv, id: string, user = COUNTY): Promise<string[][]> {
  const res = await env.http().get(`/imports/households/${id}/report`).set('Authorization', `Bearer ${await env.token(user)}`).buffer(true).parse((r, cb) => {
    let data = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (data += c));
    r.on('end', () => cb(null, data));
  });
  if (res.status !== 200) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
}

export async function getHousehold(env: TestEnv, id: string, user = COUNTY) {
  return expectOk(await env.http().get(`/households/${id}`).set('Authorization', `Bearer ${await env.token(user)}`));
}

export async function history(env: TestEnv, id: string, user = COUNTY) {
  return expectOk(await env.http().get(`/households/${id}/history`).set('Authorization', `Bearer ${await env.token(user)}`));
}

export async function memberChange(env: TestEnv, user: string, householdId: string, memberId: string, body: Record<string, unknown>) {
  return env.http().post(`/households/${householdId}/members/${memberId}/changes`).set('Authorization', `Bearer ${await env.token(user)}`).send(body);
}

export async function addMember(env: TestEnv, user: string, householdId: string, body: Record<string, unknown>) {
  return env.http().post(`/households/${householdId}/members`).set('Authorization', `Bearer ${await env.token(user)}`).send(body);
}

export async function evidence(env: TestEnv, user: string, type: string): Promise<string> {
  return (await upload(env, user, type)).id;
}

export async function alerts(env: TestEnv, user: string, query = '') {
  return expectOk(await env.http().get(`/registry/alerts${query}`).set('Authorization', `Bearer ${await env.token(user)}`));
}

/** Today on China's calendar (Asia/Shanghai). */
export const today = () => DateTime.fromMillis(Date.now(), { zone: 'Asia/Shanghai' }).toISODate()!;
