import { createHash, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { checkCharacter } from '../src/common/domain/id-number';
import { CaseEntity } from '../src/database/entities';
import { ImportRunner } from '../src/modules/imports/import-runner.service';
import { AlertImportEntity, EMPTY_COUNTS } from '../src/modules/imports/imports.entities';
import { startApp, target, type TestEnv } from './support/harness';
import {
  COUNTY,
  expectOk,
  getCase,
  HUOZHUANG,
  inclusionCase,
  registerHousehold,
  send,
  shortNotice,
  TOWNSHIP,
  VILLAGE,
} from './support/flows';
import { alertCsv, DEPARTMENT, importReport, memberIds, uploadAlerts, waitForImport } from './support/imports';

const DALUCHEN = '411003100202';
const OTHER_COUNTY_VILLAGE = '411002001001';

/** A valid ID number that no household has. */
function strangerId(n: number): string {
  const first17 = `41100319800101${String(600 + n).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

function badCheckDigit(id: string): string {
  const wrong = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}

describe(`department alert imports (${target})`, () => {
  let env: TestEnv;
  /** households: a fresh one per purpose, so outcomes do not depend on other specs */
  let fresh: string, fresh2: string, monitored: string, withOpenCase: string, openCaseId: string;
  let goodIds: { fresh: string; fresh2: string; monitored: string; withOpenCase: string };

  beforeAll(async () => {
    // small chunks: a 10-row file is committed in four transactions
    env = await startApp({ env: { IMPORT_CHUNK_ROWS: '3' } });
    await shortNotice(env, 'PT1S');
    fresh = await registerHousehold(env);
    fresh2 = await registerHousehold(env, { areaCode: DALUCHEN, user: 'v_daluchen' });
    monitored = (await inclusionCase(env, 'included', { householdId: await registerHousehold(env) })).householdId;
    const open = await inclusionCase(env, 'county_approval', { householdId: await registerHousehold(env) });
    withOpenCase = open.householdId;
    openCaseId = open.id;
    goodIds = {
      fresh: (await memberIds(env, fresh))[0],
      fresh2: (await memberIds(env, fresh2))[0],
      monitored: (await memberIds(env, monitored))[0],
      withOpenCase: (await memberIds(env, withOpenCase))[0],
    };
  });
  afterAll(() => env?.close());

  let importId: string;
  let file: Buffer;

  it('SF-01/SF-06: opens a department_alert case for each matched household, reports every other row, and shows progress', async () => {
    file = alertCsv([
      { idNumber: goodIds.fresh, areaCode: HUOZHUANG, description: '整户低保，2026年10月新纳入' },
      { idNumber: goodIds.fresh2, areaCode: DALUCHEN, source: '特困' },
      { idNumber: goodIds.monitored, areaCode: HUOZHUANG },
      { idNumber: goodIds.withOpenCase, areaCode: HUOZHUANG },
      { idNumber: strangerId(1), areaCode: HUOZHUANG, name: '=1+2' },
      { idNumber: badCheckDigit(strangerId(2)), areaCode: HUOZHUANG },
      { idNumber: strangerId(3), areaCode: OTHER_COUNTY_VILLAGE },
      { idNumber: strangerId(4), areaCode: '411003100000' },
      { idNumber: strangerId(5), areaCode: HUOZHUANG, source: '彩票' },
      { idNumber: goodIds.fresh, areaCode: HUOZHUANG },
    ]);
    const accepted = await expectOk(await uploadAlerts(env, file), 202);
    expect(accepted).toMatchObject({ status: 'queued', source: 'dibao', sourceTitle: '低保', areaCode: '411003000000', sameFileAs: null, reportUrl: null });
    importId = accepted.id;

    const done = await waitForImport(env, importId);
    expect(done.status).toBe('completed');
    expect(done.progress).toEqual({ rowsDone: 10, rowsTotal: 10 });
    expect(done.counts).toEqual({ opened: 2, alreadyMonitored: 1, openCase: 1, unmatched: 1, invalid: 4, duplicate: 1 });
    expect(done.reportUrl).toBe(`/imports/${importId}/report`);

    const [header, ...rows] = await importReport(env, importId);
    expect(header).toEqual(['行号', '姓名', '身份证号', '区划代码', '预警来源', '结果', '结果代码', '问题', '农户编号', '案件编号']);
    expect(rows.map((r) => [r[0], r[6]])).toEqual([
      ['1', 'opened'],
      ['2', 'opened'],
      ['3', 'already_monitored'],
      ['4', 'open_case'],
      ['5', 'unmatched'],
      ['6', 'invalid'],
      ['7', 'invalid'],
      ['8', 'invalid'],
      ['9', 'invalid'],
      ['10', 'duplicate'],
    ]);
    expect(rows[1][4]).toBe('特困');
    // a cell from the file is never a formula in the report
    expect(rows[4][1]).toBe("'=1+2");
    expect(rows[3][9]).toBe(openCaseId);
    expect(rows[5][7]).toContain('校验位');
    expect(rows[6][7]).toContain('不在导入人的管辖范围内');
    expect(rows[7][7]).toContain('村级统计用区划代码');
    expect(rows[8][7]).toContain('预警来源');
    // the uploader sees the ID numbers it sent; the report keeps them
    expect(rows[0][2]).toBe(goodIds.fresh);

    // each new case is a lead like any other: in the village's to-do list, its deadline running (SF-06)
    const caseId = rows[0][9];
    const view = await expectOk(await getCase(env, VILLAGE, caseId));
    expect(view).toMatchObject({ procedure: 'monitoring-inclusion', state: 'lead', subject: { type: 'household', id: fresh } });
    expect(view.data.channel).toBe('department_alert');
    expect(view.data.riskDescription).toContain('部门筛查预警（低保）：整户低保');
    expect(new Date(view.deadline.dueAt).getTime() - new Date(view.createdAt).getTime()).toBe(15 * 86400_000);
    const tasks = await expectOk(await env.http().get('/tasks?procedure=monitoring-inclusion&pageSize=200').set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(tasks.items.map((t: any) => t.id)).toContain(caseId);
    const history = await expectOk(await env.http().get(`/cases/${caseId}/history`).set('Authorization', `Bearer ${await env.token(COUNTY)}`));
    expect(history[0]).toMatchObject({ event: 'CREATE', actor: { username: DEPARTMENT, role: 'department' } });
    // SF-01: a lead cannot be dismissed without a household visit
    const withdraw = await send(env, VILLAGE, caseId, { type: 'WITHDRAW', reason: '经村委研究，暂不核查该户' });
    expect(withdraw.status).toBe(422);

    // the village hears about its new leads; the uploader about the result
    const villageNotes = await expectOk(await env.http().get('/notifications').set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect(villageNotes.items.some((n: any) => n.kind === 'task' && n.data.importId === importId && n.data.opened === 1)).toBe(true);
    const mine = await expectOk(await env.http().get('/notifications').set('Authorization', `Bearer ${await env.token(DEPARTMENT)}`));
    expect(mine.items.find((n: any) => n.kind === 'import_done' && n.data.importId === importId)?.data.counts.opened).toBe(2);
  });

  it('re-importing the same file opens no duplicate case and names the earlier import', async () => {
    const before = await env.ds.getRepository(CaseEntity).countBy({ procedure: 'monitoring-inclusion' });
    const again = await expectOk(await uploadAlerts(env, file), 202);
    expect(again.sameFileAs).toBe(importId);
    const done = await waitForImport(env, again.id);
    expect(done.counts).toEqual({ opened: 0, alreadyMonitored: 1, openCase: 3, unmatched: 1, invalid: 4, duplicate: 1 });
    expect(await env.ds.getRepository(CaseEntity).countBy({ procedure: 'monitoring-inclusion' })).toBe(before);
  });

  it('reads XLSX too, with numeric cells, and a county user may import', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['姓名', '身份证号', '区划代码']);
    const h = await registerHousehold(env);
    ws.addRow(['测试', (await memberIds(env, h))[0], Number(HUOZHUANG)]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const accepted = await expectOk(await uploadAlerts(env, buf, { user: COUNTY, source: 'medical_expense', name: '医保大额.xlsx' }), 202);
    const done = await waitForImport(env, accepted.id, { user: COUNTY });
    expect(done).toMatchObject({ format: 'xlsx', status: 'completed', fileName: '医保大额.xlsx' });
    expect(done.counts.opened).toBe(1);
  });

  it('refuses the wrong role, no source, a legacy .xls and a missing file; hides imports outside the area', async () => {
    const csv = alertCsv([{ idNumber: strangerId(9), areaCode: HUOZHUANG }]);
    expect((await uploadAlerts(env, csv, { user: VILLAGE })).body.code).toBe('ROLE_REQUIRED');
    expect((await uploadAlerts(env, csv, { user: TOWNSHIP })).status).toBe(403);
    expect((await uploadAlerts(env, csv, { user: 'admin' })).status).toBe(403);
    const noSource = await uploadAlerts(env, csv, { source: '彩票' });
    expect(noSource.status).toBe(400);
    expect(noSource.body.details.fields.source).toContain('低保');
    const xls = await uploadAlerts(env, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]), { name: 'old.xls' });
    expect(xls.status).toBe(400);
    expect(xls.body.details.fields.file).toContain('xlsx');
    const nofile = await env.http().post('/imports/department-alerts').set('Authorization', `Bearer ${await env.token(DEPARTMENT)}`).field('source', 'dibao');
    expect(nofile.status).toBe(400);
    expect((await env.http().post('/imports/department-alerts').field('source', 'dibao')).status).toBe(401);

    // a township user is below the county import: it is not theirs to see
    expect((await env.http().get(`/imports/${importId}`).set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`)).status).toBe(404);
    expect((await env.http().get(`/imports/${importId}/report`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`)).status).toBe(404);
    expect((await env.http().get(`/imports/${randomUUID()}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`)).status).toBe(404);
    // the supervisor of the county sees it, with full ID numbers in the report
    const rows = await importReport(env, importId, 's_jianan');
    expect(rows[1][2]).toBe(goodIds.fresh);
  });

  it('workers racing on one import (a stalled job run again, a reconcile) commit each chunk once', async () => {
    const households = [];
    for (let i = 0; i < 4; i++) households.push(await registerHousehold(env));
    const lines = [];
    for (const h of households) lines.push({ idNumber: (await memberIds(env, h))[0], areaCode: HUOZHUANG });
    for (let i = 0; i < 3; i++) lines.push({ idNumber: strangerId(20 + i), areaCode: HUOZHUANG });
    // the import row as an upload leaves it, but not handed to the queue: three runners take it at once
    const file = alertCsv(lines);
    const me = await expectOk(await env.http().get('/auth/me').set('Authorization', `Bearer ${await env.token(DEPARTMENT)}`));
    const id = randomUUID();
    const now = new Date();
    await env.ds.getRepository(AlertImportEntity).insert({
      id, areaCode: '411003000000', source: 'other', fileName: 'race.csv', format: 'csv', sha256: createHash('sha256').update(file).digest('hex'),
      size: file.length, content: file, status: 'queued', rowsTotal: null, rowsDone: 0, counts: { ...EMPTY_COUNTS }, error: null, sameFileAs: null,
      uploadedById: me.id, uploadedByUsername: DEPARTMENT, uploadedByRole: 'department', createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
    });
    const runner = env.app.get(ImportRunner);
    const outcomes = await Promise.all([runner.run(id), runner.run(id), runner.run(id)]);
    expect(outcomes).toContain('completed');
    expect(outcomes.every((o) => o === 'completed' || o === 'skipped')).toBe(true);
    const accepted = { id };
    const done = await waitForImport(env, accepted.id);
    expect(done.counts).toEqual({ opened: 4, alreadyMonitored: 0, openCase: 0, unmatched: 3, invalid: 0, duplicate: 0 });
    expect(done.progress).toEqual({ rowsDone: 7, rowsTotal: 7 });
    const rows = await importReport(env, accepted.id);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    for (const h of households) {
      expect(await env.ds.getRepository(CaseEntity).countBy({ procedure: 'monitoring-inclusion', subjectId: h })).toBe(1);
    }
  });

  it('a file without an ID column fails as a whole, with a reason the uploader can act on', async () => {
    const accepted = await expectOk(await uploadAlerts(env, Buffer.from('姓名,区划代码\n张三,411003100201\n', 'utf8')), 202);
    const done = await waitForImport(env, accepted.id);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('身份证号');
    expect((await env.http().get(`/imports/${accepted.id}/report`).set('Authorization', `Bearer ${await env.token(DEPARTMENT)}`)).status).toBe(409);
  });

  it('SF-01: lists households on the latest 低保 list with no monitoring object and no open case, with the match rate per village', async () => {
    // the household whose case was open at import time is then rejected by the county
    await expectOk(await send(env, COUNTY, openCaseId, { type: 'REJECT', reason: '经县级复核，该户收入明显高于监测标准' }));
    const res = await expectOk(
      await env.http().get('/inspection/unmonitored-assistance?areaCode=411003100000').set('Authorization', `Bearer ${await env.token('s_jianan')}`),
    );
    expect(res.lists.map((l: any) => l.source).sort()).toEqual(['dibao']);
    expect(res.households.map((h: any) => h.householdId)).toContain(withOpenCase);
    expect(res.households.map((h: any) => h.householdId)).not.toContain(monitored);
    const huozhuang = res.villages.find((v: any) => v.areaCode === HUOZHUANG);
    // listed: fresh, monitored, withOpenCase (the 特困 row of 大路陈村 is its own list source; the XLSX list is 医保)
    expect(huozhuang).toMatchObject({ areaName: '霍庄村', listed: 3, monitored: 1, openCase: 1, unmonitored: 1 });
    expect(huozhuang.matchRate).toBeCloseTo(1 / 3, 3);
    // 大路陈村's 特困 row came from the same file, recorded with the row's own source
    expect(res.villages.find((v: any) => v.areaCode === DALUCHEN)).toMatchObject({ listed: 1, openCase: 1 });
    // out of area and wrong role
    expect((await env.http().get('/inspection/unmonitored-assistance?areaCode=411003101000').set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`)).status).toBe(404);
    expect((await env.http().get('/inspection/unmonitored-assistance').set('Authorization', `Bearer ${await env.token('admin')}`)).status).toBe(403);
  });
});
