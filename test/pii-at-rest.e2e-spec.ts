/**
 * Issue 11 (PIPL): ID numbers and phones encrypted at rest, found through a keyed hash, keys rotated.
 * The raw columns are read with env.ds.query: no clear ID number or phone may be there, while the
 * API still answers them (masked where it masks) and every lookup by a full ID number still works.
 */
import { randomUUID } from 'node:crypto';
import { maskIdNumber, maskPhone } from '../src/common/domain/id-number';
import { TEST_PII_HMAC_KEY, TEST_PII_KEYS, startApp, target, type TestEnv } from './support/harness';
import { COUNTY, expectOk, HUOZHUANG, VILLAGE } from './support/flows';
import { alertCsv, DEPARTMENT, importReport, uploadAlerts, waitForImport } from './support/imports';
import { getHousehold, regId, registryCsv, registryReport, type RegRow, uploadRegistry, waitForRegistryImport } from './support/registry';
import { parseHmacKey, parsePiiKeys } from '../src/common/crypto/pii';
import { PersonalDataAtRest1764800000000 as PgMigration } from '../src/database/migrations/postgres/1764800000000-PersonalDataAtRest';
import { PersonalDataAtRest1764800000000 as SqliteMigration } from '../src/database/migrations/sqlite/1764800000000-PersonalDataAtRest';

