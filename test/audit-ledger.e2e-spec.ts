/**
 * Issue 12, "what the chain does not cover": measures, income records, attendance, evidence
 * uploads and user changes enter hash chains of their own (the record ledger), written with the
 * record; evidence rows are append-only in the database; a case's verification re-hashes its
 * files; a daily (and on-demand) checkpoint — one Merkle root over every chain head — is stored,
 * sent to webhooks, and stops verifying once a chain is rewritten whole.
 */
import { writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { auditHash, GENESIS_HASH, ledgerHash } from '../src/common/audit/audit-hash';
import { randomUUID } from 'node:crypto';
import { AssistanceMeasureEntity, AuditEntryEntity, CaseEntity, EvidenceEntity, IncomeRecordEntity, UserEntity } from '../src/database/entities';
import { AuditCheckpointEntity, AuditCheckpointLeafEntity, RecordLedgerEntity, RecordLedgerHeadEntity } from '../src/modules/audit/audit.entities';
import { auditEntryFields } from '../src/modules/audit/chain-fields';
import { CheckpointsService } from '../src/modules/audit/checkpoints.service';
import { ledgerFields } from '../src/modules/audit/ledger-verifier';
import { ledgerRecord } from '../src/modules/audit/record-ledger';
import { JobRunEntity } from '../src/modules/notifications/notifications.entities';
import { startApp, target, type TestEnv } from './support/harness';
import { COUNTY, expectOk, inclusionCase, pdf, shortNotice, TOWNSHIP, upload, VILLAGE } from './support/flows';
import { addIncome, addMeasure, auth, monitoringObject, SUPERVISOR } from './support/elimination';
import { newHousehold } from './support/households';
import { type Receiver, startReceiver } from './support/webhook-receiver';

const SECRET = 'checkpoint-receiver-secret';
const HUOZHUANG_CODE = '411003100201';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a DBA does to write behind the triggers: PostgreSQL disables them for a while, SQLite drops them. */
async function withoutTriggers(env: TestEnv, table: string, sqliteTriggers: string[], pgTriggers: string[], work: () => Promise<void>) {
  if (target === 'postgres') {
    for (const t of pgTriggers) await env.ds.query(`ALTER TABLE "${table}" DISABLE TRIGGER ${t}`);
    try {
      await work();
    } finally {
      for (const t of pgTriggers) await env.ds.query(`ALTER TABLE "${table}" ENABLE TRIGGER ${t}`);
    }
  } else {
    for (const t of sqliteTriggers) await env.ds.query(`DROP TRIGGER IF EXISTS ${t}`);
    await work();
  }
}

async function get(env: TestEnv, user: string, path: string, status = 200) {
  return expectOk(await env.http().get(path).set('Authorization', await auth(env, user)), status);
}

describe(`record ledger, evidence and checkpoints (${target}, issue 12)`, () => {
  let env: TestEnv;
  let receiver: Receiver;
  /** the checkpoint taken before the chains were rewritten */
  let rewrittenBefore: { id: string; root: string } | null = null;
  beforeAll(async () => {
    env = await startApp();
    receiver = await startReceiver(SECRET);
    await shortNotice(env, 'PT1S');
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
  });

  it('every measure, income record, evidence upload and user change enters its subject\'s chain with the record', async () => {
    const { moId, householdId, inclusionCaseId } = await monitoringObject(env);
    const measure = await addMeasure(env, moId);
    await addIncome(env, moId);
    const evidence = await upload(env, VILLAGE, 'household_survey');
    const created = await expectOk(
      await env.http().post('/admin/users').set('Authorization', await auth(env, 'admin'))
        .send({ username: 'ledger_user', password: 'Xk9#vLq2!mRt', displayName: '台账测试', role: 'village', areaCode: '411003100201' }),
      201,
    );
    await expectOk(await env.http().patch(`/admin/users/${created.id}`).set('Authorization', await auth(env, 'admin')).send({ disabled: true }));

    const ledger = env.ds.getRepository(RecordLedgerEntity);
    expect(await ledger.findOneByOrFail({ recordType: 'assistance_measure', recordId: measure.id })).toMatchObject({ chain: `measures:${moId}`, seq: 1, prevHash: GENESIS_HASH, actorId: expect.any(String) });
    expect(await ledger.countBy({ chain: `income:${householdId}` })).toBeGreaterThanOrEqual(2); // the inclusion's verification and the visit
    // a loose upload enters its area's chain; a file uploaded to a case, the case's (issue 10:
    // uploads to different cases never queue on one head row)
    expect(await ledger.findOneByOrFail({ recordType: 'evidence', recordId: evidence.id })).toMatchObject({ chain: 'evidence:411003100201' });
    const caseFiles = await ledger.find({ where: { chain: `evidence:${inclusionCaseId}` }, order: { seq: 'ASC' } });
    expect(caseFiles.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]); // survey, income, minutes, sign-in sheet, notice photo
    expect(caseFiles.every((e) => e.areaCode === '411003100201')).toBe(true);
    const userChain = await ledger.find({ where: { chain: `users:${created.id}` }, order: { seq: 'ASC' } });
    expect(userChain.map((e) => [e.seq, e.op, e.record.disabled])).toEqual([[1, 'create', false], [2, 'update', true]]);
    expect(JSON.stringify(userChain)).not.toContain('scrypt'); // a digest of the password hash, never the hash

    const all = await get(env, SUPERVISOR, '/audit/ledger/verify');
    expect(all).toMatchObject({ valid: true, problems: [] });
    expect(all.chains).toBeGreaterThanOrEqual(4);
  });

  it('bypass: a measure rewritten in the database behind the service is named by the ledger verify (SF-03, issue 12)', async () => {
    const { moId } = await monitoringObject(env);
    const measure = await addMeasure(env, moId);
    expect(await get(env, COUNTY, `/audit/ledger/verify?kind=measures&subjectId=${moId}`)).toMatchObject({ valid: true, chains: 1, entries: 1, records: 1 });

    // a measure made up after the fact: the type the elimination rules look for, another date
    await env.ds.getRepository(AssistanceMeasureEntity).update({ id: measure.id }, { type: 'social_security', date: '2020-01-01' });
    const after = await get(env, COUNTY, `/audit/ledger/verify?kind=measures&subjectId=${moId}`);
    expect(after).toMatchObject({ valid: false, problems: [{ chain: `measures:${moId}`, recordType: 'assistance_measure', recordId: measure.id, problem: 'changed' }] });

    // the ledger itself cannot be edited to match
    const ledger = env.ds.getRepository(RecordLedgerEntity);
    await expect(ledger.update({ chain: `measures:${moId}`, seq: 1 }, { record: JSON.parse(JSON.stringify({ ...measure, type: 'social_security', date: '2020-01-01' })) })).rejects.toThrow(/append-only/);
    await expect(ledger.delete({ chain: `measures:${moId}` })).rejects.toThrow(/append-only/);

    // a deleted measure is named too
    const second = await addMeasure(env, moId);
    await env.ds.getRepository(AssistanceMeasureEntity).delete({ id: second.id });
    const gone = await get(env, COUNTY, `/audit/ledger/verify?kind=measures&subjectId=${moId}`);
    expect(gone.problems).toEqual(expect.arrayContaining([expect.objectContaining({ recordId: second.id, problem: 'missing' })]));
  });

  it('bypass: a role changed in the users table behind the admin API is named by the ledger verify (SF-25, issue 12)', async () => {
    const created = await expectOk(
      await env.http().post('/admin/users').set('Authorization', await auth(env, 'admin'))
        .send({ username: 'ledger_role', password: 'Pq7$wEr4!zXc', displayName: '角色测试', role: 'village', areaCode: '411003100201' }),
      201,
    );
    await env.ds.getRepository(UserEntity).update({ id: created.id }, { role: 'county' });
    const res = await get(env, 'admin', `/audit/ledger/verify?kind=users&subjectId=${created.id}`);
    expect(res).toMatchObject({ valid: false, problems: [{ recordType: 'user', recordId: created.id, problem: 'changed' }] });
  });

  it('bypass: an evidence row cannot be changed or deleted in the database; only its first link to a case is set (issue 12)', async () => {
    const { id: caseId } = await inclusionCase(env, 'village_appraisal', { householdId: await newHousehold(env) });
    const rows = env.ds.getRepository(EvidenceEntity);
    const linked = await rows.findOneByOrFail({ caseId });
    await expect(rows.update({ id: linked.id }, { sha256: 'f'.repeat(64) })).rejects.toThrow(/append-only/);
    await expect(rows.update({ id: linked.id }, { fileName: 'forged.pdf' })).rejects.toThrow(/append-only/);
    await expect(rows.update({ id: linked.id }, { caseId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/append-only/);
    await expect(rows.update({ id: linked.id }, { usedInSeq: 99 })).rejects.toThrow(/append-only/);
    await expect(rows.delete({ id: linked.id })).rejects.toThrow(/append-only/);
    expect(await rows.findOneByOrFail({ id: linked.id })).toEqual(linked);
    // a loose upload is linked once, by the step that uses it (the engine's own update passes)
    const loose = await upload(env, VILLAGE, 'household_survey');
    await env.ds.getRepository(EvidenceEntity).update({ id: loose.id }, { caseId, usedInSeq: 5 });
    expect(await rows.findOneByOrFail({ id: loose.id })).toMatchObject({ caseId, usedInSeq: 5 });
  });

  it('bypass: an evidence row rewritten with the trigger off is named by the ledger verify (issue 12)', async () => {
    const file = await upload(env, VILLAGE, 'household_survey');
    await withoutTriggers(env, 'evidence', ['evidence_no_update'], ['evidence_append_only'], async () => {
      await env.ds.getRepository(EvidenceEntity).update({ id: file.id }, { type: 'income_calculation', sha256: 'e'.repeat(64) });
    });
    const res = await get(env, SUPERVISOR, '/audit/ledger/verify?kind=evidence&subjectId=411003100201');
    expect(res.valid).toBe(false);
    expect(res.problems).toEqual([expect.objectContaining({ recordType: 'evidence', recordId: file.id, problem: 'changed' })]);
  });

  it('bypass: a swapped or removed evidence file on disk is reported by the case verify (SF-24, issue 12)', async () => {
    const { id } = await inclusionCase(env, 'village_appraisal', { householdId: await newHousehold(env) });
    const ok = await get(env, SUPERVISOR, `/cases/${id}/verify`);
    expect(ok).toEqual({ valid: true, entries: 2, files: { checked: 2, problems: [] } });

    const used = (await env.ds.getRepository(AuditEntryEntity).findOneByOrFail({ caseId: id, seq: 2 })).evidence;
    const pathOf = (sha: string) => join(env.config.evidence.dir, sha.slice(0, 2), sha.slice(2, 4), sha);
    writeFileSync(pathOf(used[0].sha256), pdf('换过的文件'));
    unlinkSync(pathOf(used[1].sha256));
    const res = await get(env, SUPERVISOR, `/cases/${id}/verify`);
    expect(res.valid).toBe(false);
    expect(res.entries).toBe(2); // the chain itself still verifies: only the files are wrong
    expect(res.files.problems).toEqual(expect.arrayContaining([
      { evidenceId: used[0].id, sha256: used[0].sha256, problem: 'altered' },
      { evidenceId: used[1].id, sha256: used[1].sha256, problem: 'missing' },
    ]));
    expect(res.files.problems).toHaveLength(2);
  });

  it('audit checkpoints: only supervisors, county users and admins read them, only admins take one', async () => {
    for (const user of [VILLAGE, TOWNSHIP, 'd_civil']) {
      expect((await env.http().get('/audit/checkpoints').set('Authorization', await auth(env, user))).status).toBe(403);
      expect((await env.http().get('/audit/ledger/verify').set('Authorization', await auth(env, user))).status).toBe(403);
    }
    for (const user of [COUNTY, SUPERVISOR, VILLAGE]) {
      expect((await env.http().post('/audit/checkpoints').set('Authorization', await auth(env, user))).status).toBe(403);
    }
    expect((await env.http().get('/audit/checkpoints')).status).toBe(401);
    expect((await env.http().post('/audit/checkpoints')).status).toBe(401);
    // another county's chains are not this county's to verify; an unknown checkpoint is a 404
    expect((await env.http().get('/audit/ledger/verify?areaCode=411002000000').set('Authorization', await auth(env, COUNTY))).status).toBe(404);
    expect((await env.http().get('/audit/checkpoints/00000000-0000-4000-8000-000000000000/verify').set('Authorization', await auth(env, COUNTY))).status).toBe(404);
    expect((await env.http().get('/audit/checkpoints/x/verify?root=nothex').set('Authorization', await auth(env, COUNTY))).status).toBe(400);
    for (const user of [COUNTY, SUPERVISOR, 'admin']) await get(env, user, '/audit/checkpoints');
  });

  it('the daily checkpoint is taken once a day however often the job runs', async () => {
    const service = env.app.get(CheckpointsService);
    await service.catchUp();
    await service.daily();
    await service.daily();
    const runs = await env.ds.getRepository(JobRunEntity).findBy({ name: 'audit-checkpoint' });
    expect(runs).toHaveLength(1);
    const list = await get(env, COUNTY, '/audit/checkpoints?pageSize=200');
    expect(list.items.filter((c: any) => c.trigger === 'daily')).toHaveLength(1);
    expect(list.items.find((c: any) => c.id === runs[0].result.checkpointId)).toMatchObject({ root: runs[0].result.root });
  });

  it('bypass: a checkpoint taken before a whole-chain rewrite no longer verifies afterwards, and is sent to webhooks (SF-24, issue 12)', async () => {
    await expectOk(
      await env.http().post('/webhooks').set('Authorization', await auth(env, 'admin')).send({ url: receiver.url, secret: SECRET, areaCode: '411003000000', events: ['audit_checkpoint'] }),
      201,
    );
    const { id: caseId } = await inclusionCase(env, 'public_notice', { householdId: await newHousehold(env) });
    const { moId } = await monitoringObject(env);
    const measure = await addMeasure(env, moId);

    const before = await expectOk(await env.http().post('/audit/checkpoints').set('Authorization', await auth(env, 'admin')), 201);
    rewrittenBefore = before;
    expect(before).toMatchObject({ trigger: 'manual', root: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(before.chains).toBe(before.caseChains + before.ledgerChains);
    expect(await get(env, SUPERVISOR, `/audit/checkpoints/${before.id}/verify`)).toMatchObject({ valid: true, recomputedRoot: before.root, changedChains: [], changedElsewhere: 0 });

    // the copy held outside: the webhook received the root
    for (let i = 0; i < 100 && !receiver.received.some((r) => r.body.data?.id === before.id); i++) await sleep(100);
    const sent = receiver.received.find((r) => r.body.data?.id === before.id)!;
    expect(sent).toMatchObject({ event: 'audit_checkpoint', signatureValid: true, body: { event: 'audit_checkpoint', data: { root: before.root, chains: before.chains } } });

    // a DBA rewrites the case's chain from seq 2 on, every hash recomputed, and the case's head …
    await withoutTriggers(env, 'audit_entries', ['audit_entries_no_update'], ['audit_entries_append_only'], async () => {
      const entries = await env.ds.getRepository(AuditEntryEntity).find({ where: { caseId }, order: { seq: 'ASC' } });
      let prev = entries[0].hash;
      for (const e of entries.slice(1)) {
        const data = e.seq === 2 ? { ...e.data, conclusion: 'include', opinion: '事后改写的核实结论' } : e.data;
        const { hash: _old, ...fields } = auditEntryFields({ ...e, data, prevHash: prev } as AuditEntryEntity);
        const hash = auditHash(fields);
        await env.ds.getRepository(AuditEntryEntity).update({ caseId, seq: e.seq }, { data, prevHash: prev, hash });
        prev = hash;
      }
      await env.ds.getRepository(CaseEntity).update({ id: caseId }, { auditHead: prev });
    });
    // … and a measure with its whole ledger chain and head
    await withoutTriggers(env, 'record_ledger', ['record_ledger_no_update'], ['record_ledger_append_only'], async () => {
      await env.ds.getRepository(AssistanceMeasureEntity).update({ id: measure.id }, { type: 'social_security' });
      const row = await env.ds.getRepository(AssistanceMeasureEntity).findOneByOrFail({ id: measure.id });
      const entry = await env.ds.getRepository(RecordLedgerEntity).findOneByOrFail({ chain: `measures:${moId}`, seq: 1 });
      const { hash: _old, ...fields } = { ...ledgerFields(entry), record: JSON.parse(JSON.stringify(ledgerRecord.measures(row))), hash: '' };
      const hash = ledgerHash(fields);
      await env.ds.getRepository(RecordLedgerEntity).update({ chain: entry.chain, seq: 1 }, { record: fields.record, hash });
      await env.ds.getRepository(RecordLedgerHeadEntity).update({ chain: entry.chain }, { hash });
    });

    // each chain verifies on its own: the rewrite was consistent
    expect(await get(env, SUPERVISOR, `/cases/${caseId}/verify`)).toMatchObject({ valid: true });
    expect(await get(env, SUPERVISOR, `/audit/ledger/verify?kind=measures&subjectId=${moId}`)).toMatchObject({ valid: true });
    // the checkpoint does not
    const broken = await get(env, SUPERVISOR, `/audit/checkpoints/${before.id}/verify`);
    expect(broken.valid).toBe(false);
    expect(broken.root).toBe(before.root);
    expect(broken.recomputedRoot).not.toBe(before.root);
    expect(broken.changedChains).toEqual(expect.arrayContaining([
      { chain: `case:${caseId}`, seq: 3, problem: 'rewritten' },
      { chain: `measures:${moId}`, seq: 1, problem: 'rewritten' },
    ]));

    // a checkpoint taken after the rewrite verifies against the rewritten chains, but not against the copy held outside
    const after = await expectOk(await env.http().post('/audit/checkpoints').set('Authorization', await auth(env, 'admin')), 201);
    expect(await get(env, COUNTY, `/audit/checkpoints/${after.id}/verify`)).toMatchObject({ valid: true });
    const againstCopy = await get(env, COUNTY, `/audit/checkpoints/${before.id}/verify?root=${sent.body.data.root}`);
    expect(againstCopy).toMatchObject({ valid: false, matchesExpected: false });
  });

  it('bypass: a checkpoint rewritten in the database to match rewritten chains still differs from the copy held outside (issue 12)', async () => {
    const cp = rewrittenBefore!;
    const sent = receiver.received.find((r) => r.body.data?.id === cp.id)!;
    // the stored checkpoint cannot be edited to follow the rewrite …
    await expect(env.ds.getRepository(AuditCheckpointEntity).update({ id: cp.id }, { root: 'f'.repeat(64) })).rejects.toThrow(/append-only/);
    await expect(env.ds.getRepository(AuditCheckpointLeafEntity).delete({ checkpointId: cp.id })).rejects.toThrow(/append-only/);
    // … unless the triggers are off: the DBA makes leaves and root match the rewritten chains
    const now = await get(env, 'admin', `/audit/checkpoints/${cp.id}/verify`);
    const leaves = env.ds.getRepository(AuditCheckpointLeafEntity);
    await withoutTriggers(env, 'audit_checkpoint_leaves', ['audit_checkpoint_leaves_no_update'], ['audit_checkpoint_leaves_append_only'], async () => {
      for (const c of now.changedChains) {
        const head = c.chain.startsWith('case:')
          ? (await env.ds.getRepository(AuditEntryEntity).findOneByOrFail({ caseId: c.chain.slice(5), seq: c.seq })).hash
          : (await env.ds.getRepository(RecordLedgerEntity).findOneByOrFail({ chain: c.chain, seq: c.seq })).hash;
        await leaves.update({ checkpointId: cp.id, chain: c.chain }, { hash: head });
      }
    });
    await withoutTriggers(env, 'audit_checkpoints', ['audit_checkpoints_no_update'], ['audit_checkpoints_append_only'], async () => {
      await env.ds.getRepository(AuditCheckpointEntity).update({ id: cp.id }, { root: now.recomputedRoot });
    });
    // the database alone is now consistent …
    expect(await get(env, 'admin', `/audit/checkpoints/${cp.id}/verify`)).toMatchObject({ valid: true, root: now.recomputedRoot });
    // … the root the webhook received is not
    const res = await get(env, 'admin', `/audit/checkpoints/${cp.id}/verify?root=${sent.body.data.root}`);
    expect(res).toMatchObject({ valid: false, expectedRoot: cp.root, matchesExpected: false, recomputedRoot: now.recomputedRoot });
  });
  /** issue 19: rows inserted straight into chained tables, with no ledger entry */
  let forged: { moId: string; householdId: string; measureId: string; incomeId: string; userId: string } | null = null;

  it('trust: SF-03 a measure, an income record and a user inserted directly into the database with no ledger entry are named unrecorded by the ledger verify, in the caller\'s area only (issue 19)', async () => {
    const { moId, householdId } = await monitoringObject(env);
    const recorded = await addMeasure(env, moId);
    const scoped = `/audit/ledger/verify?kind=measures&subjectId=${moId}`;
    expect(await get(env, COUNTY, scoped)).toMatchObject({ valid: true, problems: [], unrecorded: { measures: 0 } });

    const now = new Date();
    const measureId = randomUUID();
    const incomeId = randomUUID();
    const userId = randomUUID();
    await env.ds.getRepository(AssistanceMeasureEntity).insert({
      id: measureId, monitoringObjectId: moId, areaCode: HUOZHUANG_CODE, type: 'social_security', description: '事后补录的帮扶措施，未经系统录入',
      date: '2026-01-01', riskTypes: ['illness'], recordedById: userId, recordedAt: now,
    });
    await env.ds.getRepository(IncomeRecordEntity).insert({
      id: incomeId, householdId, caseId: null, record: {}, perCapitaNetIncome: 9000, incomeLine: 6000, guaranteesSecure: true,
      visitDate: '2026-01-01', recordedById: userId, recordedAt: now,
    });
    await env.ds.getRepository(UserEntity).insert({
      id: userId, username: `forged_${userId.slice(0, 8)}`, passwordHash: 'x', displayName: '直接写入的账号', role: 'county',
      areaCode: HUOZHUANG_CODE, sector: null, disabled: false, createdAt: now, updatedAt: now,
    });
    forged = { moId, householdId, measureId, incomeId, userId };

    // the chain itself still verifies; the row no chain knows of is named
    const measures = await get(env, COUNTY, scoped);
    expect(measures).toMatchObject({ valid: false, unrecorded: { measures: 1 } });
    expect(measures.problems).toEqual([{ chain: `measures:${moId}`, kind: 'measures', subjectId: moId, problem: 'unrecorded', recordType: 'assistance_measure', recordId: measureId }]);
    expect(measures.problems.some((p: any) => p.recordId === recorded.id)).toBe(false);

    // the whole area: every kind counted, each forged row named once
    const all = await get(env, SUPERVISOR, '/audit/ledger/verify');
    expect(all.valid).toBe(false);
    expect(all.unrecorded).toEqual({ measures: 1, income: 1, attendance: 0, evidence: 0, users: 1 });
    expect(all.problems.filter((p: any) => p.problem === 'unrecorded')).toEqual(expect.arrayContaining([
      expect.objectContaining({ recordType: 'assistance_measure', recordId: measureId }),
      expect.objectContaining({ recordType: 'income_record', recordId: incomeId, chain: `income:${householdId}` }),
      expect.objectContaining({ recordType: 'user', recordId: userId, chain: `users:${userId}` }),
    ]));
    expect(all.problems.filter((p: any) => p.problem === 'unrecorded')).toHaveLength(3);
    expect((await get(env, COUNTY, '/audit/ledger/verify?kind=users')).unrecorded).toEqual({ users: 1 });

    // another village's scope does not see (nor count) them
    const elsewhere = await get(env, COUNTY, '/audit/ledger/verify?areaCode=411003101201');
    expect(elsewhere.problems.filter((p: any) => p.problem === 'unrecorded')).toEqual([]);
    expect(elsewhere.unrecorded).toEqual({ measures: 0, income: 0, attendance: 0, evidence: 0, users: 0 });
  });

  it('trust: SF-03 the daily checkpoint reports the rows of chained tables that no ledger entry records (issue 19)', async () => {
    expect(forged).not.toBeNull();
    const service = env.app.get(CheckpointsService);
    // the day's run, for a day of its own (today's was taken above)
    const cp = await service.take('daily', null, new Date(), '2099-12-31');
    expect(cp.unrecorded).toEqual({ measures: 1, income: 1, attendance: 0, evidence: 0, users: 1 });
    const run = await env.ds.getRepository(JobRunEntity).findOneByOrFail({ name: 'audit-checkpoint', period: '2099-12-31' });
    expect(run.result).toMatchObject({ checkpointId: cp.id, unrecorded: { measures: 1, income: 1, users: 1 } });
    // the copy sent out carries the counts (a webhook of the county, as an inspector's receiver would be)
    await expectOk(
      await env.http().post('/webhooks').set('Authorization', await auth(env, 'admin')).send({ url: receiver.url, secret: SECRET, areaCode: '411003000000', events: ['audit_checkpoint'] }),
      201,
    );
    const second = await service.take('daily', null, new Date(), '2099-12-30');
    for (let i = 0; i < 100 && !receiver.received.some((r) => r.body.data?.id === second.id); i++) await sleep(100);
    const sent = receiver.received.find((r) => r.body.data?.id === second.id)!;
    expect(sent.body.data.unrecorded).toEqual({ measures: 1, income: 1, attendance: 0, evidence: 0, users: 1 });
    // an admin's checkpoint answers with the same counts
    const manual = await expectOk(await env.http().post('/audit/checkpoints').set('Authorization', await auth(env, 'admin')), 201);
    expect(manual.unrecorded).toEqual({ measures: 1, income: 1, attendance: 0, evidence: 0, users: 1 });

    // once the rows are gone the count is back to nothing
    await env.ds.getRepository(AssistanceMeasureEntity).delete({ id: forged!.measureId });
    await env.ds.getRepository(IncomeRecordEntity).delete({ id: forged!.incomeId });
    await env.ds.getRepository(UserEntity).delete({ id: forged!.userId });
    const clean = await expectOk(await env.http().post('/audit/checkpoints').set('Authorization', await auth(env, 'admin')), 201);
    expect(clean.unrecorded).toEqual({ measures: 0, income: 0, attendance: 0, evidence: 0, users: 0 });
  });
});
