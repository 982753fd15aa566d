/**
 * Issue 19 (item 16): the assistance contact's phone inside case data, audit entries, the
 * monitoring object and stored answers is encrypted at rest (and masked as every phone is), the
 * audit chains still verify, also after the migration rewrites existing rows; import reports
 * show a full ID number only as a recorded read of its household.
 */
import { jest } from '@jest/globals';
import { startApp, target, type TestEnv } from './support/harness';
import { COUNTY, expectOk, HUOZHUANG, inclusionCase, registerHousehold, shortNotice, TOWNSHIP, VILLAGE } from './support/flows';
import { alertCsv, DEPARTMENT, importReport, memberIds, uploadAlerts, waitForImport } from './support/imports';
import { badCheck, regId, registryCsv, registryReport, uploadRegistry, waitForRegistryImport } from './support/registry';
import { maskIdNumber } from '../src/common/domain/id-number';
import { pii } from '../src/common/crypto/pii';
import { CaseDataPhones1765500000000 as PgMigration } from '../src/database/migrations/postgres/1765500000000-CaseDataPhones';
import { CaseDataPhones1765500000000 as SqliteMigration } from '../src/database/migrations/sqlite/1765500000000-CaseDataPhones';

jest.setTimeout(120_000);

const PHONE = '13903740000';
const CIPHER = /"phone":"v1:[A-Za-z0-9_-]{1,16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+"/;
const SUPERVISOR = 's_jianan';

