/**
 * Issue 19, "data must never change silently" and "consequences that must reach someone":
 * household re-imports matched by identity (item 4), SF-15 consequences of a member leaving
 * (item 5), wages attributed to members in every income shape (item 6, SF-05) and limits that
 * refuse instead of truncating (item 3).
 */
import { randomUUID } from 'node:crypto';
import { startApp, type TestEnv, target } from './support/harness';
import { widenPolicyBounds } from './support/policy-bounds';
import { COUNTY, expectOk, HUOZHUANG, send, TOWNSHIP, uploadAll, VILLAGE } from './support/flows';
import { hireOnDuty, openWaterPost } from './support/posts';
import { alerts, getHousehold, regId, registryCsv, registryReport, type RegRow, uploadRegistry, waitForRegistryImport } from './support/registry';

const COUNTY_CODE = '411003000000';

describe(`trust: data never changes silently, consequences reach someone (issue 19, ${target})`, () => {
  let env: TestEnv;
  let postId: string;
  const hire = (memberId: string) => hireOnDuty(env, postId, memberId);

  beforeAll(async () => {
    env = await startApp();
    postId = await openWaterPost(env, 8);
  });
  afterAll(() => env?.close());

  const byCode = async (idNumber: string) => (await expectOk(await env.http().get(`/households?q=${idNumber}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`))).items[0];

  it('trust: SF-15 a monthly re-import whose households arrive in another order than the database returns them is judged on each household’s own members (issue 19 item 4)', async () => {
    // four registered households, one of them with a post holder
    const holder = regId('1972-03-03', 'male');
    const ids = { holder, holderWife: regId('1974-03-03', 'female'), b1: regId('1965-01-01'), c1: regId('1966-02-02'), d1: regId('1967-03-03'), dChild: regId('1995-04-04', 'female') };
    const tag = randomUUID().slice(0, 6);
    const row = (code: string, householder: string, name: string, idNumber: string, relation: string, gender: '男' | '女', birthDate: string, extra: Partial<RegRow> = {}): RegRow =>
      ({ code, householder, name, idNumber, relation, gender, birthDate, village: HUOZHUANG, labour: '弱劳动力或半劳动力', poor: '是', ...extra });
    const codes = { a: `A${tag}`, b: `B${tag}`, c: `C${tag}`, d: `D${tag}` };
    const first: RegRow[] = [
      row(codes.a, '岗一', '岗一', ids.holder, '户主', '男', '1972-03-03'),
      row(codes.a, '岗一', '岗一妻', ids.holderWife, '妻子', '女', '1974-03-03'),
      row(codes.b, '乙一', '乙一', ids.b1, '户主', '男', '1965-01-01'),
      row(codes.c, '丙一', '丙一', ids.c1, '户主', '男', '1966-02-02'),
      row(codes.d, '丁一', '丁一', ids.d1, '户主', '男', '1967-03-03'),
      row(codes.d, '丁一', '丁女', ids.dChild, '女儿', '女', '1995-04-04'),
    ];
    const done1 = await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, registryCsv(first)), 202)).id);
    expect(done1.counts).toMatchObject({ householdsCreated: 4, created: 6, invalid: 0 });
    const hA = await byCode(ids.holder);
    const caseId = await hire(hA.members.find((m: any) => m.name === '岗一').id);

    // the monthly export: the holder now works away (A changed), B's householder changed, D's daughter
    // moved to C, and a new household E. The households come in descending id order — SQLite returns
    // re-read rows in ascending id order, so matching by position would judge A on another household.
    const hs = { a: hA, b: await byCode(ids.b1), c: await byCode(ids.c1), d: await byCode(ids.d1) };
    const rowsOf: Record<string, RegRow[]> = {
      a: [{ ...first[0], employment: '省外务工' }, first[1]],
      b: [{ ...first[2], phone: '13800000009' }],
      c: [first[3], { ...first[5], code: codes.c, householder: '丙一', relation: '侄女' }],
      d: [first[4]],
    };
    const order = (Object.keys(hs) as Array<keyof typeof hs>).sort((x, y) => (hs[x].id < hs[y].id ? 1 : -1));
    const second: RegRow[] = [...order.flatMap((k) => rowsOf[k]), row(`E${tag}`, '戊一', '戊一', regId('1970-05-05'), '户主', '男', '1970-05-05')];
    const done2 = await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, registryCsv(second)), 202)).id);
    expect(done2.counts).toMatchObject({ householdsCreated: 1, updated: 2, moved: 1, invalid: 0, conflict: 0 });

    // the township's SF-15 task names the holder's own case and household, at its new version
    const task = (await alerts(env, TOWNSHIP)).items.filter((a: any) => a.caseId === caseId);
    expect(task).toEqual([expect.objectContaining({ kind: 'post_holder_away', householdId: hA.id, householdVersion: 2, data: expect.objectContaining({ exitReason: 'working_away' }) })]);
    // every household keeps its own id, version and history
    for (const k of ['a', 'b', 'c', 'd'] as const) {
      const now = await getHousehold(env, hs[k].id);
      expect({ k, code: now.householdCode, version: now.version }).toEqual({ k, code: hs[k].householdCode, version: 2 });
    }
    expect((await getHousehold(env, hs.c.id)).members.map((m: any) => m.name).sort()).toEqual(['丁女', '丙一'].sort());
    const report = await registryReport(env, done2.id);
    expect(report.slice(1).map((r) => r[6]).sort()).toEqual(['created', 'moved', 'unchanged', 'unchanged', 'unchanged', 'updated', 'updated'].sort());
  });

  it('trust: SF-05 seed 000 in the contract’s summed shape — 20,000 of wages where one son works is refused until attributed to members (issue 19 item 6)', async () => {
    const member = (name: string, relation: string, birthDate: string, gender: 'male' | 'female', laborAbility: string, employment: string) => ({ name, idNumber: regId(birthDate, gender), relation, gender, birthDate, laborAbility, employment, disability: null });
    const h = await expectOk(
      await env.http().post('/households').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({
        areaCode: HUOZHUANG, householderName: '顾同仁', address: '许昌市建安区灵井镇霍庄村九组', isFormerlyPoor: true,
        members: [
          member('顾同仁', '户主', '1948-02-03', 'male', 'weak', 'retired'),
          member('王秀梅', '配偶', '1950-05-06', 'female', 'none', 'none'),
          member('顾占旗', '子', '1978-07-08', 'male', 'full', 'outside'),
          member('李娟', '儿媳', '1980-09-10', 'female', 'full', 'none'),
          member('顾小宝', '孙子', '2012-11-12', 'male', 'none', 'student'),
        ],
      }),
      201,
    );
    const id = (name: string) => h.members.find((x: any) => x.name === name).id as string;
    const lead = await expectOk(await env.http().post('/procedures/monitoring-inclusion/cases').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ householdId: h.id, channel: 'self_report', riskDescription: '户主夫妇常年患病，家中仅一人务工，收入骤减' }), 201);
    const ev = await uploadAll(env, VILLAGE, lead.id, ['household_survey', 'income_calculation']);
    const attempt = (income: Record<string, unknown>) =>
      send(env, VILLAGE, lead.id, {
        type: 'RECORD_VERIFICATION',
        evidenceIds: ev,
        data: { conclusion: 'include', members: 5, income: { periodStart: '2022-01-01', periodEnd: '2022-12-31', wage: 0, businessNet: 0, transfer: 0, property: 0, ...income }, rigidExpenditure: { medical: 800, education: 0 }, guarantees: { education: true, medical: true, housing: true, water: true }, riskTypes: ['illness'] },
      });
    const refused = async (income: Record<string, unknown>, rule: string) => {
      const res = await attempt(income);
      expect({ status: res.status, code: res.body.code, rule: res.body.details?.rule }).toEqual({ status: 422, code: 'RULE_VIOLATED', rule });
      expect(res.body.message).toMatch(/[\u4e00-\u9fa5]/);
      return res.body;
    };
    // the seed document's own case: 20,000 summed as wages, one son working — refused, naming the rule
    const seed = await refused({ wage: 20000, transfer: 2400 }, 'income_wage_attributed');
    expect(seed.message).toContain('20000');
    // attributed to the daughter who pays the support, to the retired householder, without an employer, or not adding up
    await refused({ wage: 20000, transfer: 2400, wageEarners: [{ memberId: id('顾占旗'), amount: 20000, employer: '小女儿顾红朵' }] }, 'income_wage_not_family_support');
    await refused({ wage: 20000, transfer: 2400, wageEarners: [{ memberId: id('顾同仁'), amount: 20000, employer: '禹州市某厂' }] }, 'income_wage_member_employed');
    await refused({ wage: 20000, transfer: 2400, wageEarners: [{ memberId: id('顾占旗'), amount: 20000 }] }, 'income_wage_names_member_and_employer');
    await refused({ wage: 20000, transfer: 2400, wageEarners: [{ memberId: id('顾占旗'), amount: 1300, employer: '禹州市某建筑工地' }] }, 'income_wage_attributed');
    const still = await expectOk(await env.http().get(`/cases/${lead.id}`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`));
    expect({ state: still.state, version: still.version }).toEqual({ state: 'lead', version: lead.version });
    // recorded rightly: the son's 1,300 attributed, the 20,000 of support a transfer
    const ok = await expectOk(await attempt({ wage: 1300, transfer: 22400, wageEarners: [{ memberId: id('顾占旗'), amount: 1300, employer: '禹州市某建筑工地', workplace: '禹州市' }] }));
    expect(ok.state).toBe('village_appraisal');
    expect(ok.data.verification).toMatchObject({ incomeShape: 'aggregated', members: 5, totalIncome: 23700, perCapitaNetIncome: 4740 });
    expect(ok.data.verification.byMember.find((m: any) => m.memberId === id('顾占旗'))).toMatchObject({ wage: 1300 });
  });

  it('trust: a household import refuses, row by row and by name, every value longer than its column — a 100,000-character 姓名 is not stored as 50 characters (issue 19 item 3)', async () => {
    const tag = randomUUID().slice(0, 6);
    const header = '户编号,户主姓名,姓名,证件号码,与户主关系,性别,出生日期,所在村,是否脱贫户,家庭住址,残疾类别/等级';
    const base = (i: number) => ({ householdCode: `L${tag}${i}`, householderName: '限一', name: '限一', relation: '户主', address: '霍庄村一组', disabilityCategory: '肢体' });
    const ids: string[] = [];
    const line = (v: ReturnType<typeof base>) => {
      const idNumber = regId('1971-01-01', 'male');
      ids.push(idNumber);
      return [v.householdCode, v.householderName, v.name, idNumber, v.relation, '男', '1971-01-01', HUOZHUANG, '否', v.address, `${v.disabilityCategory}二级`].join(',');
    };
    // one row per limited field, one character over; one row at every limit; the 100,000-character name
    const { HOUSEHOLD_FIELD_LIMITS } = await import('../src/modules/registry/household-file');
    const fields = Object.entries(HOUSEHOLD_FIELD_LIMITS);
    const lines = fields.map(([field, { max }], i) => line({ ...base(i), [field]: '名'.repeat(max + 1) }));
    const atLimit = Object.fromEntries(fields.map(([field, { max }]) => [field, field === 'householdCode' ? `L${tag}`.padEnd(max, '9') : '名'.repeat(max)]));
    lines.push(line({ ...base(90), ...atLimit } as ReturnType<typeof base>));
    lines.push(line({ ...base(91), name: '张'.repeat(100_000) }));
    const file = Buffer.from(`\uFEFF${[header, ...lines].join('\r\n')}\r\n`, 'utf8');
    const done = await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, file), 202)).id);
    expect(done.counts).toMatchObject({ householdsCreated: 1, created: 1, invalid: fields.length + 1 });
    const report = await registryReport(env, done.id);
    const codeOf = (row: number) => report.find((r) => Number(r[0]) === row)![8];
    fields.forEach(([, { error }], i) => expect({ row: i + 1, code: codeOf(i + 1) }).toEqual({ row: i + 1, code: error }));
    expect(codeOf(fields.length + 2)).toBe('name_too_long');
    // the refused name is nowhere in the registry, cut or whole; the row at every limit is stored whole
    expect((await expectOk(await env.http().get(`/households?q=${ids[ids.length - 1]}`).set('Authorization', `Bearer ${await env.token(COUNTY)}`))).items).toEqual([]);
    const whole = await byCode(ids[fields.length]);
    expect(whole).toMatchObject({ householdCode: atLimit.householdCode, householderName: atLimit.householderName, address: atLimit.address });
    expect(whole.members[0]).toMatchObject({ name: atLimit.name, relation: atLimit.relation, disability: { category: atLimit.disabilityCategory, level: 2 } });
  });

  it('trust: an upload whose file name is longer than 255 characters is refused naming the file, not stored under a cut name (issue 19 item 3)', async () => {
    const long = `${'整改佐证材料'.repeat(50)}.pdf`;
    const refused = await env.http().post('/evidence').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).field('type', 'household_survey').attach('file', Buffer.from(`%PDF-1.4\n%${randomUUID()}\n%%EOF\n`), long);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.body.details.fields.file).toMatch(/255/);
    const imported = await env.http().post('/imports/households').set('Authorization', `Bearer ${await env.token(COUNTY)}`).attach('file', registryCsv([]), `${'农户'.repeat(130)}.csv`);
    expect({ status: imported.status, code: imported.body.code, field: Object.keys(imported.body.details?.fields ?? {}) }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field: ['file'] });
    // at the limit it is kept whole
    const fine = `${'材'.repeat(251)}.pdf`;
    const ok = await expectOk(await env.http().post('/evidence').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).field('type', 'household_survey').attach('file', Buffer.from(`%PDF-1.4\n%${randomUUID()}\n%%EOF\n`), fine), 201);
    expect(ok.fileName).toBe(fine);
  });

  it('trust: SF-15 a post holder who dies, moves away (迁出) or marries out: the township gets its task, the tenure is flagged, no attendance after the day, ended through the engine (issue 19 item 5)', async () => {
    // the day of leaving: the last day of the previous month (Beijing), so the current month is after it
    const beijingToday = new Date(Date.now() + 8 * 3600_000);
    const leftOn = new Date(Date.UTC(beijingToday.getUTCFullYear(), beijingToday.getUTCMonth(), 0)).toISOString().slice(0, 10);
    const thisMonth = beijingToday.toISOString().slice(0, 7);
    // on the 31st the last day of the previous month is 31 days back: the back-dating bound is widened for this test
    await widenPolicyBounds(env, { 'records.maxBackdate': { max: 'P40D' } }, '测试环境：补录期限放宽到40天，以便在月末验证上月离户的在岗人员');
    await expectOk(await env.http().put(`/policies/${COUNTY_CODE}`).set('Authorization', `Bearer ${await env.token('admin')}`).send({ effectiveFrom: new Date(Date.now() - 1000).toISOString(), values: { 'records.maxBackdate': 'P40D' } }), 201);
    const kinds = [
      { kind: 'death', evidence: 'death_certificate', title: '死亡' },
      { kind: 'moved_away', evidence: 'household_register', title: '迁出' },
      { kind: 'marriage_out', evidence: 'marriage_certificate', title: '婚出' },
    ];
    for (const k of kinds) {
      const h = await expectOk(
        await env.http().post('/households').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({
          areaCode: HUOZHUANG, householderName: `离户${k.title}`, address: '许昌市建安区灵井镇霍庄村七组', isFormerlyPoor: true,
          members: [
            { name: `离户${k.title}`, idNumber: regId('1975-05-05', 'male'), relation: '户主', gender: 'male', birthDate: '1975-05-05', laborAbility: 'weak', employment: 'local', disability: null },
            { name: `离户${k.title}妻`, idNumber: regId('1977-07-07', 'female'), relation: '妻子', gender: 'female', birthDate: '1977-07-07', laborAbility: 'full', employment: 'local', disability: null },
          ],
        }),
        201,
      );
      const holderId = h.members[0].id as string;
      const caseId = await hire(holderId);
      // the wrong role and a missing certificate are refused; nothing is flagged by them
      const body = async (evidenceIds: string[]) => ({ version: (await getHousehold(env, h.id)).version, kind: k.kind, date: leftOn, reason: `经入户核实本人已${k.title}，办理减员`, evidenceIds });
      const noCert = await env.http().post(`/households/${h.id}/members/${holderId}/changes`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send(await body([]));
      expect({ kind: k.kind, status: noCert.status, code: noCert.body.code }).toEqual({ kind: k.kind, status: 422, code: 'EVIDENCE_MISSING' });
      expect((await alerts(env, TOWNSHIP)).items.filter((a: any) => a.caseId === caseId)).toEqual([]);
      const cert = (await expectOk(await env.http().post('/evidence').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).field('type', k.evidence).attach('file', Buffer.from(`%PDF-1.4\n%${randomUUID()}\n%%EOF\n`), 'cert.pdf'), 201)).id;
      const res = await expectOk(await env.http().post(`/households/${h.id}/members/${holderId}/changes`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send(await body([cert])), 201);
      // the township's task, on the hiring case
      expect(res.consequences).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'post_holder_left', role: 'township', caseId })]));
      const task = (await alerts(env, TOWNSHIP)).items.find((a: any) => a.caseId === caseId);
      expect(task).toMatchObject({ kind: 'post_holder_left', status: 'open', data: { exitReason: 'left_household', leftKind: k.kind, leftOn } });
      expect((await alerts(env, VILLAGE)).items.find((a: any) => a.caseId === caseId)).toBeUndefined();
      // the tenure is flagged, not left pointing silently at a member who is gone
      const post = await expectOk(await env.http().get(`/welfare-posts/${postId}`).set('Authorization', `Bearer ${await env.token(TOWNSHIP)}`));
      expect(post.holders.find((x: any) => x.caseId === caseId)).toMatchObject({ status: 'on_duty', holderLeft: { date: leftOn, kind: k.kind } });
      // no attendance (no subsidy) for a month after the day; the month of leaving can still be recorded
      const after = await send(env, TOWNSHIP, caseId, { type: 'RECORD_ATTENDANCE', evidenceIds: await uploadAll(env, TOWNSHIP, caseId, ['attendance_sheet']), data: { month: thisMonth, daysWorked: 3 } });
      expect({ status: after.status, code: after.body.code, rule: after.body.details?.rule }).toEqual({ status: 422, code: 'RULE_VIOLATED', rule: 'holder_in_household' });
      await expectOk(await send(env, TOWNSHIP, caseId, { type: 'RECORD_ATTENDANCE', evidenceIds: await uploadAll(env, TOWNSHIP, caseId, ['attendance_sheet']), data: { month: leftOn.slice(0, 7), daysWorked: 20 } }));
      // ended through the engine: the township's TERMINATE, with its evidence and reason; the task is settled
      const noReason = await send(env, TOWNSHIP, caseId, { type: 'TERMINATE', evidenceIds: await uploadAll(env, TOWNSHIP, caseId, ['review_opinion']), data: { exitReason: 'left_household' } });
      expect(noReason.status).toBe(422);
      const ended = await expectOk(await send(env, TOWNSHIP, caseId, { type: 'TERMINATE', evidenceIds: await uploadAll(env, TOWNSHIP, caseId, ['review_opinion']), data: { exitReason: 'left_household' }, reason: `在岗人员已${k.title}，不再属于本户，依规解除聘用` }));
      expect(ended.state).toBe('exited');
      expect((await alerts(env, TOWNSHIP, '?status=resolved')).items.find((a: any) => a.caseId === caseId)).toMatchObject({ kind: 'post_holder_left', status: 'resolved' });
    }
  });

  it('trust: SF-05 a member who leaves was counted in an open case’s verification: the village is told to verify again on the household as it is (issue 19 item 5)', async () => {
    const h = await expectOk(
      await env.http().post('/households').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({
        areaCode: HUOZHUANG, householderName: '核实户', address: '许昌市建安区灵井镇霍庄村八组', isFormerlyPoor: true,
        members: [
          { name: '核实户', idNumber: regId('1960-06-06', 'male'), relation: '户主', gender: 'male', birthDate: '1960-06-06', laborAbility: 'weak', employment: 'none', disability: null },
          { name: '核实户女', idNumber: regId('1990-09-09', 'female'), relation: '女儿', gender: 'female', birthDate: '1990-09-09', laborAbility: 'full', employment: 'outside', disability: null },
        ],
      }),
      201,
    );
    const { inclusionCase } = await import('./support/flows');
    const c = await inclusionCase(env, 'village_appraisal', { householdId: h.id });
    const daughter = h.members.find((m: any) => m.name === '核实户女');
    const cert = (await expectOk(await env.http().post('/evidence').set('Authorization', `Bearer ${await env.token(VILLAGE)}`).field('type', 'marriage_certificate').attach('file', Buffer.from(`%PDF-1.4\n%${randomUUID()}\n%%EOF\n`), 'cert.pdf'), 201)).id;
    const beijingToday = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const res = await expectOk(
      await env.http().post(`/households/${h.id}/members/${daughter.id}/changes`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ version: (await getHousehold(env, h.id)).version, kind: 'marriage_out', date: beijingToday, reason: '女儿出嫁，户口迁往夫家', evidenceIds: [cert] }),
      201,
    );
    expect(res.consequences).toEqual([expect.objectContaining({ kind: 'verification_outdated', role: 'village', caseId: c.id })]);
    expect((await alerts(env, VILLAGE)).items.find((a: any) => a.caseId === c.id)).toMatchObject({ kind: 'verification_outdated', data: { membersVerified: 2, membersNow: 1 } });
    // a change that takes nobody out of the household tells nobody
    const again = await expectOk(
      await env.http().post(`/households/${h.id}/members/${h.members[0].id}/changes`).set('Authorization', `Bearer ${await env.token(VILLAGE)}`).send({ version: (await getHousehold(env, h.id)).version, kind: 'employment', employment: 'local', date: beijingToday, reason: '经入户核实已在本地务工', evidenceIds: [] }),
      201,
    );
    expect(again.consequences).toEqual([]);
  });

  it('trust: SF-15 a post holder a re-import moves to another household (转户) is judged on the household they now belong to (issue 19 item 5)', async () => {
    const tag = randomUUID().slice(0, 6);
    const ids = { holder: regId('1973-03-03', 'male'), wife: regId('1975-03-03', 'female'), y1: regId('1950-01-01', 'male'), y2: regId('1980-02-02', 'male'), y3: regId('1982-03-03', 'female') };
    const row = (code: string, householder: string, name: string, idNumber: string, relation: string, gender: '男' | '女', birthDate: string, extra: Partial<RegRow> = {}): RegRow =>
      ({ code, householder, name, idNumber, relation, gender, birthDate, village: HUOZHUANG, labour: '弱劳动力或半劳动力', poor: '是', ...extra });
    const x = `X${tag}`;
    const y = `Y${tag}`;
    const first: RegRow[] = [
      row(x, '转岗', '转岗', ids.holder, '户主', '男', '1973-03-03'),
      row(x, '转岗', '转岗妻', ids.wife, '妻子', '女', '1975-03-03'),
      row(y, '父亲', '父亲', ids.y1, '户主', '男', '1950-01-01'),
      row(y, '父亲', '长子', ids.y2, '儿子', '男', '1980-02-02', { employment: '省外务工' }),
      row(y, '父亲', '长女', ids.y3, '女儿', '女', '1982-03-03', { employment: '省外务工' }),
    ];
    await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, registryCsv(first)), 202)).id);
    const hx = await byCode(ids.holder);
    const hy = await byCode(ids.y1);
    const caseId = await hire(hx.members.find((m: any) => m.name === '转岗').id);
    // the holder moves back into his father's household, where two members work away
    const second: RegRow[] = [first[1], first[2], first[3], first[4], { ...first[0], code: y, householder: '父亲', relation: '儿子' }];
    const done = await waitForRegistryImport(env, (await expectOk(await uploadRegistry(env, registryCsv(second)), 202)).id);
    expect(done.counts).toMatchObject({ moved: 1, invalid: 0, conflict: 0 });
    const task = (await alerts(env, TOWNSHIP)).items.filter((a: any) => a.caseId === caseId);
    expect(task).toEqual([expect.objectContaining({ kind: 'household_members_away', householdId: hy.id, data: expect.objectContaining({ membersAway: 2 }) })]);
  });
});
