/**
 * Issue 11 (authz matrix): every read endpoint of the API (from the service's own OpenAPI
 * document) × every role × a record of its own area and of other areas. No response carries
 * data of an area outside the caller's (names, ID numbers, case and household ids of three
 * marked households: 霍庄村 and 张庄村 of 建安区, and a village of another county); village and
 * department users never see a full ID number or phone; forged, expired and `alg: none` tokens
 * are refused.
 */
import { JwtService } from '@nestjs/jwt';
import { createHmac, randomUUID } from 'node:crypto';
import { checkCharacter } from '../src/common/domain/id-number';
import { startApp, target, type TestEnv } from './support/harness';
import { approvalData, expectOk, inclusionCase, pdf, shortNotice, upload } from './support/flows';

const ASSISTANCE_PHONE = approvalData.assistanceContact.phone;

interface Marked {
  code: string;
  village: string;
  name: string;
  idNumber: string;
  phone: string;
  householdId: string;
  caseId: string;
  evidenceId: string;
  /** more cases of the area whose single-case reads are probed too */
  moreCaseIds: string[];
}

const USERS = ['v_huozhuang', 't_lingjing', 'c_jianan', 'd_civil', 's_jianan', 'v_weidu'];

function idNumber(seq: number): string {
  const first17 = `411003198${seq}0512${String(300 + seq * 2 + 1).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

describe(`authorisation matrix: every read × every role × own and other areas (${target})`, () => {
  let env: TestEnv;
  const marked: Record<'A' | 'B' | 'C', Marked> = {} as never;
  /** which marked areas each user may see */
  const sees: Record<string, Array<'A' | 'B' | 'C'>> = {
    v_huozhuang: ['A'],
    t_lingjing: ['A'],
    c_jianan: ['A', 'B'],
    d_civil: ['A', 'B'],
    s_jianan: ['A', 'B'],
    v_weidu: ['C'],
  };
  let getPaths: string[] = [];

  beforeAll(async () => {
    env = await startApp();
    const admin = `Bearer ${await env.token('admin')}`;
    for (const [code, name, level] of [['411002000000', '魏都区', 'county'], ['411002001000', '北大街道', 'township'], ['411002001201', '丙村', 'village']]) {
      await env.http().post('/admin/areas').set('Authorization', admin).send({ code, name, level }).expect(201);
    }
    await env.http().post('/admin/users').set('Authorization', admin)
      .send({ username: 'v_weidu', password: 'Bingcun#2026', displayName: '丙村干部', role: 'village', areaCode: '411002001201' }).expect(201);
    const areas: Array<['A' | 'B' | 'C', string, string, string]> = [
      ['A', '411003100201', 'v_huozhuang', '甲标记户'],
      ['B', '411003101201', 'v_zhangzhuang', '乙标记户'],
      ['C', '411002001201', 'v_weidu', '丙标记户'],
    ];
    let seq = 1;
    for (const [key, village, user, name] of areas) {
      const token = `Bearer ${await env.token(user, user === 'v_weidu' ? 'Bingcun#2026' : undefined)}`;
      const id = idNumber(seq);
      const phone = `1390374${String(1000 + seq)}`;
      seq++;
      const h = await expectOk(
        await env.http().post('/households').set('Authorization', token).send({
          areaCode: village, householderName: name, address: `${name}住址`, isFormerlyPoor: false,
          members: [{ name, idNumber: id, relation: '户主', gender: 'male', birthDate: `198${seq - 1}-05-12`, laborAbility: 'weak', employment: 'local', phone, disability: null }],
        }),
        201,
      );
      const c = await expectOk(
        await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', token)
          .send({ householdId: h.id, channel: 'self_report', riskDescription: `${name}户主突发重病住院` }),
        201,
      );
      const ev = await upload(env, user, 'household_survey', { caseId: c.id, file: pdf(name) });
      marked[key] = { code: village, village, name, idNumber: id, phone, householdId: h.id, caseId: c.id, evidenceId: ev.id, moreCaseIds: [] };
    }
    // an included case of 霍庄村: its assistance contact's phone (13903740000) is personal data too
    await shortNotice(env, 'PT1S');
    marked.A.moreCaseIds.push((await inclusionCase(env, 'included')).id);
    const doc = (await env.http().get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    getPaths = Object.keys(doc.paths).filter((p) => doc.paths[p].get);
  });
  afterAll(() => env?.close());

  /** The GET requests that could reveal area X's data. */
  function probes(x: Marked): string[] {
    const out: string[] = [];
    for (const p of getPaths) {
      if (p === '/docs-json') continue;
      const filled = p
        .replace('{procedure}', 'monitoring-inclusion')
        .replace('{areaCode}', x.code)
        .replace('{code}', x.code)
        .replace(/\{[^}]+\}/g, () => (p.startsWith('/cases') ? x.caseId : p.startsWith('/households') ? x.householdId : p.startsWith('/evidence') ? x.evidenceId : randomUUID()));
      out.push(filled);
      if (p.startsWith('/cases/{id}')) for (const id of x.moreCaseIds) out.push(p.replace('{id}', id));
      if (!p.includes('{')) out.push(`${filled}?areaCode=${x.code}`, `${filled}?q=${encodeURIComponent(x.name)}`, `${filled}?q=${x.idNumber}`);
    }
    return out;
  }

  it('reads every GET endpoint', () => {
    expect(getPaths.length).toBeGreaterThanOrEqual(30);
  });

  it.each(USERS.map((u) => [u]))('%s: no data of another area, and full ID numbers and phones only for township and above', async (user) => {
    const token = `Bearer ${await env.token(user, user === 'v_weidu' ? 'Bingcun#2026' : undefined)}`;
    const masked = user.startsWith('v_') || user.startsWith('d_');
    const leaks: string[] = [];
    let reads = 0;
    for (const key of ['A', 'B', 'C'] as const) {
      const x = marked[key];
      const other = !sees[user].includes(key);
      for (const path of probes(x)) {
        const res = await env.http().get(path).set('Authorization', token);
        reads++;
        expect(res.status).toBeLessThan(500);
        if (res.status >= 300) continue;
        const text = typeof res.text === 'string' ? res.text : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : JSON.stringify(res.body);
        if (other) {
          for (const [what, marker] of [['name', x.name], ['ID number', x.idNumber], ['phone', x.phone], ['case', x.caseId], ['household', x.householdId]]) {
            if (text.includes(marker)) leaks.push(`${path} shows ${key}'s ${what}`);
          }
        } else if (masked) {
          for (const [what, marker] of [['ID number', x.idNumber], ['phone', x.phone], ['assistance contact phone', key === 'A' ? ASSISTANCE_PHONE : x.phone]]) {
            if (text.includes(marker)) leaks.push(`${path} shows ${key}'s full ${what}`);
          }
        }
      }
      // a record of another area by its id: not found (never 403, which would confirm it exists)
      if (other) {
        for (const path of [`/cases/${x.caseId}`, `/cases/${x.caseId}/history`, `/households/${x.householdId}`, `/evidence/${x.evidenceId}`]) {
          expect({ path, status: (await env.http().get(path).set('Authorization', token)).status }).toEqual({ path, status: 404 });
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(reads).toBeGreaterThan(100);
  });

  it('refuses forged, expired and alg:none tokens', async () => {
    const me = (await env.http().get('/auth/me').set('Authorization', `Bearer ${await env.token('c_jianan')}`)).body as { id: string };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: me.id, role: 'county', iat: now, exp: now + 3600 };
    const forgedSig = createHmac('sha256', 'not-the-secret-at-all-not-the-secret').update(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`).digest('base64url');
    const expired = await env.app.get(JwtService).signAsync({ sub: me.id, role: 'county' }, { expiresIn: -10 as never });
    for (const token of [
      `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.${forgedSig}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}`,
      expired,
      'garbage',
    ]) {
      const res = await env.http().get('/cases').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('trust: a token whose signature was checked once (issue 21: kept per process) is refused once it expires', async () => {
    const me = (await env.http().get('/auth/me').set('Authorization', `Bearer ${await env.token('c_jianan')}`)).body as { id: string };
    const short = await env.app.get(JwtService).signAsync({ sub: me.id, role: 'county', at: Date.now() }, { expiresIn: 2 });
    expect((await env.http().get('/cases').set('Authorization', `Bearer ${short}`)).status).toBe(200);
    expect((await env.http().get('/cases').set('Authorization', `Bearer ${short}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2300));
    const late = await env.http().get('/cases').set('Authorization', `Bearer ${short}`);
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('UNAUTHENTICATED');
  });
});

describe(`every unmasked read of an ID number is recorded (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  it('records who read which household in full, lists it for supervisors of the area, and records nothing for masked reads', async () => {
    const village = `Bearer ${await env.token('v_huozhuang')}`;
    const township = `Bearer ${await env.token('t_lingjing')}`;
    const list = await expectOk(await env.http().get('/households?q=王建国').set('Authorization', village));
    const id = list.items[0].id as string;
    await expectOk(await env.http().get(`/households/${id}`).set('Authorization', village)); // masked: not recorded
    const full = await expectOk(await env.http().get(`/households/${id}`).set('Authorization', township));
    expect(full.members[0].idNumber).not.toContain('*');
    const reads = await expectOk(await env.http().get(`/inspection/personal-data-reads?householdId=${id}`).set('Authorization', `Bearer ${await env.token('s_jianan')}`));
    expect(reads.items).toHaveLength(1);
    expect(reads.items[0]).toMatchObject({ householdId: id, username: 't_lingjing', role: 'township', purpose: 'GET /households/{id}', areaCode: '411003100201' });
    // a supervisor of another area sees none of them; other roles may not list them
    expect((await env.http().get('/inspection/personal-data-reads').set('Authorization', township)).status).toBe(403);
  });
});
