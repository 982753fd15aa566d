import ExcelJS from 'exceljs';
import { DEMO_PROJECTS, seedProjects } from '../seeds/projects';
import { seedRectification } from '../seeds/rectification';
import { startApp, target, type TestEnv } from './support/harness';
import { secondsFloor, widenPolicyBounds } from './support/policy-bounds';
import { COUNTY, COUNTY2, expectOk, getCase, HUOZHUANG, OTHER_TOWNSHIP, OTHER_VILLAGE, send, TOWNSHIP, upload, uploadAll, VILLAGE } from './support/flows';
import { addMeasure, auth, COUNTY_CODE, daysAgo, monitoringObject, setPolicy, sleep, SUPERVISOR } from './support/elimination';

const LEDGER_COLUMNS = ['序号', '问题', '整改措施', '责任单位', '责任人', '完成时限', '整改进展', '是否销号'];
const MEASURES = '逐户补齐帮扶措施并录入系统，村两委每月走访一次，乡镇每季度抽查';
const PROGRESS = { progress: '已逐户上门走访，补充落实产业和就业帮扶措施并录入系统' };
const CLOSURE = { summary: '问题已整改到位，帮扶措施全部录入', similarChecks: [{ target: '大路陈村（411003100202）', result: '同步排查全部监测户，未发现同类问题' }] };
const OPINION = { opinion: '经抽查核实，整改到位，同意销号' };
const inDays = (n: number) => daysAgo(-n);

async function post(env: TestEnv, user: string, path: string, body: unknown) {
  return env.http().post(path).set('Authorization', await auth(env, user)).send(body as object);
}
async function get(env: TestEnv, user: string, path: string) {
  return env.http().get(path).set('Authorization', await auth(env, user));
}

async function finding(env: TestEnv, over: Record<string, unknown> = {}, user = SUPERVISOR) {
  return expectOk(
    await post(env, user, '/rectification/findings', {
      source: 'city_inspection',
      category: 'monitoring',
      description: '部分监测对象帮扶措施针对性不强，未能因户施策，缺少就业帮扶',
      areas: [HUOZHUANG],
      severity: 'serious',
      ...over,
    }),
    201,
  );
}

async function assign(env: TestEnv, findingId: string, over: Record<string, unknown> = {}, user = COUNTY) {
  return post(env, user, '/procedures/rectification/cases', {
    findingId,
    areaCode: HUOZHUANG,
    responsibleUnit: '霍庄村村民委员会',
    responsiblePerson: '李红梅',
    measures: MEASURES,
    deadline: inDays(30),
    ...over,
  });
}

/** progress with a file, then 申请销号, by `user` (the village by default) */
async function rectify(env: TestEnv, caseId: string, user = VILLAGE) {
  const file = await upload(env, user, 'rectification_evidence', { caseId });
  await expectOk(await send(env, user, caseId, { type: 'RECORD_PROGRESS', evidenceIds: [file.id], data: PROGRESS }));
  return expectOk(await send(env, user, caseId, { type: 'APPLY_CLOSURE', data: CLOSURE }));
}

