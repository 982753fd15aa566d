import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { maskIdNumber } from '../src/common/domain/id-number';
import { startApp, type TestEnv, target } from './support/harness';
import { hireOnDuty, openWaterPost } from './support/posts';
import { COUNTY, expectOk, getCase, HUOZHUANG, inclusionCase, send, shortNotice, TOWNSHIP, uploadAll, VILLAGE, OTHER_VILLAGE } from './support/flows';
import {
  addMember,
  alerts,
  badCheck,
  evidence,
  getHousehold,
  history,
  memberChange,
  regId,
  registryCsv,
  registryReport,
  type RegRow,
  today,
  uploadRegistry,
  waitForRegistryImport,
} from './support/registry';
import { RegistryWatch } from '../src/modules/registry/registry-watch';

const DALUCHEN = '411003100202';
const OUTSIDE_VILLAGE = '411002001201';

describe(`household registry: bulk load, changes, history, rules that follow the data (issue 13, ${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
    // a village of another county, registered: a county user's file may not load households there
    await env.ds.query(`INSERT INTO areas (code, name, level, "parentCode", "createdAt") VALUES ('411002000000', '魏都区', 'county', '411000000000', $1), ('411002001000', '西大街道', 'township', '411002000000', $1), ('${OUTSIDE_VILLAGE}', '外县村', 'village', '411002001000', $1)`.replace(/\$1/g, target === 'postgres' ? 'now()' : "'2024-01-01 00:00:00'"));
  });
  afterAll(() => env?.close());

  const csvRows = () => {
    const a1 = regId('1970-03-01', 'male');
    const a2 = regId('1995-06-02', 'female');
    const b1 = regId('1965-09-03', 'male');
    return { a1, a2, b1 };
  };

  it('bulk load: good, bad, changed and moved rows; the same file again changes nothing; refusals named', async () => {
    const { a1, a2, b1 } = csvRows();
    const codeA = `A${randomUUID().slice(0, 8)}`;
    const codeB = `B${randomUUID().slice(0, 8)}`;
    const first: RegRow[] = [
      { code: codeA, householder: '甲一', name: '甲一', idNumber: a1, relation: '户主', gender: '男', birthDate: '1970-03-01', village: HUOZHUANG, phone: '13800000001', poor: '是' },
      { code: codeA, householder: '甲一', name: '甲二', idNumber: a2, relation: '女儿', gender: '女', birthDate: '1995-06-02', village: HUOZHUANG, employment: '省外务工' },
      { code: codeB, householder: '乙一', name: '乙一', idNumber: b1, relation: '户主', gender: '男', birthDate: '1965-09-03', village: '大路陈村', labour: '弱劳动力或半劳动力', disability: '肢体二级' },
    ];
    const up1 = await expectOk(await uploadRegistry(env, registryCsv(first)), 202);
    const done1 = await waitForRegistryImport(env, up1.id);
    expect(done1).toMatchObject({ status: 'completed', counts: { householdsCreated: 2, householdsChanged: 0, created: 3, invalid: 0, conflict: 0 } });
    const list = await expectOk(await env.http().get(`/households?q=${a1}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    const hA = list.items[0];
    expect(hA).toMatchObject({ householdCode: codeA, areaCode: HUOZHUANG, isFormerlyPoor: true, version: 1 });
    const hB = (await expectOk(await env.http().get(`/households?q=${b1}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`))).items[0];
    expect(hB).toMatchObject({ householdCode: codeB, areaCode: DALUCHEN, version: 1 });
    expect(hB.members[0]).toMatchObject({ laborAbility: 'weak', disability: { category: '肢体', level: 2 }, employment: 'local' });

    // the second export: a1 changed (now away), a2 moved to B, a new household by village name,
    // and bad rows: check digit, gender digit, village of another county, a person in two households
    const c1 = regId('1980-01-05', 'male');
    const d1 = regId('1982-02-06', 'male');
    const twice = regId('1990-04-07', 'female');
    const genderWrong = regId('1984-05-08', 'male');
    const outsider = regId('1986-07-09', 'male');
    const codeC = `C${randomUUID().slice(0, 8)}`;
    const codeD = `D${randomUUID().slice(0, 8)}`;
    const second: RegRow[] = [
      { ...first[0], employment: '省外务工' },
      { ...first[2] },
      { ...first[1], code: codeB, householder: '乙一', relation: '儿媳', village: '大路陈村' },
      { code: codeC, householder: '丙一', name: '丙一', idNumber: c1, relation: '户主', gender: '男', birthDate: '1980-01-05', village: '张庄村' },
      { code: codeC, householder: '丙一', name: '坏校验', idNumber: badCheck(regId('1981-01-01')), relation: '儿子', gender: '男', birthDate: '1981-01-01', village: '张庄村' },
      { code: codeC, householder: '丙一', name: '错性别', idNumber: genderWrong, relation: '儿子', gender: '女', birthDate: '1984-05-08', village: '张庄村' },
      { code: codeC, householder: '丙一', name: '两户人', idNumber: twice, relation: '女儿', gender: '女', birthDate: '1990-04-07', village: '张庄村' },
      { code: codeD, householder: '丁一', name: '丁一', idNumber: d1, relation: '户主', gender: '男', birthDate: '1982-02-06', village: HUOZHUANG },
      { code: codeD, householder: '丁一', name: '两户人', idNumber: twice, relation: '妻子', gender: '女', birthDate: '1990-04-07', village: HUOZHUANG },
      { code: `E${randomUUID().slice(0, 8)}`, householder: '外县', name: '外县', idNumber: outsider, relation: '户主', gender: '男', birthDate: '1986-07-09', village: OUTSIDE_VILLAGE },
    ];
    const file2 = registryCsv(second);
    const up2 = await expectOk(await uploadRegistry(env, file2), 202);
    const done2 = await waitForRegistryImport(env, up2.id);
    expect(done2.counts).toEqual({ householdsCreated: 2, householdsChanged: 2, created: 2, updated: 1, moved: 1, unchanged: 1, invalid: 3, conflict: 2 });
    const report = await registryReport(env, up2.id);
    expect(report[0]).toEqual(['行号', '户编号', '姓名', '证件号码', '所在村', '结果', '结果代码', '问题', '问题代码', '农户编号', '原农户编号']);
    const byRow = new Map(report.slice(1).map((r) => [Number(r[0]), r]));
    expect(byRow.get(1)![6]).toBe('updated');
    expect(byRow.get(2)![6]).toBe('unchanged');
    expect(byRow.get(3)![6]).toBe('moved');
    expect(byRow.get(3)![10]).toBe(hA.id);
    expect(byRow.get(4)![6]).toBe('created');
    expect(byRow.get(5)!.slice(6, 7).concat(byRow.get(5)![8])).toEqual(['invalid', 'id_check_digit']);
    expect(byRow.get(6)!.slice(6, 7).concat(byRow.get(6)![8])).toEqual(['invalid', 'gender_digit']);
    expect(byRow.get(7)!.slice(6, 7).concat(byRow.get(7)![8])).toEqual(['conflict', 'person_in_two_households']);
    expect(byRow.get(9)!.slice(6, 7).concat(byRow.get(9)![8])).toEqual(['conflict', 'person_in_two_households']);
    expect(byRow.get(10)!.slice(6, 7).concat(byRow.get(10)![8])).toEqual(['invalid', 'village_outside']);

    const a = await getHousehold(env, hA.id);
    expect(a.members.map((m: any) => m.idNumber)).toEqual([a1]);
    expect(a.members[0].employment).toBe('outside');
    expect(a.version).toBe(3); // imported, imported (a1 changed), member moved out (a2)
    const b = await getHousehold(env, hB.id);
    expect(b.members.map((m: any) => m.idNumber).sort()).toEqual([a2, b1].sort());
    expect(b.version).toBe(2);
    const histA = await history(env, hA.id);
    expect(histA.verification).toMatchObject({ valid: true, entries: 3, problems: [] });
    expect(histA.entries.map((e: any) => e.change)).toEqual(['imported', 'imported', 'member_moved_out']);
    // the append-only history keeps an ID number as its keyed hash and a masked form, never in clear (issue 11)
    expect(histA.entries[1].before.members[0]).toMatchObject({ idNumberMasked: maskIdNumber(a1), idNumberHash: expect.any(String), employment: 'local' });
    expect(histA.entries[1].before.members[0].idNumber).toBeUndefined();
    expect(histA.entries[1].after.updated[0]).toMatchObject({ idNumberMasked: maskIdNumber(a1), employment: 'outside' });
    expect(histA.entries[2].after).toEqual({ toHouseholdId: hB.id });
    expect((await history(env, hB.id)).entries[1].after.movedIn[0]).toMatchObject({ fromHouseholdId: hA.id, member: { idNumberMasked: maskIdNumber(a2), relation: '儿媳' } });

    // the same file again: nothing changes, no new version anywhere
    const up3 = await expectOk(await uploadRegistry(env, file2), 202);
    expect(up3.sameFileAs).toBe(up2.id);
    const done3 = await waitForRegistryImport(env, up3.id);
    expect(done3.counts).toEqual({ householdsCreated: 0, householdsChanged: 0, created: 0, updated: 0, moved: 0, unchanged: 5, invalid: 3, conflict: 2 });
    expect((await getHousehold(env, hA.id)).version).toBe(3);
    expect((await getHousehold(env, hB.id)).version).toBe(2);
    expect((await history(env, hB.id)).verification.valid).toBe(true);
  });

  it('bulk load reads XLSX with English headers; who may load, and who may see, is limited', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('households');
    const id = regId('1975-10-10', 'female');
    ws.addRow(['householdCode', 'householderName', 'name', 'idNumber', 'relation', 'gender', 'birthDate', 'laborAbility', 'employment', 'disability', 'phone', 'village', 'isFormerlyPoor']);
    ws.addRow([`X${randomUUID().slice(0, 8)}`, '戊一', '戊一', id, '户主', 'female', '1975-10-10', 'full', 'none', '', '13900000000', HUOZHUANG, 'false']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    for (const user of [VILLAGE, TOWNSHIP, 'd_civil', 's_jianan']) {
      const res = await uploadRegistry(env, buf, { user, name: 'h.xlsx' });
      expect({ user, status: res.status, code: res.body.code }).toEqual({ user, status: 403, code: 'ROLE_REQUIRED' });
    }
    const up = await expectOk(await uploadRegistry(env, buf, { name: 'h.xlsx' }), 202);
    const done = await waitForRegistryImport(env, up.id);
    expect(done).toMatchObject({ format: 'xlsx', counts: { householdsCreated: 1, created: 1 } });
    // the import is the county's: a village user does not see it
    expect((await env.http().get(`/imports/households/${up.id}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`)).status).toBe(404);
    // a file without the required columns fails whole, named
    const bad = await expectOk(await uploadRegistry(env, Buffer.from('姓名,证件号码\r\n张三,1\r\n')), 202);
    const failed = await waitForRegistryImport(env, bad.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/户编号/);
  });

  it('the example export in seeds/ loads whole: five households, thirteen members, villages by code and by name', async () => {
    const file = readFileSync(join(process.cwd(), 'seeds', 'household-registry-example.csv'));
    const up = await expectOk(await uploadRegistry(env, file, { name: 'household-registry-example.csv' }), 202);
    const done = await waitForRegistryImport(env, up.id);
    expect(done).toMatchObject({ status: 'completed', counts: { householdsCreated: 5, created: 13, invalid: 0, conflict: 0 } });
    const h = (await expectOk(await env.http().get('/households?q=%E9%9C%8D%E6%A1%82%E5%85%B0').set('Authorization', `Bearer ${await env.token(COUNTY)}`))).items[0];
    expect(h).toMatchObject({ householdCode: '4110031002010002', areaCode: HUOZHUANG, version: 1 });
    expect(h.members.find((m: any) => m.name === '霍桂兰')).toMatchObject({ laborAbility: 'none', disability: { category: '肢体', level: 2 } });
  });

  async function fresh(members: Array<{ name: string; birthDate: string; employment?: string; gender?: 'male' | 'female'; laborAbility?: string }>, opts: { formerlyPoor?: boolean; user?: string } = {}) {
    const body = {
      areaCode: HUOZHUANG,
      householderName: members[0].name,
      address: '许昌市建安区灵井镇霍庄村七组',
      isFormerlyPoor: opts.formerlyPoor ?? true,
      members: members.map((m, i) => ({
        name: m.name,
        idNumber: regId(m.birthDate, m.gender ?? 'male'),
        relation: i === 0 ? '户主' : '家庭成员',
        gender: m.gender ?? 'male',
        birthDate: m.birthDate,
        laborAbility: m.laborAbility ?? 'full',
        employment: m.employment ?? 'local',
        disability: null,
      })),
    };
    return expectOk(await env.http().post('/households').set('Authorization', `Bearer ${await env.token(opts.user ?? VILLAGE)}`).send(body), 201);
  }

  it('edits address and phone with a history entry; stale versions, wrong roles and other areas are refused', async () => {
    const h = await fresh([{ name: '改址户', birthDate: '1960-01-01' }]);
    expect(h.version).toBe(1);
    const patch = async (user: string, body: Record<string, unknown>) => env.http().patch(`/households/${h.id}`).set('Authorization', `Bearer ${await env.token(user)}`).send(body);
    const ok = await expectOk(await patch(VILLAGE, { version: 1, address: '许昌市建安区灵井镇霍庄村八组3号', phone: '13811112222' }));
    expect(ok.household).toMatchObject({ version: 2, address: '许昌市建安区灵井镇霍庄村八组3号', phone: '138****2222' });
    expect(ok.change).toMatchObject({ version: 2, change: 'household_edited' });
    // the version the edit was made on is gone: 409
    expect((await patch(VILLAGE, { version: 1, phone: '13811113333' })).body.code).toBe('VERSION_CONFLICT');
    expect((await patch('d_civil', { version: 2, phone: '13811113333' })).status).toBe(403);
    expect((await patch('s_jianan', { version: 2, phone: '13811113333' })).status).toBe(403);
    expect((await patch(OTHER_VILLAGE, { version: 2, phone: '13811113333' })).status).toBe(404);
    expect((await patch(VILLAGE, { version: 2, phone: '12345' })).status).toBe(400);
    const hist = await history(env, h.id, TOWNSHIP);
    expect(hist.entries.map((e: any) => [e.version, e.change])).toEqual([[1, 'registered'], [2, 'household_edited']]);
    expect(hist.entries[1]).toMatchObject({ before: { phone: null }, after: { phoneMasked: '138****2222', phoneHash: expect.any(String) }, actor: { username: VILLAGE, role: 'village' } });
    expect(JSON.stringify(hist.entries[1])).not.toContain('13811112222');
    // the history holds the phone masked for everyone (issue 11: the ledger cannot be encrypted in place)
    expect((await history(env, h.id, VILLAGE)).entries[1].after.phoneMasked).toBe('138****2222');
  });

  it('each kind of member change with its evidence, its history entry and a chain that verifies; forbidden paths refused', async () => {
    const h = await fresh([
      { name: '变更户主', birthDate: '1958-02-02' },
      { name: '将婚出', birthDate: '1996-03-03', gender: 'female' },
      { name: '将迁出', birthDate: '1992-04-04' },
      { name: '将外出', birthDate: '1990-05-05' },
    ]);
    const [head, marrying, leaving, worker] = h.members.map((m: any) => m.id);
    let version = 1;
    const change = async (memberId: string, body: Record<string, unknown>, user = VILLAGE) => memberChange(env, user, h.id, memberId, { version, date: today(), reason: '经入户核实情况属实', evidenceIds: [], ...body });

    // birth: the 出生医学证明 is needed, the date is the birth date
    const baby = regId(today(), 'female');
    const babyBody = (evidenceIds: string[]) => ({ version, kind: 'birth', date: today(), reason: '新生儿出生登记入户', evidenceIds, member: { name: '新生儿', idNumber: baby, relation: '孙女', gender: 'female', birthDate: today(), laborAbility: 'none', employment: 'none' } });
    const noCert = await addMember(env, VILLAGE, h.id, babyBody([]));
    expect({ status: noCert.status, code: noCert.body.code, missing: noCert.body.details?.missingEvidence }).toEqual({ status: 422, code: 'EVIDENCE_MISSING', missing: ['birth_certificate'] });
    const born = await expectOk(await addMember(env, VILLAGE, h.id, babyBody([await evidence(env, VILLAGE, 'birth_certificate')])), 201);
    version = born.household.version;
    expect(born.household.members).toHaveLength(5);
    // the same person twice: refused
    const again = await addMember(env, VILLAGE, h.id, babyBody([await evidence(env, VILLAGE, 'birth_certificate')]));
    expect(again.body.code).toBe('ALREADY_EXISTS');

    // death needs a death certificate; a used file cannot serve twice; a placeholder reason is no reason
    expect((await change(head, { kind: 'death' })).body.code).toBe('EVIDENCE_MISSING');
    expect((await change(head, { kind: 'death', reason: '无', evidenceIds: [await evidence(env, VILLAGE, 'death_certificate')] })).body.code).toBe('REASON_REQUIRED');
    const usedId = (born.household && (await history(env, h.id)).entries[1].evidence[0].id) as string;
    expect((await change(head, { kind: 'death', evidenceIds: [usedId] })).body.code).toBe('EVIDENCE_REUSED');
    // a date in the future is refused
    expect((await change(worker, { kind: 'employment', employment: 'outside', date: '2999-01-01' })).body.code).toBe('RULE_VIOLATED');
    // wrong roles and areas
    expect((await change(worker, { kind: 'employment', employment: 'outside' }, 'd_civil')).status).toBe(403);
    expect((await change(worker, { kind: 'employment', employment: 'outside' }, OTHER_VILLAGE)).status).toBe(404);

    const steps: Array<[string, Record<string, unknown>, string | null]> = [
      [worker, { kind: 'employment', employment: 'outside' }, null],
      [worker, { kind: 'labour_ability', laborAbility: 'semi' }, null],
      [worker, { kind: 'disability', disability: { category: '肢体', level: 3 } }, 'disability_card'],
      [marrying, { kind: 'marriage_out' }, 'marriage_certificate'],
      [leaving, { kind: 'moved_away' }, 'household_register'],
      [head, { kind: 'death' }, 'death_certificate'],
    ];
    for (const [member, body, type] of steps) {
      if (type) {
        const missing = await change(member, body);
        expect({ kind: body.kind, code: missing.body.code }).toEqual({ kind: body.kind, code: 'EVIDENCE_MISSING' });
      }
      const res = await expectOk(await change(member, { ...body, evidenceIds: type ? [await evidence(env, VILLAGE, type)] : [] }), 201);
      expect(res.household.version).toBe(version + 1);
      version = res.household.version;
    }
    const after = await getHousehold(env, h.id);
    expect(after.members.map((m: any) => m.name).sort()).toEqual(['将外出', '新生儿'].sort());
    expect(after.members.find((m: any) => m.name === '将外出')).toMatchObject({ employment: 'outside', laborAbility: 'semi', disability: { category: '肢体', level: 3 } });
    const hist = await history(env, h.id);
    expect(hist.verification).toMatchObject({ valid: true, entries: 8, problems: [] });
    expect(hist.entries.map((e: any) => e.change)).toEqual(['registered', 'member_added', 'member_changed', 'member_changed', 'member_changed', 'member_left', 'member_left', 'member_left']);
    expect(hist.entries[2]).toMatchObject({ date: today(), before: { member: { employment: 'local' } }, after: { kind: 'employment', member: { employment: 'outside' } } });
    expect(hist.entries[7]).toMatchObject({ after: { kind: 'death', member: null }, evidence: [{ type: 'death_certificate' }] });
    expect(hist.entries[7].reason).toMatch(/^死亡：/);
    // village users see the history with ID numbers masked
    const masked = await history(env, h.id, VILLAGE);
    expect(masked.entries[7].before.member.idNumberMasked).toMatch(/^\d{4}\*+\w{4}$/);

    // a row changed behind the service: the history no longer verifies
    await env.ds.query(`UPDATE household_members SET employment = 'local' WHERE "householdId" = '${h.id}' AND name = '将外出'`);
    expect((await history(env, h.id)).verification).toMatchObject({ valid: false, problems: ['changed_outside_history'] });
  });

  it('an event is judged on the household version in force, and its audit entry names that version', async () => {
    const h = await fresh([{ name: '版本户', birthDate: '1961-06-06' }, { name: '版本户妻', birthDate: '1963-07-07', gender: 'female' }]);
    const created = await expectOk(
      await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ householdId: h.id, channel: 'self_report', riskDescription: '户主突发脑梗住院，自付医疗费用约4万元' }),
      201,
    );
    const changed = await expectOk(await memberChange(env, VILLAGE, h.id, h.members[1].id, { version: 1, kind: 'employment', employment: 'outside', date: today(), reason: '经入户核实已外出务工', evidenceIds: [] }), 201);
    expect(changed.household.version).toBe(2);
    const ev = await uploadAll(env, VILLAGE, created.id, ['household_survey', 'income_calculation']);
    // SF-05: the wage of the member now recorded working away is accepted; count and rules are the version in force
    const verified = await expectOk(await send(env, VILLAGE, created.id, { type: 'RECORD_VERIFICATION', evidenceIds: ev, data: { conclusion: 'include', income: { periodStart: '2025-01-01', periodEnd: '2025-12-31', lines: [{ category: 'wage', memberId: h.members[1].id, amount: 6000, workplace: '江苏苏州' }] }, rigidExpenditure: { medical: 0, education: 0 }, guarantees: { education: true, medical: true, housing: true, water: true }, riskTypes: ['illness'] } }));
    expect(verified.data.verification).toMatchObject({ members: 2, registryVersion: 2, totalIncome: 6000, perCapitaNetIncome: 3000 });
    const entries = await expectOk(await env.http().get(`/cases/${created.id}/history`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    expect(entries.map((e: any) => [e.event, e.householdVersion])).toEqual([['CREATE', 1], ['RECORD_VERIFICATION', 2]]);
    // the version is inside the hash: the chain still verifies
    expect((await expectOk(await env.http().get(`/cases/${created.id}/verify`).set('Authorization', `Bearer ${await env.token(COUNTY)}`))).valid).toBe(true);
  });

  it('SF-10: the death of the only working member of an unmonitored household opens a registry_change lead for the village; no client can claim that channel', async () => {
    const h = await fresh([{ name: '唯一劳力', birthDate: '1970-08-08', employment: 'outside' }, { name: '老母亲', birthDate: '1940-09-09', gender: 'female', employment: 'none', laborAbility: 'none' }]);
    const forged = await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ householdId: h.id, channel: 'registry_change', riskDescription: '自称家庭成员变动发现风险' });
    expect(forged.status).toBe(400);
    const res = await expectOk(await memberChange(env, TOWNSHIP, h.id, h.members[0].id, { version: 1, kind: 'death', date: today(), reason: '因病医治无效死亡', evidenceIds: [await evidence(env, TOWNSHIP, 'death_certificate')] }), 201);
    expect(res.consequences).toEqual([expect.objectContaining({ kind: 'inclusion_lead', role: 'village', areaCode: HUOZHUANG })]);
    const lead = await expectOk(await getCase(env, VILLAGE, res.consequences[0].caseId));
    expect(lead).toMatchObject({ procedure: 'monitoring-inclusion', state: 'lead', data: { channel: 'registry_change', registryChange: { householdId: h.id, event: 'death' } } });
    const mine = await alerts(env, VILLAGE);
    expect(mine.items.find((a: any) => a.caseId === lead.id)).toMatchObject({ kind: 'inclusion_lead', status: 'open' });
    // the township does not get the village's lead alert
    expect((await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === lead.id)).toBeUndefined();
    const notes = await expectOk(await env.http().get('/notifications').set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(notes.items.some((n: any) => n.caseId === lead.id && n.kind === 'task')).toBe(true);
    // a death in a household that still has a worker opens nothing
    const h2 = await fresh([{ name: '一劳力', birthDate: '1971-08-08' }, { name: '二劳力', birthDate: '1973-08-08' }]);
    const res2 = await expectOk(await memberChange(env, VILLAGE, h2.id, h2.members[0].id, { version: 1, kind: 'death', date: today(), reason: '因病医治无效死亡', evidenceIds: [await evidence(env, VILLAGE, 'death_certificate')] }), 201);
    expect(res2.consequences).toEqual([]);
  });

  it('a monitoring object’s household changing size: the village is told the per-capita income recomputed on the new size', async () => {
    await shortNotice(env);
    const h = await fresh([{ name: '监测户', birthDate: '1962-01-01' }, { name: '监测户妻', birthDate: '1964-01-01', gender: 'female' }, { name: '监测户子', birthDate: '1990-01-01' }]);
    await inclusionCase(env, 'included', { householdId: h.id });
    const cur = await getHousehold(env, h.id);
    const baby = regId(today(), 'male');
    const res = await expectOk(
      await addMember(env, VILLAGE, h.id, { version: cur.version, kind: 'birth', date: today(), reason: '新生儿出生登记入户', evidenceIds: [await evidence(env, VILLAGE, 'birth_certificate')], member: { name: '监测户孙', idNumber: baby, relation: '孙子', gender: 'male', birthDate: today(), laborAbility: 'none', employment: 'none' } }),
      201,
    );
    const a = res.consequences.find((c: any) => c.kind === 'household_size_changed');
    expect(a).toMatchObject({ role: 'village' });
    const listed = (await alerts(env, VILLAGE)).items.find((x: any) => x.id === a.alertId);
    // verificationData: 12,000 yuan for 3 members = 4,000 per person; now 4 members
    expect(listed.data).toMatchObject({ membersBefore: 3, membersAfter: 4, totalIncome: 12000, perCapitaBefore: 4000, perCapitaRecomputed: 3000 });
  });

  it('trust: a re-import declared the full export of a village records the members it omits as moved away (迁出), with history and the consequences of a member change; a household omitted whole is kept and reported (issue 19)', async () => {
    const FULL_VILLAGE = '411003100299';
    await env.ds.query(`INSERT INTO areas (code, name, level, "parentCode", "createdAt") VALUES ('${FULL_VILLAGE}', '全量村', 'village', '411003100000', ${target === 'postgres' ? 'now()' : "'2024-01-01 00:00:00'"})`);
    const [p1, p2, p3, q1, q2, r1] = [
      regId('1961-11-11', 'male'), regId('1963-12-12', 'female'), regId('1991-10-10', 'male'),
      regId('1957-09-19', 'male'), regId('1986-08-18', 'female'), regId('1972-07-17', 'male'),
    ];
    const codeP = `P${randomUUID().slice(0, 8)}`;
    const codeQ = `Q${randomUUID().slice(0, 8)}`;
    const codeR = `R${randomUUID().slice(0, 8)}`;
    const P: RegRow[] = [
      { code: codeP, householder: '全一', name: '全一', idNumber: p1, relation: '户主', gender: '男', birthDate: '1961-11-11', village: FULL_VILLAGE },
      { code: codeP, householder: '全一', name: '全二', idNumber: p2, relation: '妻子', gender: '女', birthDate: '1963-12-12', village: FULL_VILLAGE },
      { code: codeP, householder: '全一', name: '全三', idNumber: p3, relation: '儿子', gender: '男', birthDate: '1991-10-10', village: FULL_VILLAGE },
    ];
    const Q: RegRow[] = [
      { code: codeQ, householder: '整一', name: '整一', idNumber: q1, relation: '户主', gender: '男', birthDate: '1957-09-19', village: FULL_VILLAGE },
      { code: codeQ, householder: '整一', name: '整二', idNumber: q2, relation: '女儿', gender: '女', birthDate: '1986-08-18', village: FULL_VILLAGE },
    ];
    const R: RegRow[] = [{ code: codeR, householder: '新一', name: '新一', idNumber: r1, relation: '户主', gender: '男', birthDate: '1972-07-17', village: FULL_VILLAGE }];
    const first = await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, registryCsv([...P, ...Q])), 202)).id);
    expect(first).toMatchObject({ status: 'completed', fullExport: false, counts: { householdsCreated: 2, created: 5 } });
    const byId = async (id: string) => (await expectOk(await env.http().get(`/households?q=${id}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`))).items[0];
    const hP = await byId(p1);
    const hQ = await byId(q1);
    const fullUpload = async (file: Buffer, flag: string, user = COUNTY) =>
      env.http().post('/imports/households').set('Authorization', `Bearer ${await env.token(user)}`).field('fullExport', flag).attach('file', file, 'full.csv');
    const omitting = registryCsv([P[0], P[1], ...R]);

    // a declaration that is neither yes nor no is refused, naming the field; a village cannot load files at all
    const bad = await fullUpload(omitting, 'maybe');
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(bad.body.details.fields.fullExport).toMatch(/全量导出/);
    expect((await fullUpload(omitting, 'true', VILLAGE)).status).toBe(403);

    // not declared: a member the file omits is kept, as before
    const plain = await waitForRegistryImport(env, (await expectOk(await env.http().post('/imports/households').set('Authorization', `Bearer ${await env.token(COUNTY)}`).attach('file', registryCsv([P[0], P[1], ...Q]), 'plain.csv'), 202)).id);
    expect(plain.counts.left).toBeUndefined();
    expect((await getHousehold(env, hP.id)).members).toHaveLength(3);

    // declared, but a row of the file is refused: nothing is recorded as left (the refused row may be the member)
    const withBadRow = registryCsv([P[0], P[1], { ...R[0], idNumber: badCheck(r1) }]);
    const refused = await waitForRegistryImport(env, (await expectOk(await fullUpload(withBadRow, 'true'), 202)).id);
    expect(refused).toMatchObject({ fullExport: true, counts: { invalid: 1, left: 0, householdsAbsent: 0, fullExportSkipped: expect.stringMatching(/未通过校验/) } });
    expect((await getHousehold(env, hP.id)).members).toHaveLength(3);

    // declared and accepted whole: 全三 has left (迁出); household Q, omitted whole, is kept and reported
    // every instance's (the import's worker holds its own reference)
    const judged = jest.spyOn(RegistryWatch.prototype, 'afterChange');
    let full: any;
    let calls: typeof judged.mock.calls = [];
    try {
      full = await waitForRegistryImport(env, (await expectOk(await fullUpload(omitting, 'true'), 202)).id);
      calls = [...judged.mock.calls];
    } finally {
      judged.mockRestore();
    }
    expect(full).toMatchObject({ status: 'completed', fullExport: true, counts: { householdsCreated: 1, created: 1, unchanged: 2, left: 1, householdsAbsent: 1, fullExportSkipped: null } });
    const after = await getHousehold(env, hP.id);
    expect(after.members.map((m: any) => m.idNumber).sort()).toEqual([p1, p2].sort());
    expect(after.version).toBe(2);
    const hist = await history(env, hP.id);
    expect(hist.verification).toMatchObject({ valid: true, entries: 2, problems: [] });
    expect(hist.entries[1]).toMatchObject({
      version: 2,
      change: 'member_left',
      date: today(),
      reason: expect.stringMatching(/^迁出：全量导出《full\.csv》未列出该成员/),
      before: { member: { idNumberMasked: maskIdNumber(p3), name: '全三' } },
      after: { kind: 'moved_away', member: null },
      evidence: [{ id: full.id, type: 'household_import', sha256: full.sha256 }],
      source: `import:${full.id}`,
    });
    // the departure is judged by the same rules as a member change 迁出: one path for both doors
    const leaving = calls.map((c) => c[1]).filter((a) => a.change.change === 'member_left');
    expect(leaving).toHaveLength(1);
    expect(leaving[0]).toMatchObject({ kind: 'moved_away', household: { id: hP.id, version: 2 } });
    expect(leaving[0].before.map((m: any) => m.idNumber).sort()).toEqual([p1, p2, p3].sort());
    expect(leaving[0].after.map((m: any) => m.idNumber).sort()).toEqual([p1, p2].sort());
    const untouched = await getHousehold(env, hQ.id);
    expect({ members: untouched.members.length, version: untouched.version }).toEqual({ members: 2, version: 1 });
    const report = await registryReport(env, full.id);
    const outcomes = report.slice(1).map((r) => [r[3], r[6], r[9]]);
    expect(outcomes).toEqual(expect.arrayContaining([[p3, 'left', hP.id], [q1, 'absent', hQ.id], [q2, 'absent', hQ.id]]));
    expect(report.slice(1).filter((r) => r[6] === 'left' || r[6] === 'absent')).toHaveLength(3);

    // the same full export again: nobody else has left, nothing changes
    const again = await waitForRegistryImport(env, (await expectOk(await fullUpload(omitting, 'true'), 202)).id);
    expect(again.counts).toMatchObject({ left: 0, householdsAbsent: 1, unchanged: 3 });
    expect((await getHousehold(env, hP.id)).version).toBe(2);
  });

  describe('SF-13, SF-15: a post holder whose household changes', () => {
    const COUNTY_CODE = '411003000000';
    // the first day of last month on China's calendar (at 00:30 Beijing on the 1st the UTC month is still the one before)
    const hire = (postId: string, memberId: string) => hireOnDuty(env, postId, memberId);
    let postId: string;
    beforeAll(async () => {
      postId = await openWaterPost(env, 5, { 'posts.neverAge': { min: 55 } });
    });

    it('SF-15: a holder now working away → the township’s task to terminate, in its alerts, notifications and to-do; the village does not get it', async () => {
      const h = await fresh([{ name: '岗位人员', birthDate: '1972-03-03', laborAbility: 'weak' }, { name: '岗位人员妻', birthDate: '1974-03-03', gender: 'female' }]);
      const caseId = await hire(postId, h.members[0].id);
      const cur = await getHousehold(env, h.id);
      const res = await expectOk(await memberChange(env, VILLAGE, h.id, h.members[0].id, { version: cur.version, kind: 'employment', employment: 'outside', date: today(), reason: '经入户核实本人已外出务工', evidenceIds: [] }), 201);
      expect(res.consequences).toEqual([expect.objectContaining({ kind: 'post_holder_away', role: 'township', caseId })]);
      expect((await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === caseId)).toMatchObject({ kind: 'post_holder_away', householdVersion: cur.version + 1, data: { exitReason: 'working_away' } });
      expect((await alerts(env, VILLAGE)).items.find((a: any) => a.caseId === caseId)).toBeUndefined();
      const notes = await expectOk(await env.http().get('/notifications').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`));
      expect(notes.items.some((n: any) => n.caseId === caseId && /外出务工/.test(n.title))).toBe(true);
      const todo = await expectOk(await env.http().get('/tasks?procedure=welfare-post-hiring&pageSize=200').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`));
      expect(todo.items.find((t: any) => t.id === caseId)).toBeTruthy();
      // terminated: the alert is settled
      await expectOk(await send(env, TOWNSHIP, caseId, { type: 'TERMINATE', evidenceIds: await uploadAll(env, TOWNSHIP, caseId, ['review_opinion']), data: { exitReason: 'working_away' }, reason: '经入户核查本人已外出务工三个月' }));
      expect((await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === caseId)).toBeUndefined();
      expect((await alerts(env, TOWNSHIP, '?status=resolved')).items.find((a: any) => a.caseId === caseId)).toMatchObject({ status: 'resolved' });
    });

    it('SF-15: a household now with as many members away as posts.maxMembersAway → the same task', async () => {
      const h = await fresh([{ name: '在岗户主', birthDate: '1968-04-04', laborAbility: 'weak' }, { name: '子一', birthDate: '1992-04-04' }, { name: '子二', birthDate: '1994-04-04', employment: 'outside' }]);
      const caseId = await hire(postId, h.members[0].id);
      const cur = await getHousehold(env, h.id);
      const res = await expectOk(await memberChange(env, VILLAGE, h.id, h.members[1].id, { version: cur.version, kind: 'employment', employment: 'outside', date: today(), reason: '经入户核实已外出务工', evidenceIds: [] }), 201);
      expect(res.consequences).toEqual([expect.objectContaining({ kind: 'household_members_away', role: 'township', caseId })]);
      expect((await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === caseId).data).toMatchObject({ membersAway: 2, maxMembersAway: 2 });
    });

    it('SF-13: a holder at posts.neverAge → the township’s task, once', async () => {
      const h = await fresh([{ name: '年长在岗', birthDate: '1962-05-05', laborAbility: 'weak' }]);
      const caseId = await hire(postId, h.members[0].id);
      const watch = env.app.get(RegistryWatch);
      await watch.sweepNeverAge();
      expect((await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === caseId && a.kind === 'post_holder_never_age')).toBeUndefined();
      // the county lowers the age (a policy in force now): the holder is over it
      await expectOk(await env.http().put(`/policies/${COUNTY_CODE}`).set('Authorization', `Bearer ${await env.token('admin')}`).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'posts.neverAge': 60, 'posts.maxAge': 59 } }), 201);
      await watch.sweepNeverAge();
      await watch.sweepNeverAge();
      const found = (await alerts(env, TOWNSHIP)).items.filter((a: any) => a.caseId === caseId && a.kind === 'post_holder_never_age');
      expect(found).toHaveLength(1);
      expect(found[0].data).toMatchObject({ neverAge: 60 });
      await expectOk(await env.http().put(`/policies/${COUNTY_CODE}`).set('Authorization', `Bearer ${await env.token('admin')}`).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'posts.neverAge': 80, 'posts.maxAge': 65 } }), 201);
    });
  });
});
