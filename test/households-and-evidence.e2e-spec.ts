/**
 * Households and their members (api-contract.md "Households and people": ID numbers checked
 * and masked, area scoping) and evidence uploads (api-contract.md "Evidence": kinds recognised
 * from the bytes, hashes, size limit, visibility by area).
 */
import { createHash, randomUUID } from 'node:crypto';
import { startApp, type TestEnv, target } from './support/harness';
import { COUNTY, expectOk, HUOZHUANG, inclusionCase, OTHER_TOWNSHIP, OTHER_VILLAGE, pdf, TOWNSHIP, VILLAGE } from './support/flows';
import { checkCharacter } from '../src/common/domain/id-number';
import { demoIdNumber } from '../seeds/demo-data';

const DALUCHEN = '411003100202';
const LINGJING = '411003100000';

/** A valid 居民身份证号 of 建安区; an odd sequence number is a man. */
function idNumber(birthDate: string, order: number, region = '411003'): string {
  const first17 = `${region}${birthDate.replace(/-/g, '')}${String(order).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

const masked = (id: string) => `${id.slice(0, 4)}**********${id.slice(-4)}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** supertest parser that keeps a response body as raw bytes whatever its content type */
function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** 1×1 PNG: signature and the start of an IHDR chunk */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from([0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde]),
  Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]),
]);
/** JPEG: SOI, an APP0/JFIF segment and EOI */
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0', 'latin1'),
  Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
]);

function member(over: Record<string, unknown> & { idNumber: string; birthDate: string; gender: 'male' | 'female' }) {
  return { name: '成员', relation: '户主', laborAbility: 'full', disability: null, employment: 'local', ...over };
}