describe(`rectification ledger: 交办、整改、验收、销号 (SF-26, issue 14) (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
    // deadlines and notices of seconds and a one-day stale threshold are outside the national
    // bounds: lowered first, with a reason (issue 12)
    await widenPolicyBounds(
      env,
      { ...secondsFloor('inclusion.noticePeriod', 'rectification.deadline', 'notifications.deadlineNearBefore'), 'inspection.staleMonitoringAfter': { min: 'PT1S' } },
      '测试环境：整改时限、公示期缩短到秒级，长期监测预警可按天计，以便在测试中等到逾期和预警',
    );
  });
  afterAll(async () => {
    await env?.close();
  });

  it('SF-26: findings are recorded by supervisors and county users only, within their area, with a substantive description', async () => {
    const f = await finding(env);
    expect(f).toMatchObject({ areaCode: HUOZHUANG, source: { id: 'city_inspection', title: '市督查' }, category: { title: '监测帮扶' }, origin: 'manual' });
    for (const user of [VILLAGE, TOWNSHIP]) expect((await post(env, user, '/rectification/findings', {})).status).toBe(403);
    const outside = await post(env, OTHER_TOWNSHIP, '/rectification/findings', {});
    expect(outside.status).toBe(403);
    const bad = await post(env, COUNTY, '/rectification/findings', { source: 'rumour', category: 'monitoring', description: '同意', areas: ['110000000000'], severity: 'general' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields).toHaveProperty(['source']);
    const placeholder = await post(env, COUNTY, '/rectification/findings', { source: 'audit', category: 'project_funds', description: '情况属实', areas: ['411003199999'], severity: 'general' });
    expect(placeholder.status).toBe(400);
    expect(Object.keys(placeholder.body.details.fields).sort()).toEqual(['areas', 'description']);
  });

  it('SF-26: bulk entry from a CSV: good rows recorded, bad rows reported', async () => {
    const csv = Buffer.from(
      '\uFEFF问题来源,问题类别,问题描述,涉及区划,严重程度\r\n' +
        '审计,项目资金,部分产业项目联农带农机制不明确，收益分配方案未公示,411003100201、411003100202,较重\r\n' +
        '小道消息,监测帮扶,整户纳入低保但未纳入监测，存在体外循环风险,411003100201,一般\r\n' +
        '国家考核评估,监测帮扶,同意,411003100201,一般\r\n',
    );
    const res = await env.http().post('/rectification/findings/import').set('Authorization', await auth(env, COUNTY)).attach('file', csv, 'findings.csv');
    const out = await expectOk(res, 201);
    expect(out).toMatchObject({ rows: 3, recorded: 1, refused: 2 });
    expect(out.report[1]).toMatchObject({ row: 3, ok: false });
    expect(out.report[1].problems).toHaveProperty('source');
    expect(out.report[2].problems).toHaveProperty('description');
    const recorded = await expectOk(await get(env, COUNTY, `/rectification/findings/${out.report[0].findingId}`));
    expect(recorded).toMatchObject({ areaCode: '411003100000', areas: ['411003100201', '411003100202'], source: { id: 'audit' }, category: { id: 'project_funds' }, origin: 'import' });
    expect((await env.http().post('/rectification/findings/import').set('Authorization', await auth(env, VILLAGE)).attach('file', csv, 'findings.csv')).status).toBe(403);
  });

  it('SF-26: 交办 is by the township or county, within its area; one open item per finding and area; no past deadline', async () => {
    const f = await finding(env);
    expect((await assign(env, f.id, {}, VILLAGE)).status).toBe(403);
    expect((await assign(env, f.id, {}, OTHER_TOWNSHIP)).status).toBe(404);
    const past = await assign(env, f.id, { deadline: daysAgo(3) });
    expect(past.status).toBe(422);
    expect(past.body.details.rule).toBe('deadline_not_past');
    expect((await assign(env, f.id, { measures: '整改' })).status).toBe(400);
    const item = await expectOk(await assign(env, f.id), 201);
    expect(item).toMatchObject({ procedure: 'rectification', state: 'rectifying', areaCode: HUOZHUANG });
    const twice = await assign(env, f.id);
    expect(twice.status).toBe(422);
    expect(twice.body.details).toMatchObject({ rule: 'open_item_exists', caseId: item.id });
  });

  it('SF-24: a finding from a detector cannot be closed while the detector still lists it, and closes once the data is fixed', async () => {
    await setPolicy(env, { 'inclusion.noticePeriod': 'PT1S' });
    const D = await monitoringObject(env);
    await setPolicy(env, { 'inspection.staleMonitoringAfter': 'P1D' });
    const key = `monitoring-object:${D.moId}`;
    const made = await expectOk(await post(env, SUPERVISOR, '/rectification/findings/from-inspection', { detector: 'stale-monitoring', params: { areaCode: HUOZHUANG } }), 201);
    expect(made).toMatchObject({ detector: 'stale-monitoring', finding: 'SF-11', params: { areaCode: HUOZHUANG } });
    const f = made.created.find((c: any) => c.detector.subjectKey === key);
    expect(f).toMatchObject({ origin: 'detector', source: { id: 'system_detection' }, areaCode: HUOZHUANG, detector: { id: 'stale-monitoring', params: { areaCode: HUOZHUANG }, scopeArea: COUNTY_CODE } });
    // one finding per subject: the same call does not record it twice
    const again = await expectOk(await post(env, SUPERVISOR, '/rectification/findings/from-inspection', { detector: 'stale-monitoring', params: { areaCode: HUOZHUANG } }), 201);
    expect(again.created.map((c: any) => c.detector.subjectKey)).not.toContain(key);
    expect(again.existing).toContainEqual({ subjectKey: key, findingId: f.id });
    expect((await post(env, VILLAGE, '/rectification/findings/from-inspection', { detector: 'stale-monitoring' })).status).toBe(403);
    expect((await post(env, SUPERVISOR, '/rectification/findings/from-inspection', { detector: 'everything' })).status).toBe(400);

    const item = await expectOk(await assign(env, f.id, { measures: '对长期未落实帮扶的监测户逐户制定帮扶计划并落实措施' }), 201);
    await rectify(env, item.id);
    // 数字整改: the paperwork says done, the records do not
    const refused = await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'detector_cleared', detector: 'stale-monitoring', subjectKey: key } });
    const view = await expectOk(await getCase(env, COUNTY, item.id));
    expect(view.availableActions.find((a: any) => a.event === 'ACCEPT')).toMatchObject({ allowed: false, blockedBy: 'RULE_VIOLATED', rules: ['detector_cleared'] });
    expect(view.state).toBe('acceptance');

    // the data is fixed: a measure is recorded for the household
    await addMeasure(env, D.moId);
    const closed = await expectOk(await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION }));
    expect(closed.state).toBe('closed');
    const listed = await expectOk(await get(env, COUNTY, `/rectification/items?areaCode=${HUOZHUANG}&status=closed&source=system_detection&pageSize=200`));
    expect(listed.items.find((i: any) => i.caseId === item.id)).toMatchObject({ status: 'closed', detector: 'stale-monitoring', progressCount: 1 });
    await setPolicy(env, { 'inspection.staleMonitoringAfter': null, 'inclusion.noticePeriod': null });
  });

  it('SF-26: a return at acceptance with its reason sends the item back to 整改中; the assigning township then closes it', async () => {
    const f = await finding(env, { source: 'county_self_check', category: 'work' }, COUNTY);
    const item = await expectOk(await assign(env, f.id, {}, TOWNSHIP), 201);
    await rectify(env, item.id);
    expect((await send(env, TOWNSHIP, item.id, { type: 'RETURN', data: {} })).status).toBe(422);
    // the county did not assign it: the township accepts (谁交办、谁验收)
    const notAssigner = await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION });
    expect(notAssigner.status).toBe(422);
    expect(notAssigner.body.details.rule).toBe('at_assigning_level');
    const returned = await expectOk(await send(env, TOWNSHIP, item.id, { type: 'RETURN', reason: '佐证材料只有照片，缺少走访记录，请补充后再申请销号', data: {} }));
    expect(returned.state).toBe('rectifying');
    const row = (await expectOk(await get(env, TOWNSHIP, `/rectification/items?areaCode=${HUOZHUANG}&pageSize=200`))).items.find((i: any) => i.caseId === item.id);
    expect(row).toMatchObject({ status: 'rectifying', returns: 1 });
    await rectify(env, item.id);
    expect((await expectOk(await send(env, TOWNSHIP, item.id, { type: 'ACCEPT', data: OPINION }))).state).toBe('closed');
  });

  it('SF-25: the same user is refused as rectifier and acceptor; another user of the assigning level accepts', async () => {
    const f = await finding(env, { areas: [COUNTY_CODE], category: 'responsibility' });
    // a county-level item: the county's own units rectify it
    const item = await expectOk(await assign(env, f.id, { areaCode: COUNTY_CODE, responsibleUnit: '建安区农业农村局', responsiblePerson: '周敏' }), 201);
    // a village user does not rectify the county's item
    expect((await send(env, VILLAGE, item.id, { type: 'APPLY_CLOSURE', version: 1, data: CLOSURE })).status).toBe(404);
    await rectify(env, item.id, COUNTY2);
    const self = await send(env, COUNTY2, item.id, { type: 'ACCEPT', data: OPINION });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('SEPARATION_OF_DUTIES');
    expect((await send(env, COUNTY2, item.id, { type: 'RETURN', reason: '自己退回自己整改的事项试试看', data: {} })).status).toBe(403);
    // the assigner, who did not rectify, accepts
    expect((await expectOk(await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION }))).state).toBe('closed');
    // the definition says so
    const def = await expectOk(await get(env, COUNTY, '/procedures/rectification'));
    expect(def.events.find((e: any) => e.type === 'ACCEPT')).toMatchObject({ role: ['county', 'township'], review: true, separateFrom: ['rectifying'] });
  });

  it('forbidden steps: a county user may not rectify a village item, progress needs evidence, nothing after 销号', async () => {
    const f = await finding(env);
    const item = await expectOk(await assign(env, f.id), 201);
    const file = await upload(env, COUNTY, 'rectification_evidence', { caseId: item.id });
    const byCounty = await send(env, COUNTY, item.id, { type: 'RECORD_PROGRESS', evidenceIds: [file.id], data: PROGRESS });
    expect(byCounty.status).toBe(422);
    expect(byCounty.body.details.rule).toBe('at_responsible_level');
    const noFile = await send(env, VILLAGE, item.id, { type: 'RECORD_PROGRESS', data: PROGRESS });
    expect(noFile).toMatchObject({ status: 422, body: { code: 'EVIDENCE_MISSING' } });
    const early = await send(env, VILLAGE, item.id, { type: 'APPLY_CLOSURE', data: CLOSURE });
    expect(early.body.details.rule).toBe('progress_recorded');
    const noSimilar = await send(env, VILLAGE, item.id, { type: 'APPLY_CLOSURE', data: { summary: CLOSURE.summary } });
    expect(noSimilar.status).toBe(400);
    await rectify(env, item.id);
    expect((await send(env, VILLAGE, item.id, { type: 'ACCEPT', data: OPINION })).status).toBe(403);
    await expectOk(await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION }));
    expect((await send(env, VILLAGE, item.id, { type: 'RECORD_PROGRESS', data: PROGRESS })).status).toBe(409);
  });

  it('SF-04: an overdue item notifies the responsible area and is listed as overdue', async () => {
    await setPolicy(env, { 'rectification.deadline': 'PT2S', 'notifications.deadlineNearBefore': 'PT1S' });
    const f = await finding(env, { category: 'three_guarantees' });
    const item = await expectOk(await assign(env, f.id, { deadline: undefined }), 201);
    let kinds: string[] = [];
    for (let i = 0; i < 100 && !kinds.includes('deadline_overdue'); i++) {
      await sleep(200);
      kinds = (await expectOk(await get(env, VILLAGE, '/notifications?pageSize=200'))).items.filter((n: any) => n.caseId === item.id).map((n: any) => n.kind);
    }
    expect(kinds).toContain('deadline_overdue');
    const overdue = await expectOk(await get(env, COUNTY, `/rectification/items?overdue=true&category=three_guarantees&pageSize=200`));
    expect(overdue.items.map((i: any) => i.caseId)).toContain(item.id);
    expect((await expectOk(await get(env, COUNTY, `/rectification/items?overdue=false&pageSize=200`))).items.map((i: any) => i.caseId)).not.toContain(item.id);
    const figures = await expectOk(await get(env, COUNTY, `/rectification/figures?areaCode=${HUOZHUANG}`));
    expect(figures.byCategory.find((c: any) => c.id === 'three_guarantees')).toMatchObject({ title: '三保障和饮水安全', items: 1, closed: 0, overdue: 1, closureRate: 0 });
    expect(figures.total.closed).toBeGreaterThan(0);
    expect(figures.bySource.find((s: any) => s.id === 'system_detection')).toMatchObject({ closed: 1 });
    await setPolicy(env, { 'rectification.deadline': null, 'notifications.deadlineNearBefore': null });
  });

  it('the ledger as CSV and XLSX has the seed documents\' columns, per area and level', async () => {
    const csv = await get(env, TOWNSHIP, `/rectification/ledger?format=csv&areaCode=${HUOZHUANG}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0].split(',')).toEqual(LEDGER_COLUMNS);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[1].startsWith('1,')).toBe(true);
    expect(csv.text).toContain('霍庄村村民委员会');
    expect(csv.text).toMatch(/,是\r\n/);

    const xlsx = await env
      .http()
      .get(`/rectification/ledger?format=xlsx&areaCode=${HUOZHUANG}&level=township`)
      .set('Authorization', await auth(env, TOWNSHIP))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(LEDGER_COLUMNS);
    // level=township: only the items the township assigned (one, closed after a return)
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(8).value).toBe('是');
    const json = await expectOk(await get(env, TOWNSHIP, `/rectification/ledger?areaCode=${HUOZHUANG}&level=township`));
    expect(json.columns).toEqual(LEDGER_COLUMNS);
  });

  it('area isolation: another village or township sees none of these items, findings or ledger rows', async () => {
    const f = await finding(env);
    const item = await expectOk(await assign(env, f.id), 201);
    expect((await getCase(env, OTHER_VILLAGE, item.id)).status).toBe(404);
    expect((await send(env, OTHER_VILLAGE, item.id, { type: 'RECORD_PROGRESS', version: 1, data: PROGRESS })).status).toBe(404);
    expect((await get(env, OTHER_TOWNSHIP, `/rectification/findings/${f.id}`)).status).toBe(404);
    expect((await get(env, OTHER_VILLAGE, `/rectification/items?areaCode=${HUOZHUANG}`)).status).toBe(404);
    const theirs = await expectOk(await get(env, OTHER_TOWNSHIP, '/rectification/items?pageSize=200'));
    expect(theirs.items.every((i: any) => i.areaCode.startsWith('411003101'))).toBe(true);
    expect((await expectOk(await get(env, OTHER_TOWNSHIP, '/rectification/findings?pageSize=200'))).items.map((x: any) => x.id)).not.toContain(f.id);
    const csv = await get(env, OTHER_TOWNSHIP, '/rectification/ledger?format=csv');
    expect(csv.text).not.toContain('霍庄村村民委员会');
    // the village sees its own finding and item
    expect((await expectOk(await get(env, VILLAGE, `/rectification/findings/${f.id}`))).items.map((i: any) => i.caseId)).toContain(item.id);
    expect((await get(env, 'admin', '/rectification/items')).status).toBe(403);
  });

  it('the demo seeds carry items at every stage, and seeding twice adds nothing', async () => {
    const first = await seedRectification(env.app);
    expect(first.items).toBeGreaterThan(0);
    const again = await seedRectification(env.app);
    expect(again).toMatchObject({ findings: 0, items: 0 });
    const ledger = await expectOk(await get(env, COUNTY, '/rectification/ledger'));
    const states = new Set(ledger.rows.map((r: any) => r.status));
    expect([...states].sort()).toEqual(['acceptance', 'closed', 'rectifying']);
  });
  // ---------------------------------------------------------------- issue 19 (trust, round two)

  it('trust: SF-26/SF-24 after a return at acceptance, 销号 is applied for again only once new progress is recorded (no 表面整改)', async () => {
    const f = await finding(env, { category: 'work' }, COUNTY);
    const item = await expectOk(await assign(env, f.id), 201);
    await rectify(env, item.id);
    await expectOk(await send(env, COUNTY, item.id, { type: 'RETURN', reason: '走访记录不全，缺少户主签字，请补充后再申请销号', data: {} }));
    // the same paperwork again, nothing recorded since the return
    const again = await send(env, VILLAGE, item.id, { type: 'APPLY_CLOSURE', data: CLOSURE });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'progress_after_return', returnReason: '走访记录不全，缺少户主签字，请补充后再申请销号' } });
    expect(again.body.message).toContain('表面整改');
    const view = await expectOk(await getCase(env, VILLAGE, item.id));
    expect(view.state).toBe('rectifying');
    expect(view.availableActions.find((a: any) => a.event === 'APPLY_CLOSURE')).toMatchObject({ allowed: false, rules: ['progress_after_return'] });
    // progress recorded after the return: the application goes through, and is accepted
    const applied = await rectify(env, item.id);
    expect(applied.state).toBe('acceptance');
    expect((await expectOk(await send(env, COUNTY, item.id, { type: 'ACCEPT', data: OPINION }))).state).toBe('closed');
  });

  it('trust: SF-26 交办 only to an area the finding concerns (or inside one); 系统检测 only for detector-born findings', async () => {
    const f = await finding(env, { category: 'policy' });
    // 张庄村 of another township, and the township above the finding's village: neither is concerned
    for (const areaCode of ['411003101201', '411003100000', '411003000000']) {
      const res = await assign(env, f.id, { areaCode });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'RULE_VIOLATED', details: { rule: 'area_of_finding', areaCode, findingAreas: [HUOZHUANG] } });
    }
    expect((await assign(env, f.id, { areaCode: '411003101201' }, OTHER_TOWNSHIP)).status).toBe(404);
    expect((await expectOk(await assign(env, f.id), 201)).areaCode).toBe(HUOZHUANG);
    // a township-wide finding goes to the township or one of its villages
    const wide = await finding(env, { category: 'policy', areas: ['411003100000'] });
    expect((await expectOk(await assign(env, wide.id, { areaCode: '411003100202', responsibleUnit: '大路陈村村民委员会' }), 201)).areaCode).toBe('411003100202');
    expect((await assign(env, wide.id, { areaCode: '411003101201' })).body.details.rule).toBe('area_of_finding');
    // 系统检测 by hand or from a file is refused, naming the field
    const byHand = await post(env, COUNTY, '/rectification/findings', { source: 'system_detection', category: 'monitoring', description: '部分监测对象帮扶措施针对性不强，未能因户施策', areas: [HUOZHUANG], severity: 'general' });
    expect(byHand.status).toBe(400);
    expect(byHand.body.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(byHand.body.details.fields)).toEqual(['source']);
    expect(byHand.body.details.fields.source).toContain('系统检测');
    const csv = Buffer.from('\uFEFF问题来源,问题类别,问题描述,涉及区划,严重程度\r\n系统检测,监测帮扶,部分监测对象帮扶措施针对性不强，未能因户施策,411003100201,一般\r\n');
    const out = await expectOk(await env.http().post('/rectification/findings/import').set('Authorization', await auth(env, COUNTY)).attach('file', csv, 'findings.csv'), 201);
    expect(out).toMatchObject({ rows: 1, recorded: 0, refused: 1 });
    expect(Object.keys(out.report[0].problems)).toEqual(['source']);
  });

  it('trust: SF-26 an item is cancelled (撤销) only by the level that opened it, with a reason, audited; it is then no longer open or overdue', async () => {
    const f = await finding(env, { category: 'industry_employment' }, COUNTY);
    const item = await expectOk(await assign(env, f.id, {}, TOWNSHIP), 201);
    const reason = '问题已并入县级督查整改事项统一办理，本事项撤销';
    // the village rectifies, it does not cancel; the county did not open it; another township does not see it
    expect((await send(env, VILLAGE, item.id, { type: 'CANCEL', reason, data: {} })).status).toBe(403);
    const county = await send(env, COUNTY, item.id, { type: 'CANCEL', reason, data: {} });
    expect(county.status).toBe(422);
    expect(county.body.details.rule).toBe('at_assigning_level');
    expect((await send(env, OTHER_TOWNSHIP, item.id, { type: 'CANCEL', version: 1, reason, data: {} })).status).toBe(404);
    const noReason = await send(env, TOWNSHIP, item.id, { type: 'CANCEL', data: {} });
    expect(noReason).toMatchObject({ status: 422, body: { code: 'REASON_REQUIRED' } });
    const placeholder = await send(env, TOWNSHIP, item.id, { type: 'CANCEL', reason: '撤销', data: {} });
    expect(placeholder.status).toBe(422);
    // still open after every refusal
    expect((await expectOk(await getCase(env, TOWNSHIP, item.id))).state).toBe('rectifying');

    const cancelled = await expectOk(await send(env, TOWNSHIP, item.id, { type: 'CANCEL', reason, data: {} }));
    expect(cancelled.state).toBe('cancelled');
    const history = await expectOk(await env.http().get(`/cases/${item.id}/history`).set('Authorization', await auth(env, COUNTY)));
    expect(history.at(-1)).toMatchObject({ event: 'CANCEL', fromState: 'rectifying', toState: 'cancelled', reason, actor: { username: TOWNSHIP, role: 'township' } });
    expect((await expectOk(await env.http().get(`/cases/${item.id}/verify`).set('Authorization', await auth(env, COUNTY)))).valid).toBe(true);
    expect((await send(env, VILLAGE, item.id, { type: 'RECORD_PROGRESS', data: PROGRESS })).status).toBe(409);
    const row = (await expectOk(await get(env, COUNTY, `/rectification/items?areaCode=${HUOZHUANG}&status=cancelled&pageSize=200`))).items.find((i: any) => i.caseId === item.id);
    expect(row).toMatchObject({ status: 'cancelled', statusTitle: '已撤销', overdue: false });
    expect(row.closedAt).not.toBeNull();
    // the finding is handed over again, to the same area
    expect((await expectOk(await assign(env, f.id, {}, TOWNSHIP), 201)).state).toBe('rectifying');

    // awaiting acceptance, the county cancels the item it opened
    const g = await finding(env, { category: 'industry_employment' }, COUNTY);
    const second = await expectOk(await assign(env, g.id), 201);
    await rectify(env, second.id);
    expect((await expectOk(await send(env, COUNTY, second.id, { type: 'CANCEL', reason, data: {} }))).state).toBe('cancelled');
    const def = await expectOk(await get(env, COUNTY, '/procedures/rectification'));
    expect(def.events.find((e: any) => e.type === 'CANCEL')).toMatchObject({ role: ['county', 'township'], reasonRequired: true });
  });

  it('trust: SF-23 findings from the stalled-projects and overdue-projects detectors; a finding for an area outside the caller\'s is a 404', async () => {
    await seedProjects(env.app);
    // the demo project still only planned: its implementation opened, works started 70 days ago, due yesterday
    const demo = DEMO_PROJECTS.find((d) => d.stage === 'planned')!;
    const plan = await expectOk(await get(env, COUNTY, '/project-plans?year=2026'));
    const projectId = plan.items.find((i: any) => i.name === demo.body.name).projectId;
    const impl = await expectOk(await post(env, VILLAGE, '/procedures/project-implementation/cases', { projectId }), 201);
    await expectOk(
      await send(env, VILLAGE, impl.id, {
        type: 'RECORD_CONTRACT',
        evidenceIds: await uploadAll(env, VILLAGE, impl.id, ['contract', 'start_report']),
        data: { contractNo: 'JA-2026-TRUST14', contractor: '许昌建安建筑工程有限公司', contractAmount: demo.contractAmount, signedOn: daysAgo(72), startedOn: daysAgo(70), plannedEnd: daysAgo(1) },
      }),
    );
    for (const detector of ['stalled-projects', 'overdue-projects']) {
      const listed = await expectOk(await get(env, SUPERVISOR, `/inspection/${detector}?areaCode=${HUOZHUANG}`));
      expect(listed.items.map((i: any) => i.projectId)).toContain(projectId);
      const made = await expectOk(await post(env, SUPERVISOR, '/rectification/findings/from-inspection', { detector, params: { areaCode: HUOZHUANG } }), 201);
      expect(made).toMatchObject({ detector, finding: 'SF-23', listed: listed.items.length });
      const f = made.created.find((c: any) => c.detector.subjectKey === `project:${projectId}`);
      expect(f).toMatchObject({ origin: 'detector', source: { id: 'system_detection' }, category: { id: 'project_funds' }, areaCode: HUOZHUANG });
      expect(f.description).toContain(demo.body.name);
      // not twice
      expect((await expectOk(await post(env, COUNTY, '/rectification/findings/from-inspection', { detector, params: { areaCode: HUOZHUANG } }), 201)).existing).toContainEqual({ subjectKey: `project:${projectId}`, findingId: f.id });
    }
    // outside the caller's area: not there (404), by hand and from a detector
    const outside = await post(env, COUNTY, '/rectification/findings', { source: 'audit', category: 'project_funds', description: '部分产业项目联农带农机制不明确，收益分配方案未公示', areas: ['110101000000'], severity: 'general' });
    expect(outside).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const mixed = await post(env, COUNTY, '/rectification/findings', { source: 'audit', category: 'project_funds', description: '部分产业项目联农带农机制不明确，收益分配方案未公示', areas: [HUOZHUANG, '411002000000'], severity: 'general' });
    expect(mixed.status).toBe(404);
    expect((await post(env, COUNTY, '/rectification/findings/from-inspection', { detector: 'overdue-projects', params: { areaCode: '411002000000' } })).status).toBe(404);
  });
});