describe(`trust: personal data in case data and import reports (issue 19, ${target})`, () => {
  let env: TestEnv;
  let caseId: string;
  let householdId: string;
  const auth = async (user: string) => `Bearer ${await env.token(user)}`;
  const get = async (user: string, path: string) => env.http().get(path).set('Authorization', await auth(user));
  const raw = async (sql: string, params: unknown[] = []): Promise<any[]> => env.ds.query(target === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), params);
  /** every stored copy of the case's data, as the database holds it */
  const stored = async () => ({
    audit: JSON.stringify(await raw('SELECT "data" FROM "audit_entries" WHERE "caseId" = $1 ORDER BY "seq"', [caseId])),
    snapshot: JSON.stringify(await raw('SELECT "snapshot" FROM "cases" WHERE "id" = $1', [caseId])),
    object: JSON.stringify(await raw('SELECT "assistanceContact" FROM "monitoring_objects" WHERE "inclusionCaseId" = $1', [caseId])),
    answers: JSON.stringify(await raw('SELECT "response" FROM "idempotency_records" WHERE "caseId" = $1', [caseId])),
  });
  /** the recorded reads of a household through an import report */
  const reads = async (hid: string) =>
    (await expectOk(await get(SUPERVISOR, `/inspection/personal-data-reads?householdId=${hid}&pageSize=200`))).items.filter((r: any) => r.purpose.startsWith('GET /imports/'));

  beforeAll(async () => {
    env = await startApp();
    await shortNotice(env, 'PT1S');
    householdId = await registerHousehold(env);
    ({ id: caseId } = await inclusionCase(env, 'included', { householdId }));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('trust: SF-03 the assistance contact\'s phone is ciphertext in the audit entries, the case snapshot, the monitoring object and the stored answer; the API answers it, masked below the township', async () => {
    const at = await stored();
    for (const [where, text] of Object.entries(at)) {
      expect({ where, clear: text.includes(PHONE) }).toEqual({ where, clear: false });
    }
    for (const text of [at.audit, at.snapshot, at.object]) expect(text.replace(/\\"/g, '"')).toMatch(CIPHER);

    const history = await expectOk(await get(COUNTY, `/cases/${caseId}/history`));
    const approval = history.find((h: any) => h.event === 'APPROVE' && h.data.assistanceContact);
    expect(approval.data.assistanceContact).toEqual({ name: '孙立新', unit: '建安区乡村振兴局', phone: PHONE });
    const village = await expectOk(await get(VILLAGE, `/cases/${caseId}/history`));
    expect(village.find((h: any) => h.seq === approval.seq).data.assistanceContact.phone).toBe('139****0000');
    expect((await expectOk(await get(COUNTY, `/cases/${caseId}`))).data.approval.assistanceContact.phone).toBe(PHONE);
    expect((await expectOk(await get(VILLAGE, `/cases/${caseId}`))).data.approval.assistanceContact.phone).toBe('139****0000');
    const mo = (await expectOk(await get(COUNTY, `/monitoring-objects?areaCode=${HUOZHUANG}&pageSize=200`))).items.find((o: any) => o.householdId === householdId);
    expect(mo.assistanceContact.phone).toBe(PHONE);
    expect((await expectOk(await get(VILLAGE, `/monitoring-objects/${mo.id}`))).assistanceContact.phone).toBe('139****0000');
    // the chain hashes the clear data: it verifies
    expect((await expectOk(await get(COUNTY, `/cases/${caseId}/verify`))).valid).toBe(true);
  });

  it('trust: the CaseDataPhones migration: down() puts the phones back in clear, up() encrypts existing rows in place, and every chain still verifies', async () => {
    const migration = new (target === 'postgres' ? PgMigration : SqliteMigration)();
    const qr = env.ds.createQueryRunner();
    try {
      await qr.startTransaction();
      await migration.down(qr);
      await qr.commitTransaction();
      const clear = await stored();
      expect(clear.audit).toContain(PHONE);
      expect(clear.snapshot).toContain(PHONE);
      expect(clear.object).toContain(PHONE);
      // rows stored in clear (as before the migration) still read and verify
      expect((await expectOk(await get(COUNTY, `/cases/${caseId}/verify`))).valid).toBe(true);
      await qr.startTransaction();
      await migration.up(qr);
      await qr.commitTransaction();
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
    const sealed = await stored();
    for (const [where, text] of Object.entries(sealed)) expect({ where, clear: text.includes(PHONE) }).toEqual({ where, clear: false });
    expect((await expectOk(await get(COUNTY, `/cases/${caseId}/verify`))).valid).toBe(true);
    expect((await expectOk(await get(COUNTY, `/cases/${caseId}/history`))).find((h: any) => h.data.assistanceContact).data.assistanceContact.phone).toBe(PHONE);
    // the audit entries are append-only again
    await expect(raw('UPDATE "audit_entries" SET "reason" = $1 WHERE "caseId" = $2', ['改写', caseId])).rejects.toThrow(/append-only/);
    // a later step of the case reads its sealed snapshot: the township/county still act on it
    expect((await expectOk(await get(TOWNSHIP, `/cases/${caseId}`))).state).toBe('included');
  });

  it('trust: an alert import report shows a full ID number only as a recorded read of its household; a row of no household only to its uploader', async () => {
    const hid = await registerHousehold(env);
    const [member] = await memberIds(env, hid);
    const stranger = regId('1983-06-07', 'male');
    const up = await expectOk(await uploadAlerts(env, alertCsv([{ idNumber: member, areaCode: HUOZHUANG }, { idNumber: stranger, areaCode: HUOZHUANG }])), 202);
    expect((await waitForImport(env, up.id)).counts).toMatchObject({ opened: 1, unmatched: 1 });
    expect(await reads(hid)).toEqual([]);

    // the county's supervisor, not the uploader: the matched row in full, recorded; the stranger masked
    const rows = await importReport(env, up.id, SUPERVISOR);
    expect(rows[1][2]).toBe(member);
    expect(rows[2][2]).toBe(maskIdNumber(stranger));
    expect(rows.flat()).not.toContain(stranger);
    const logged = await reads(hid);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ username: SUPERVISOR, householdId: hid, areaCode: HUOZHUANG, purpose: 'GET /imports/{id}/report' });
    // the uploader sees the numbers it sent; its read of the household is recorded too
    const own = await importReport(env, up.id, DEPARTMENT);
    expect([own[1][2], own[2][2]]).toEqual([member, stranger]);
    expect((await reads(hid)).map((r: any) => r.username).sort()).toEqual([DEPARTMENT, SUPERVISOR]);
  });

  it('trust: a household import report shows a full ID number only as a recorded read of its household', async () => {
    const code = `T${Date.now().toString(36)}`;
    const head = regId('1961-05-06', 'male');
    const wrong = badCheck(regId('1963-07-08', 'female'));
    const up = await expectOk(
      await uploadRegistry(
        env,
        registryCsv([
          { code, householder: '报告户', name: '报告户', idNumber: head, relation: '户主', gender: '男', birthDate: '1961-05-06', village: HUOZHUANG },
          { code: `${code}b`, householder: '错号户', name: '错号户', idNumber: wrong, relation: '户主', gender: '女', birthDate: '1963-07-08', village: HUOZHUANG },
        ]),
      ),
      202,
    );
    await waitForRegistryImport(env, up.id);
    const rows = await registryReport(env, up.id, SUPERVISOR);
    const byId = rows.slice(1).find((r) => r[3] === head);
    expect(byId).toBeDefined();
    const hid = byId![9];
    expect(hid).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows.flat()).not.toContain(wrong);
    const logged = await reads(hid);
    expect(logged.map((r: any) => [r.username, r.purpose])).toEqual([[SUPERVISOR, 'GET /imports/households/{id}/report']]);
  });

  // last: it breaks the case's chain
  it('trust: another phone sealed into an audit entry behind the service (trigger off) breaks the case chain: the hash covers the clear phone', async () => {
    const [entry] = await raw('SELECT "seq", "data" FROM "audit_entries" WHERE "caseId" = $1 AND "data" LIKE $2', [caseId, '%assistanceContact%']);
    const data = JSON.parse(entry.data);
    expect(data.assistanceContact.phone).toMatch(/^v1:/);
    // re-encrypted, the same phone: a new IV, the chain still verifies
    data.assistanceContact.phone = pii().encrypt(PHONE);
    const rewrite = async (json: string) => {
      if (target === 'postgres') {
        await raw('ALTER TABLE "audit_entries" DISABLE TRIGGER audit_entries_append_only');
        await raw('UPDATE "audit_entries" SET "data" = $1 WHERE "caseId" = $2 AND "seq" = $3', [json, caseId, entry.seq]);
        await raw('ALTER TABLE "audit_entries" ENABLE TRIGGER audit_entries_append_only');
      } else {
        await raw('DROP TRIGGER audit_entries_no_update');
        await raw('UPDATE "audit_entries" SET "data" = $1 WHERE "caseId" = $2 AND "seq" = $3', [json, caseId, entry.seq]);
        await raw(`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`);
      }
    };
    await rewrite(JSON.stringify(data));
    expect((await expectOk(await get(COUNTY, `/cases/${caseId}/verify`))).valid).toBe(true);
    // another number, properly encrypted: the ciphertext is valid, the entry is not
    data.assistanceContact.phone = pii().encrypt('13800000000');
    await rewrite(JSON.stringify(data));
    const broken = await expectOk(await get(COUNTY, `/cases/${caseId}/verify`));
    expect(broken).toMatchObject({ valid: false, brokenAt: entry.seq });
  });
});