const CIPHER = /^v1:[A-Za-z0-9_-]{1,16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/;
const K2 = 'k2:' + Buffer.alloc(32, 9).toString('base64');
/** every encrypted column */
const COLUMNS: Array<[string, string]> = [
  ['household_members', 'idNumber'],
  ['household_members', 'phone'],
  ['households', 'phone'],
  ['alert_import_rows', 'idNumber'],
  ['household_import_rows', 'idNumber'],
];

describe(`personal data at rest (issue 11, ${target})`, () => {
  let env: TestEnv;
  let current: TestEnv;
  const auth = async (user: string) => `Bearer ${await current.token(user)}`;
  const idA = regId('1972-04-05', 'male');
  const idB = regId('1975-08-09', 'female');
  let householdId: string;

  const raw = async (sql: string): Promise<any[]> => current.ds.query(sql);
  /** the whole table as text: the clear value must be nowhere in it */
  const tableText = async (table: string) => JSON.stringify(await raw(`SELECT * FROM "${table}"`));

  beforeAll(async () => {
    env = await startApp();
    current = env;
    const res = await current
      .http()
      .post('/households')
      .set('Authorization', await auth(VILLAGE))
      .send({
        areaCode: HUOZHUANG,
        householderName: '加密户',
        address: '许昌市建安区灵井镇霍庄村加密组1号',
        isFormerlyPoor: false,
        members: [
          { name: '加密户', idNumber: idA, relation: '户主', gender: 'male', birthDate: '1972-04-05', laborAbility: 'full', employment: 'local', disability: null, phone: '13912345678' },
          { name: '加密妻', idNumber: idB, relation: '配偶', gender: 'female', birthDate: '1975-08-09', laborAbility: 'full', employment: 'local', disability: null, phone: '0374-6123456' },
        ],
      });
    householdId = (await expectOk(res, 201)).id;
  });
  afterAll(async () => {
    if (current !== env) await current.stop();
    await env?.close();
  });

  it('PII: member ID numbers and phones are AES-GCM ciphertext in the database; the API answers them, masked for the village', async () => {
    const rows = await raw(`SELECT "idNumber", "phone", "idNumberHash" FROM "household_members" WHERE "householdId" = '${householdId}'`);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.idNumber).toMatch(CIPHER);
      expect(r.phone).toMatch(CIPHER);
      expect(r.idNumberHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const text = await tableText('household_members');
    for (const clear of [idA, idB, '13912345678', '0374-6123456']) expect(text).not.toContain(clear);

    const full = await getHousehold(current, householdId, COUNTY);
    expect(full.members.map((m: any) => [m.idNumber, m.phone, m.gender, m.birthDate])).toEqual([
      [idA, '13912345678', 'male', '1972-04-05'],
      [idB, '0374-6123456', 'female', '1975-08-09'],
    ]);
    const masked = await getHousehold(current, householdId, VILLAGE);
    expect(masked.members.map((m: any) => [m.idNumber, m.phone])).toEqual([
      [maskIdNumber(idA), maskPhone('13912345678')],
      [maskIdNumber(idB), maskPhone('0374-6123456')],
    ]);
  });

  it('PII: no table holds a clear ID number or phone — the append-only household history keeps keyed hashes and masked forms', async () => {
    // the registration above wrote the household's first history entry (issue 13) in the record ledger
    const tables = (await raw(target === 'postgres'
      ? `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`
      : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((t: any) => t.name as string);
    expect(tables).toContain('record_ledger');
    for (const table of tables) {
      const text = await tableText(table);
      for (const clear of [idA, idB, '13912345678']) expect({ table, clear: text.includes(clear) }).toEqual({ table, clear: false });
    }
    const history = await expectOk(await current.http().get(`/households/${householdId}/history`).set('Authorization', await auth(COUNTY)));
    expect(JSON.stringify(history)).toContain(maskIdNumber(idA));
    expect(history.verification ?? history.items?.verification ?? { valid: true }).toMatchObject({ valid: true });
  });

  it('PII: the household phone is ciphertext in the database and reads back through the API', async () => {
    const h = await getHousehold(current, householdId, COUNTY);
    await expectOk(await current.http().patch(`/households/${householdId}`).set('Authorization', await auth(VILLAGE)).send({ version: h.version, phone: '13700001111' }));
    const [row] = await raw(`SELECT "phone" FROM "households" WHERE "id" = '${householdId}'`);
    expect(row.phone).toMatch(CIPHER);
    expect(await tableText('households')).not.toContain('13700001111');
    expect((await getHousehold(current, householdId, COUNTY)).phone).toBe('13700001111');
    expect((await getHousehold(current, householdId, VILLAGE)).phone).toBe(maskPhone('13700001111'));
  });

  it('PII: GET /households?q=<full ID number> finds the household through the keyed hash, only inside the caller’s area', async () => {
    const found = await expectOk(await current.http().get('/households').query({ q: idB }).set('Authorization', await auth(COUNTY)));
    expect(found.items.map((h: any) => h.id)).toEqual([householdId]);
    const other = await expectOk(await current.http().get('/households').query({ q: idB }).set('Authorization', await auth('v_zhangzhuang')));
    expect(other.items).toEqual([]);
    // a prefix of the number is not a search for it
    const prefix = await expectOk(await current.http().get('/households').query({ q: idB.slice(0, 17) }).set('Authorization', await auth(COUNTY)));
    expect(prefix.items).toEqual([]);
  });

  it('PII: one person, one household: the unique index on the keyed hash refuses the same ID number again (409)', async () => {
    const res = await current
      .http()
      .post('/households')
      .set('Authorization', await auth(VILLAGE))
      .send({
        areaCode: HUOZHUANG,
        householderName: '重复户',
        address: '许昌市建安区灵井镇霍庄村加密组2号',
        isFormerlyPoor: false,
        members: [{ name: '重复户', idNumber: idA, relation: '户主', gender: 'male', birthDate: '1972-04-05', laborAbility: 'full', employment: 'local', disability: null }],
      });
    expect(res.status).toBe(409);
    expect(res.body.details.fields).toEqual({ 'members.0.idNumber': '已登记' });
    const [{ n }] = await raw(`SELECT COUNT(*) AS n FROM "household_members" WHERE "householdId" = '${householdId}'`);
    expect(Number(n)).toBe(2);
  });

  it('PII: an alert import matches members by the keyed hash; its rows hold ciphertext; the report shows the number', async () => {
    const stranger = regId('1981-02-03', 'male');
    const up = await expectOk(await uploadAlerts(current, alertCsv([{ idNumber: idA, areaCode: HUOZHUANG }, { idNumber: stranger, areaCode: HUOZHUANG }])), 202);
    const done = await waitForImport(current, up.id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ opened: 1, unmatched: 1 });
    const rows = await raw(`SELECT "idNumber", "householdId", "outcome" FROM "alert_import_rows" WHERE "importId" = '${up.id}' ORDER BY "rowNumber"`);
    expect(rows.map((r) => [r.householdId, r.outcome])).toEqual([[householdId, 'opened'], [null, 'unmatched']]);
    for (const r of rows) expect(r.idNumber).toMatch(CIPHER);
    const text = await tableText('alert_import_rows');
    expect(text).not.toContain(idA);
    expect(text).not.toContain(stranger);
    const report = (await importReport(current, up.id, DEPARTMENT)).flat();
    expect(report.some((c) => c === idA || c === maskIdNumber(idA))).toBe(true);
  });

  it('PII: the household bulk import creates, then upserts by the keyed hash (no second row), with every number and phone encrypted', async () => {
    const code = `P${randomUUID().slice(0, 8)}`;
    const m1 = regId('1960-01-02', 'male');
    const m2 = regId('1962-03-04', 'female');
    const rows = (phone: string): RegRow[] => [
      { code, householder: '导入户', name: '导入户', idNumber: m1, relation: '户主', gender: '男', birthDate: '1960-01-02', village: HUOZHUANG, phone },
      { code, householder: '导入户', name: '导入妻', idNumber: m2, relation: '配偶', gender: '女', birthDate: '1962-03-04', village: HUOZHUANG, phone: '13600002222' },
    ];
    const first = await expectOk(await uploadRegistry(current, registryCsv(rows('13600001111'))), 202);
    expect((await waitForRegistryImport(current, first.id)).counts).toMatchObject({ created: 2 });
    const second = await expectOk(await uploadRegistry(current, registryCsv(rows('13600003333')), { name: 'again.csv' }), 202);
    expect((await waitForRegistryImport(current, second.id)).counts).toMatchObject({ updated: 1, unchanged: 1 });

    const [h] = await raw(`SELECT "id", "phone" FROM "households" WHERE "householdCode" = '${code}'`);
    expect(h.phone).toMatch(CIPHER);
    const members = await raw(`SELECT "idNumber", "phone" FROM "household_members" WHERE "householdId" = '${h.id}'`);
    expect(members).toHaveLength(2);
    for (const m of members) {
      expect(m.idNumber).toMatch(CIPHER);
      expect(m.phone).toMatch(CIPHER);
    }
    for (const clear of [m1, m2, '13600001111', '13600002222', '13600003333']) {
      expect(await tableText('household_members')).not.toContain(clear);
      expect(await tableText('households')).not.toContain(clear);
      expect(await tableText('household_import_rows')).not.toContain(clear);
    }
    const importRows = await raw(`SELECT "idNumber" FROM "household_import_rows" WHERE "importId" = '${second.id}'`);
    expect(importRows).toHaveLength(2);
    for (const r of importRows) expect(r.idNumber).toMatch(CIPHER);
    const view = await getHousehold(current, h.id, COUNTY);
    expect(view.members.map((m: any) => [m.idNumber, m.phone])).toEqual([[m1, '13600003333'], [m2, '13600002222']]);
    const report = (await registryReport(current, second.id)).flat();
    expect(report.some((c) => c === m1 || c === maskIdNumber(m1))).toBe(true);
  });

  it('PII: the migration: down() decrypts every column back to clear text, up() encrypts the clear rows in place and rebuilds the hashes', async () => {
    const migration = new (target === 'postgres' ? PgMigration : SqliteMigration)();
    const qr = current.ds.createQueryRunner();
    try {
      await qr.startTransaction();
      await migration.down(qr);
      await qr.commitTransaction();
      const [clear] = await raw(`SELECT "idNumber", "phone" FROM "household_members" WHERE "householdId" = '${householdId}' ORDER BY "position"`);
      expect(clear).toEqual({ idNumber: idA, phone: '13912345678' });
      expect(await tableText('alert_import_rows')).toContain(idA);
      await qr.startTransaction();
      await migration.up(qr);
      await qr.commitTransaction();
    } finally {
      await qr.release();
    }
    const rows = await raw(`SELECT "idNumber", "phone", "idNumberHash" FROM "household_members" WHERE "householdId" = '${householdId}'`);
    for (const r of rows) {
      expect(r.idNumber).toMatch(CIPHER);
      expect(r.idNumberHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    for (const [table] of COLUMNS) expect(await tableText(table)).not.toContain(idA);
    expect((await getHousehold(current, householdId, COUNTY)).members[0].idNumber).toBe(idA);
    const found = await expectOk(await current.http().get('/households').query({ q: idA }).set('Authorization', await auth(COUNTY)));
    expect(found.items.map((x: any) => x.id)).toEqual([householdId]);
  });

  it('PII: key rotation: only a global admin may start it (village 403, county admin 403)', async () => {
    expect((await current.http().post('/admin/pii/rotate').set('Authorization', await auth(VILLAGE))).status).toBe(403);
    await expectOk(
      await current
        .http()
        .post('/admin/users')
        .set('Authorization', await auth('admin'))
        .send({ username: 'pii_county_admin', password: 'Jianan#Rotate-2026', displayName: '县管理员', role: 'admin', areaCode: '411003000000' }),
      201,
    );
    const res = await current.http().post('/admin/pii/rotate').set('Authorization', `Bearer ${await current.token('pii_county_admin', 'Jianan#Rotate-2026')}`);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/全局系统管理员/);
  });

  it('PII: key rotation: after a restart with a new first key, old values still read, rotate re-encrypts them all, and the old key can go', async () => {
    const keyIds = async () => {
      const ids = new Set<string>();
      for (const [table, col] of COLUMNS) {
        for (const r of await raw(`SELECT "${col}" AS v FROM "${table}" WHERE "${col}" IS NOT NULL`)) {
          expect(r.v).toMatch(CIPHER);
          ids.add(String(r.v).split(':')[1]);
        }
      }
      return [...ids].sort();
    };
    expect(await keyIds()).toEqual(['k1']);

    await env.stop();
    const keys = [...parsePiiKeys(K2), ...parsePiiKeys(TEST_PII_KEYS)];
    current = await env.restart({ pii: { keys, hmacKey: parseHmacKey(TEST_PII_HMAC_KEY) } });
    // old values read under k1, new ones are written under k2
    expect((await getHousehold(current, householdId, COUNTY)).members[0].idNumber).toBe(idA);
    const h = await getHousehold(current, householdId, COUNTY);
    await expectOk(await current.http().patch(`/households/${householdId}`).set('Authorization', await auth(VILLAGE)).send({ version: h.version, phone: '13700002222' }));
    expect(await keyIds()).toEqual(['k1', 'k2']);

    const report = await expectOk(await current.http().post('/admin/pii/rotate').set('Authorization', await auth('admin')));
    expect(report.keyId).toBe('k2');
    expect(report.tables.household_members.rewritten).toBeGreaterThan(0);
    expect(report.tables.alert_import_rows.rewritten).toBeGreaterThan(0);
    expect(await keyIds()).toEqual(['k2']);
    // nothing left to do the second time
    const again = await expectOk(await current.http().post('/admin/pii/rotate').set('Authorization', await auth('admin')));
    expect(Object.values(again.tables).map((t: any) => t.rewritten)).toEqual(COLUMNS.slice(1).map(() => 0));

    // k1 dropped: everything still reads, and lookups still find (the HMAC key did not change)
    await current.stop();
    current = await env.restart({ pii: { keys: parsePiiKeys(K2), hmacKey: parseHmacKey(TEST_PII_HMAC_KEY) } });
    const view = await getHousehold(current, householdId, COUNTY);
    expect(view.phone).toBe('13700002222');
    expect(view.members.map((m: any) => [m.idNumber, m.phone])).toEqual([
      [idA, '13912345678'],
      [idB, '0374-6123456'],
    ]);
    const found = await expectOk(await current.http().get('/households').query({ q: idA }).set('Authorization', await auth(COUNTY)));
    expect(found.items.map((x: any) => x.id)).toEqual([householdId]);
    const up = await expectOk(await uploadAlerts(current, alertCsv([{ idNumber: idB, areaCode: HUOZHUANG }]), { name: 'after-rotation.csv' }), 202);
    const done = await waitForImport(current, up.id);
    expect(done.counts.unmatched).toBe(0);
  });
});