describe(`households and evidence (${target})`, () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startApp();
  });
  afterAll(() => env?.close());

  const auth = async (user: string) => ({ Authorization: `Bearer ${await env.token(user)}` });
  const meId = async (user: string) => (await expectOk(await env.http().get('/auth/me').set(await auth(user)))).id as string;
  const createHousehold = async (user: string, body: Record<string, unknown>) => env.http().post('/households').set(await auth(user)).send(body);

  describe('households', () => {
    // a man born 1971-05-09, a woman born 1973-11-30, a boy born 2005-02-28 whose ID ends in X
    const head = idNumber('1971-05-09', 731);
    const spouse = idNumber('1973-11-30', 732);
    let xOrder = 733;
    while (checkCharacter(idNumber('2005-02-28', xOrder).slice(0, 17)) !== 'X') xOrder += 2;
    const son = idNumber('2005-02-28', xOrder);
    const householderName = `霍测${randomUUID().slice(0, 4)}`;
    const valid = () => ({
      areaCode: HUOZHUANG,
      householderName,
      address: '许昌市建安区灵井镇霍庄村五组9号',
      isFormerlyPoor: false,
      members: [
        member({ name: householderName, relation: '户主', idNumber: head, gender: 'male', birthDate: '1971-05-09', phone: '13912345678' }),
        member({ name: '李测', relation: '配偶', idNumber: spouse, gender: 'female', birthDate: '1973-11-30', laborAbility: 'semi', disability: { category: '肢体', level: 3 } }),
        member({ name: '霍小测', relation: '子', idNumber: son, gender: 'male', birthDate: '2005-02-28', laborAbility: 'none', employment: 'student' }),
      ],
    });
    let id: string;

    it('a village user registers a household in their village; ID numbers come back masked', async () => {
      expect(son.endsWith('X')).toBe(true);
      const res = await createHousehold(VILLAGE, valid());
      const h = await expectOk(res, 201);
      id = h.id;
      expect(h).toMatchObject({ areaCode: HUOZHUANG, householderName, address: '许昌市建安区灵井镇霍庄村五组9号', isFormerlyPoor: false });
      expect(h.members).toHaveLength(3);
      expect(h.members.map((m: any) => m.idNumber)).toEqual([masked(head), masked(spouse), masked(son)]);
      expect(h.members[0].idNumber).toMatch(/^4110\*{10}\d{3}[\dX]$/);
      expect(h.members[1]).toMatchObject({ name: '李测', gender: 'female', birthDate: '1973-11-30', laborAbility: 'semi', disability: { category: '肢体', level: 3 } });
      expect(h.members[0].phone).toBe('139****5678');
      for (const full of [head, spouse, son, '13912345678']) expect(res.text).not.toContain(full);

      const again = await env.http().get(`/households/${id}`).set(await auth(VILLAGE));
      expect((await expectOk(again)).members.map((m: any) => m.idNumber)).toEqual([masked(head), masked(spouse), masked(son)]);
      for (const full of [head, spouse, son]) expect(again.text).not.toContain(full);
    });

    it('the township and the county of the household see the full ID numbers', async () => {
      for (const user of [TOWNSHIP, COUNTY]) {
        const h = await expectOk(await env.http().get(`/households/${id}`).set(await auth(user)));
        expect(h.members.map((m: any) => m.idNumber)).toEqual([head, spouse, son]);
        expect(h.members[0].phone).toBe('13912345678');
      }
    });

    it('a township or village of another area gets 404, not the household', async () => {
      for (const user of [OTHER_TOWNSHIP, OTHER_VILLAGE, 'v_daluchen']) {
        const res = await env.http().get(`/households/${id}`).set(await auth(user));
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('NOT_FOUND');
        expect(res.text).not.toContain(householderName);
      }
      const unknown = await env.http().get(`/households/${randomUUID()}`).set(await auth(COUNTY));
      expect(unknown.status).toBe(404);
      const garbage = await env.http().get('/households/not-an-id').set(await auth(COUNTY));
      expect(garbage.status).toBe(404);
    });

    it('refuses an ID number with a wrong check digit, naming the member field', async () => {
      const body = valid();
      const id2 = idNumber('1980-01-01', 741);
      const wrong = id2.slice(0, 17) + ('0123456789X'.split('').find((c) => c !== id2[17]) as string);
      body.members = [member({ idNumber: wrong, gender: 'male', birthDate: '1980-01-01' })];
      const res = await createHousehold(VILLAGE, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.details.fields)).toEqual(['members.0.idNumber']);

      body.members = [member({ idNumber: id2, gender: 'male', birthDate: '1980-01-01' }), member({ idNumber: `${id2.slice(0, 17)}`, gender: 'male', birthDate: '1980-01-01' })];
      const short = await createHousehold(VILLAGE, body);
      expect(short.status).toBe(400);
      expect(Object.keys(short.body.details.fields)).toEqual(['members.1.idNumber']);
    });

    it('refuses a birth date or a gender that contradicts the ID number', async () => {
      const body = valid();
      const id3 = idNumber('1982-03-04', 743);
      body.members = [member({ idNumber: id3, gender: 'male', birthDate: '1982-03-05' })];
      const res = await createHousehold(VILLAGE, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.details.fields)).toEqual(['members.0.birthDate']);

      body.members = [member({ idNumber: id3, gender: 'female', birthDate: '1982-03-04' })];
      const gender = await createHousehold(VILLAGE, body);
      expect(gender.status).toBe(400);
      expect(Object.keys(gender.body.details.fields)).toEqual(['members.0.gender']);

      body.members = [member({ idNumber: id3, gender: 'male', birthDate: '1982-03-04' }), member({ idNumber: id3, gender: 'male', birthDate: '1982-03-04' })];
      const twice = await createHousehold(VILLAGE, body);
      expect(twice.status).toBe(400);
      expect(twice.body.details.fields['members.1.idNumber']).toEqual(expect.any(String));

      // nothing was stored by the refused requests
      const found = await expectOk(await env.http().get(`/households?q=${id3}`).set(await auth(COUNTY)));
      expect(found.total).toBe(0);
    });

    it('refuses a member who already belongs to a household: 409', async () => {
      const body = valid();
      const fresh = idNumber('1990-07-07', 751);
      body.householderName = '重复测';
      body.members = [
        member({ idNumber: fresh, gender: 'male', birthDate: '1990-07-07' }),
        member({ idNumber: head, gender: 'male', birthDate: '1971-05-09' }),
      ];
      const res = await createHousehold(VILLAGE, body);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ALREADY_EXISTS');
      expect(res.body.details.fields).toEqual({ 'members.1.idNumber': expect.any(String) });

      // a seeded member (王建国) too
      body.members = [member({ idNumber: demoIdNumber('1962-04-18', 100, 'male'), gender: 'male', birthDate: '1962-04-18' })];
      const seeded = await createHousehold(VILLAGE, body);
      expect(seeded.status).toBe(409);
      expect(seeded.body.details.fields).toEqual({ 'members.0.idNumber': expect.any(String) });

      const found = await expectOk(await env.http().get(`/households?q=${fresh}`).set(await auth(COUNTY)));
      expect(found.total).toBe(0);
    });

    it('the same person submitted twice at once is registered once; the other request is 409, not 500', async () => {
      const person = idNumber('1985-05-05', 801);
      const body = valid();
      body.areaCode = DALUCHEN;
      body.householderName = '并发测';
      body.members = [member({ name: '并发测', idNumber: person, gender: 'male', birthDate: '1985-05-05' })];
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createHousehold(TOWNSHIP, body)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      results.filter((r) => r.status === 409).forEach((r) => expect(r.body.code).toBe('ALREADY_EXISTS'));
      const found = await expectOk(await env.http().get(`/households?q=${person}`).set(await auth(COUNTY)));
      expect(found.total).toBe(1);
    });

    it('a village user may not register a household in another village: 404', async () => {
      const body = valid();
      body.areaCode = DALUCHEN;
      body.members = [member({ idNumber: idNumber('1991-01-01', 761), gender: 'male', birthDate: '1991-01-01' })];
      const res = await createHousehold(VILLAGE, body);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
      const other = await createHousehold(OTHER_TOWNSHIP, body);
      expect(other.status).toBe(404);
      // not a village code
      const township = await createHousehold(TOWNSHIP, { ...body, areaCode: LINGJING });
      expect(township.status).toBe(400);
      expect(township.body.details.fields.areaCode).toEqual(expect.any(String));
    });

    it('the township of the village may register a household there', async () => {
      const body = valid();
      body.areaCode = DALUCHEN;
      body.householderName = '陈测';
      const own = idNumber('1992-02-02', 771);
      body.members = [member({ name: '陈测', idNumber: own, gender: 'male', birthDate: '1992-02-02' })];
      const h = await expectOk(await createHousehold(TOWNSHIP, body), 201);
      expect(h.areaCode).toBe(DALUCHEN);
      expect(h.members[0].idNumber).toBe(own);
    });

    it('supervisors, departments and the admin may not register households: 403', async () => {
      for (const user of ['s_jianan', 'd_civil', 'admin']) {
        const body = valid();
        body.members = [member({ idNumber: idNumber('1993-03-03', 781), gender: 'male', birthDate: '1993-03-03' })];
        const res = await createHousehold(user, body);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('ROLE_REQUIRED');
      }
      const found = await expectOk(await env.http().get(`/households?q=${idNumber('1993-03-03', 781)}`).set(await auth(COUNTY)));
      expect(found.total).toBe(0);
    });

    it('GET /households?q= finds by householder name or full ID number, within the caller\'s area', async () => {
      const byName = await expectOk(await env.http().get(`/households?q=${encodeURIComponent(householderName)}`).set(await auth(VILLAGE)));
      expect(byName.total).toBe(1);
      expect(byName.items.map((h: any) => h.id)).toEqual([id]);
      expect(byName.items[0].members[0].idNumber).toBe(masked(head));

      const byId = await expectOk(await env.http().get(`/households?q=${spouse}`).set(await auth(COUNTY)));
      expect(byId.items.map((h: any) => h.id)).toEqual([id]);
      expect(byId.items[0].members[1].idNumber).toBe(spouse);

      const outside = await expectOk(await env.http().get(`/households?q=${encodeURIComponent(householderName)}`).set(await auth(OTHER_TOWNSHIP)));
      expect(outside).toMatchObject({ items: [], total: 0 });
      const mine = await expectOk(await env.http().get('/households').set(await auth(VILLAGE)));
      expect(mine.items.length).toBeGreaterThan(0);
      mine.items.forEach((h: any) => expect(h.areaCode).toBe(HUOZHUANG));
    });

    it('GET /households?areaCode= pages through one area', async () => {
      const all = await expectOk(await env.http().get(`/households?areaCode=${HUOZHUANG}&pageSize=200`).set(await auth(COUNTY)));
      const names = all.items.map((h: any) => h.householderName);
      expect(names).toEqual(expect.arrayContaining(['王建国', '赵桂英', householderName]));
      expect(names).not.toContain('陈志刚');
      expect(all.total).toBe(3);
      expect(all.items).toHaveLength(3);

      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const p = await expectOk(await env.http().get(`/households?areaCode=${HUOZHUANG}&page=${page}&pageSize=1`).set(await auth(COUNTY)));
        expect(p).toMatchObject({ total: 3, page, pageSize: 1 });
        expect(p.items).toHaveLength(1);
        seen.push(p.items[0].id);
      }
      expect([...seen].sort()).toEqual(all.items.map((h: any) => h.id).sort());
      const beyond = await expectOk(await env.http().get(`/households?areaCode=${HUOZHUANG}&page=4&pageSize=1`).set(await auth(COUNTY)));
      expect(beyond).toMatchObject({ items: [], total: 3, page: 4 });

      const township = await expectOk(await env.http().get(`/households?areaCode=${LINGJING}&pageSize=200`).set(await auth(TOWNSHIP)));
      expect(township.items.map((h: any) => h.householderName)).toEqual(expect.arrayContaining(['王建国', '陈志刚', '陈测']));
      township.items.forEach((h: any) => expect(h.areaCode.startsWith('411003100')).toBe(true));

      const outside = await env.http().get(`/households?areaCode=${DALUCHEN}`).set(await auth(VILLAGE));
      expect(outside.status).toBe(404);
      const badSize = await env.http().get('/households?pageSize=0').set(await auth(COUNTY));
      expect(badSize.status).toBe(400);
      expect(badSize.body.details.fields.pageSize).toEqual(expect.any(String));
    });
  });

  describe('evidence', () => {
    const post = async (user: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string; contentType?: string }, on: TestEnv = env) => {
      const req = on.http().post('/evidence').set('Authorization', `Bearer ${await on.token(user)}`);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      if (file) req.attach('file', file.bytes, { filename: file.name, contentType: file.contentType ?? 'application/octet-stream' });
      return req;
    };
    const content = async (user: string, id: string) =>
      env.http().get(`/evidence/${id}/content`).set(await auth(user)).buffer(true).parse(binary as never);

    it('GET /evidence/types lists at least the contract\'s types with Chinese titles', async () => {
      const types = await expectOk(await env.http().get('/evidence/types').set(await auth(VILLAGE)));
      const contract: Array<[string, string]> = [
        ['household_survey', '入户核查表'], ['income_calculation', '收入核算表'], ['application_form', '申请书'],
        ['commitment_letter', '承诺书'], ['meeting_minutes', '会议记录'], ['meeting_photos', '会议照片'],
        ['sign_in_sheet', '签到表'], ['notice_photo', '公示照片'], ['review_opinion', '审核意见'],
        ['objection_record', '异议记录'], ['agreement', '协议'], ['attendance_sheet', '考勤表'],
        ['project_proposal', '项目申报书'], ['villager_resolution', '村民代表会议决议'],
        ['feasibility_opinion', '论证意见'], ['other', '其他'],
      ];
      for (const [id, title] of contract) expect(types).toContainEqual({ id, title, titleEn: expect.any(String) });
      types.forEach((t: any) => expect(t.titleEn.length).toBeGreaterThan(0));
      expect((await env.http().get('/evidence/types')).status).toBe(401);
    });

    it('stores a PDF: hash of the bytes, kind from the content, uploader; reads back identical bytes', async () => {
      const bytes = pdf('household-evidence-spec');
      const res = await post(VILLAGE, { type: 'household_survey' }, { bytes, name: 'survey.pdf', contentType: 'application/pdf' });
      const e = await expectOk(res, 201);
      expect(e).toEqual({
        id: expect.any(String),
        type: 'household_survey',
        sha256: sha256(bytes),
        size: bytes.length,
        mimeType: 'application/pdf',
        fileName: 'survey.pdf',
        uploadedBy: await meId(VILLAGE),
        uploadedAt: expect.any(String),
        caseId: null,
        batchId: null,
        usedInSeq: null,
        usedFor: null,
      });
      expect(Math.abs(new Date(e.uploadedAt).getTime() - Date.now())).toBeLessThan(60_000);

      expect(await expectOk(await env.http().get(`/evidence/${e.id}`).set(await auth(VILLAGE)))).toEqual(e);
      const got = await content(VILLAGE, e.id);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toMatch(/^application\/pdf/);
      expect(Buffer.isBuffer(got.body)).toBe(true);
      expect((got.body as Buffer).equals(bytes)).toBe(true);
    });

    it('keeps a Chinese file name', async () => {
      const e = await expectOk(await post(VILLAGE, { type: 'meeting_minutes' }, { bytes: pdf(), name: '霍庄村民主评议会议记录.pdf' }), 201);
      expect(e.fileName).toBe('霍庄村民主评议会议记录.pdf');
    });

    it('recognises the kind from the bytes, not the name: a text file called .pdf is 400', async () => {
      const res = await post(VILLAGE, { type: 'household_survey' }, { bytes: Buffer.from('just some text, not a PDF\n'), name: 'fake.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.file).toEqual(expect.any(String));
      const html = await post(VILLAGE, { type: 'household_survey' }, { bytes: Buffer.from('<html><script>alert(1)</script></html>'), name: 'photo.png', contentType: 'image/png' });
      expect(html.status).toBe(400);
    });

    it('accepts a PNG and a JPEG with their own content types, whatever the name says', async () => {
      const png = await expectOk(await post(VILLAGE, { type: 'notice_photo' }, { bytes: PNG, name: 'notice.bin' }), 201);
      expect(png).toMatchObject({ mimeType: 'image/png', size: PNG.length, sha256: sha256(PNG), type: 'notice_photo' });
      const jpeg = await expectOk(await post(VILLAGE, { type: 'meeting_photos' }, { bytes: JPEG, name: 'meeting.png', contentType: 'image/png' }), 201);
      expect(jpeg).toMatchObject({ mimeType: 'image/jpeg', size: JPEG.length, sha256: sha256(JPEG), type: 'meeting_photos' });

      for (const [e, bytes, mime] of [[png, PNG, 'image/png'], [jpeg, JPEG, 'image/jpeg']] as const) {
        const got = await content(VILLAGE, e.id);
        expect(got.status).toBe(200);
        expect(got.headers['content-type']).toMatch(new RegExp(`^${mime}`));
        expect((got.body as Buffer).equals(bytes)).toBe(true);
      }
    });

    it('an unknown type or a missing file is 400 naming the field', async () => {
      const unknown = await post(VILLAGE, { type: 'selfie' }, { bytes: pdf(), name: 'a.pdf' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('VALIDATION_FAILED');
      expect(unknown.body.details.fields.type).toEqual(expect.any(String));
      const noType = await post(VILLAGE, {}, { bytes: pdf(), name: 'a.pdf' });
      expect(noType.status).toBe(400);
      expect(noType.body.details.fields.type).toEqual(expect.any(String));
      const noFile = await post(VILLAGE, { type: 'household_survey' });
      expect(noFile.status).toBe(400);
      expect(noFile.body.code).toBe('VALIDATION_FAILED');
      expect(noFile.body.details.fields.file).toEqual(expect.any(String));
      const badCase = await post(VILLAGE, { type: 'household_survey', caseId: 'abc' }, { bytes: pdf(), name: 'a.pdf' });
      expect(badCase.status).toBe(400);
      expect(badCase.body.details.fields.caseId).toEqual(expect.any(String));
    });

    it('supervisors and the admin may not upload: 403', async () => {
      for (const user of ['s_jianan', 'admin']) {
        const res = await post(user, { type: 'review_opinion' }, { bytes: pdf(), name: 'a.pdf' });
        expect(res.status).toBe(403);
        expect(['FORBIDDEN', 'ROLE_REQUIRED']).toContain(res.body.code);
      }
    });

    it('attaches to a case in the caller\'s area; a case outside it is 404', async () => {
      const { id: caseId } = await inclusionCase(env, 'lead');
      const mine = await expectOk(await post(VILLAGE, { type: 'household_survey', caseId }, { bytes: pdf(), name: 'a.pdf' }), 201);
      expect(mine.caseId).toBe(caseId);
      const byTownship = await expectOk(await post(TOWNSHIP, { type: 'review_opinion', caseId }, { bytes: pdf(), name: 'b.pdf' }), 201);
      expect(byTownship.caseId).toBe(caseId);

      for (const user of [OTHER_VILLAGE, OTHER_TOWNSHIP, 'v_daluchen']) {
        const res = await post(user, { type: 'household_survey', caseId }, { bytes: pdf(), name: 'c.pdf' });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('NOT_FOUND');
      }
      const none = await post(VILLAGE, { type: 'household_survey', caseId: randomUUID() }, { bytes: pdf(), name: 'd.pdf' });
      expect(none.status).toBe(404);

      // evidence of the case is visible to those who see the case, and to nobody else
      for (const user of [VILLAGE, TOWNSHIP, COUNTY, 's_jianan']) {
        expect((await env.http().get(`/evidence/${mine.id}`).set(await auth(user))).status).toBe(200);
      }
      for (const user of [OTHER_VILLAGE, OTHER_TOWNSHIP]) {
        expect((await env.http().get(`/evidence/${mine.id}`).set(await auth(user))).status).toBe(404);
        expect((await content(user, mine.id)).status).toBe(404);
      }
    });

    it('a loose upload is invisible to users of another area', async () => {
      const bytes = pdf('loose');
      const e = await expectOk(await post(VILLAGE, { type: 'application_form' }, { bytes, name: 'application.pdf' }), 201);
      for (const user of [OTHER_VILLAGE, OTHER_TOWNSHIP, 'v_daluchen']) {
        const meta = await env.http().get(`/evidence/${e.id}`).set(await auth(user));
        expect(meta.status).toBe(404);
        expect(meta.body.code).toBe('NOT_FOUND');
        const bytesRes = await content(user, e.id);
        expect(bytesRes.status).toBe(404);
        expect((bytesRes.body as Buffer).includes(bytes)).toBe(false);
      }
      for (const user of [TOWNSHIP, COUNTY]) {
        expect(await expectOk(await env.http().get(`/evidence/${e.id}`).set(await auth(user)))).toMatchObject({ id: e.id, sha256: sha256(bytes) });
      }
      expect((await env.http().get(`/evidence/${randomUUID()}`).set(await auth(COUNTY))).status).toBe(404);
      expect((await env.http().get('/evidence/not-an-id').set(await auth(COUNTY))).status).toBe(404);
    });

    describe('size limit', () => {
      let small: TestEnv;
      beforeAll(async () => {
        small = await startApp({ env: { EVIDENCE_MAX_BYTES: '1024' } });
      });
      afterAll(() => small?.close());

      const padded = (size: number) => {
        const head = Buffer.from('%PDF-1.4\n');
        return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
      };

      it('accepts a file at the limit', async () => {
        const bytes = padded(1024);
        const e = await expectOk(await post(VILLAGE, { type: 'household_survey' }, { bytes, name: 'ok.pdf' }, small), 201);
        expect(e).toMatchObject({ size: 1024, sha256: sha256(bytes) });
      });

      it('answers a file over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
        for (const size of [1025, 4096]) {
          const res = await post(VILLAGE, { type: 'household_survey' }, { bytes: padded(size), name: 'big.pdf' }, small);
          expect(res.status).toBe(413);
          expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
        }
        // the default limit is much larger: the same file is fine on the main app
        await expectOk(await post(VILLAGE, { type: 'household_survey' }, { bytes: padded(4096), name: 'big.pdf' }), 201);
      });
    });
  });
});
