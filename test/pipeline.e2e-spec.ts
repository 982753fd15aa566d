/**
 * Issue 21: fewer round trips per transaction (src/database/pipeline.ts, unit-of-work.ts). On
 * PostgreSQL `BEGIN` rides with the transaction's first statement, independent statements
 * gathered by `UnitOfWork.together` go in one round trip, a step's case write is held for the
 * next one and `COMMIT` carries the step's last writes. What must not change, on both engines:
 * each statement gets its own rows, a failure anywhere in a round trip stops everything after it
 * and commits nothing, a step whose version moved on is a 409 that leaves nothing behind, and a
 * transaction that sent nothing costs nothing.
 */
import { randomUUID } from 'node:crypto';
import { holdBatch, sendHeld, writeBatch } from '../src/database/batch-write';
import { GENESIS_HASH } from '../src/common/audit/audit-hash';
import { AuditEntryEntity, CaseEntity, IdempotencyRecordEntity } from '../src/database/entities';
import { RecordLedgerEntity, RecordLedgerHeadEntity } from '../src/modules/audit/audit.entities';
import { recordIncome } from '../src/modules/monitoring-objects/income-records';
import { recordRoundTrips } from '../src/database/statement-log';
import { UnitOfWork } from '../src/database/unit-of-work';
import { expectOk, inclusionCase, registerHousehold, send, uploadAll, VILLAGE, verificationData } from './support/flows';
import { startApp, target, type TestEnv } from './support/harness';

describe('round trips: pipelined statements (issue 21)', () => {
  let env: TestEnv;
  let uow: UnitOfWork;
  beforeAll(async () => {
    env = await startApp();
    uow = env.app.get(UnitOfWork);
  });
  afterAll(async () => {
    await env?.close();
  });

  const record = (key = randomUUID()) =>
    Object.assign(new IdempotencyRecordEntity(), { userId: 'pipeline-spec', key, requestHash: 'h', caseId: randomUUID(), response: { ok: true }, createdAt: new Date() });
  const records = (keys: string[]) => env.ds.manager.find(IdempotencyRecordEntity, { where: keys.map((key) => ({ userId: 'pipeline-spec', key })) });

  it('statements gathered by together() each get their own rows, in one round trip with BEGIN on PostgreSQL', async () => {
    const keys = [randomUUID(), randomUUID()];
    await uow.transaction((em) => writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: keys.map(record) }] }));
    const trips = recordRoundTrips();
    const [a, b, none] = await uow.transaction((em) =>
      uow.together(() =>
        Promise.all([
          em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: keys[0] }),
          em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: keys[1] }),
          em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: randomUUID() }),
        ]),
      ),
    );
    const sent = trips();
    expect([a?.key, b?.key, none]).toEqual([keys[0], keys[1], null]);
    // BEGIN + three reads in one round trip, COMMIT in a second (SQLite has none)
    expect(sent).toBe(target === 'postgres' ? 2 : 0);
  });

  it('a pipelined statement answers what a lone one answers: every type parsed by the client\'s parsers, NULLs, several rows, row counts', async () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    await uow.transaction((em) => writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: keys.map(record) }] }));
    const where = keys.map((key) => ({ userId: 'pipeline-spec', key }));
    const typed =
      target === 'postgres'
        ? `SELECT 1::int4 AS i, 9007199254740993::int8 AS big, 1.50::numeric AS n, true AS t, NULL::text AS z, TIMESTAMPTZ '2026-12-07 08:00:00+08' AS ts, '{"a":[1,"二"]}'::jsonb AS j, ARRAY[1,2] AS arr, '户主' AS s FROM generate_series(1, 3)`
        : `SELECT 1 AS i, '户主' AS s, NULL AS z`;
    const lone = { rows: await env.ds.manager.find(IdempotencyRecordEntity, { where, order: { key: 'ASC' } }), typed: await env.ds.query(typed) };
    const trips = recordRoundTrips();
    const piped = await uow.transaction((em) =>
      uow.together(async () => {
        const [rows, typedRows, updated] = await Promise.all([
          em.find(IdempotencyRecordEntity, { where, order: { key: 'ASC' } }),
          em.query(typed),
          em.createQueryBuilder().update(IdempotencyRecordEntity).set({ requestHash: 'h' }).where('userId = :u', { u: 'pipeline-spec' }).andWhere('key IN (:...keys)', { keys }).execute(),
        ]);
        return { rows, typed: typedRows, affected: updated.affected };
      }),
    );
    expect(trips()).toBe(target === 'postgres' ? 2 : 0);
    expect(piped.rows).toEqual(lone.rows);
    expect(piped.rows.map((r) => r.createdAt instanceof Date)).toEqual([true, true, true]);
    expect(piped.typed).toEqual(lone.typed);
    expect(piped.affected).toBe(3);
    if (target === 'postgres') {
      expect(piped.typed).toHaveLength(3);
      expect(piped.typed[0]).toEqual({ i: 1, big: '9007199254740993', n: '1.50', t: true, z: null, ts: new Date('2026-12-07T00:00:00Z'), j: { a: [1, '二'] }, arr: [1, 2], s: '户主' });
      // every row of one statement has the same keys, in the same order
      expect(new Set(piped.typed.map((r: object) => Object.keys(r).join(','))).size).toBe(1);
    }
  });

  it('a read (UnitOfWork.read) is BEGIN, its gathered statements and COMMIT in one round trip; a later statement runs on its own; the connection is left clean', async () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    await uow.transaction((em) => writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: keys.map(record) }] }));
    const trips = recordRoundTrips();
    const [a, b, c] = await uow.read(async (em) => {
      const [x, y] = await Promise.all([
        em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: keys[0] }),
        em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: keys[1] }),
      ]);
      // after the first round trip (which committed): its own round trip, still correct rows
      const z = await em.findOneBy(IdempotencyRecordEntity, { userId: 'pipeline-spec', key: keys[2] });
      return [x, y, z];
    });
    expect(trips()).toBe(target === 'postgres' ? 2 : 0);
    expect([a?.key, b?.key, c?.key]).toEqual(keys);
    // the connection went back to the pool outside any transaction: a write after it commits and is seen by others
    const later = randomUUID();
    await uow.transaction((em) => writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(later)] }] }));
    expect((await records([later])).map((r) => r.key)).toEqual([later]);
    if (target === 'postgres') {
      const open = await env.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
      expect(open[0].n).toBe(0);
    }
  });

  it('trust: a read whose statement fails rolls back and leaves the connection usable (no aborted transaction handed to the next request)', async () => {
    const trips = recordRoundTrips();
    await expect(uow.read((em) => Promise.all([em.query('SELECT 1 AS one'), em.query('SELECT * FROM "no_such_table_pipeline_spec"')]))).rejects.toThrow();
    trips();
    // every pooled connection answers afterwards (more requests at once than a stale one could hide from)
    const answers = await Promise.all(Array.from({ length: 12 }, () => uow.read((em) => em.query('SELECT 2 AS two'))));
    expect(answers.map((r) => Number(r[0].two))).toEqual(Array(12).fill(2));
  });

  it('a transaction that sent nothing costs no round trip, committed or rolled back', async () => {
    const trips = recordRoundTrips();
    expect(await uow.transaction(async () => 42)).toBe(42);
    await expect(uow.transaction(async () => Promise.reject(new Error('refused before any statement')))).rejects.toThrow('refused before any statement');
    expect(trips()).toBe(0);
  });

  it('trust: a statement that fails in a round trip stops it — nothing after it runs and nothing is committed', async () => {
    const first = randomUUID();
    const after = randomUUID();
    const taken = randomUUID();
    await uow.transaction((em) => writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(taken)] }] }));
    await expect(
      uow.transaction(async (em) => {
        // held: rides with the next statement, which is the failing insert's round trip
        await writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(first)] }] }, { defer: true });
        await uow.together(() =>
          Promise.all([
            writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(taken)] }] }), // duplicate key
            writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(after)] }] }),
          ]),
        );
      }),
    ).rejects.toThrow();
    expect((await records([first, after, taken])).map((r) => r.key)).toEqual([taken]);
  });

  it('trust: a held case write whose version moved on fails the round trip that carries it — COMMIT included — and stores nothing', async () => {
    const { id } = await inclusionCase(env, 'lead', { householdId: await registerHousehold(env) });
    const before = await env.ds.manager.findOneByOrFail(CaseEntity, { id });
    const key = randomUUID();
    const outcome = await uow
      .transaction(async (em) => {
        const written = holdBatch(em, { guarded: { target: CaseEntity, id, version: before.version + 5, set: { updatedAt: new Date() } } });
        written.catch(() => undefined);
        await writeBatch(em, { inserts: [{ target: IdempotencyRecordEntity, rows: [record(key)] }] }, { defer: true });
        await uow.commitEarly();
        return written;
      })
      .then(
        (n) => ({ n }),
        (err: Error) => ({ err }),
      );
    if (target === 'postgres') expect((outcome as { err: Error }).err.message).toContain('version_moved');
    else expect(outcome).toEqual({ n: 0 }); // SQLite writes at once and reports the row count
    if (target === 'postgres') expect(await records([key])).toEqual([]);
    const after = await env.ds.manager.findOneByOrFail(CaseEntity, { id });
    expect(after.version).toBe(before.version);
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
  });

  it('trust: a step that fails in Node after holding its case write sends the write, learns its outcome and ends — no hang, no connection kept', async () => {
    const { id } = await inclusionCase(env, 'lead', { householdId: await registerHousehold(env) });
    const before = await env.ds.manager.findOneByOrFail(CaseEntity, { id });
    const attempt = uow.transaction(async (em) => {
      const written = holdBatch(em, { guarded: { target: CaseEntity, id, version: before.version, set: { updatedAt: new Date() } } });
      written.catch(() => undefined);
      try {
        throw new Error('refused in Node before any other statement');
      } catch (err) {
        await sendHeld(em);
        await written;
        throw err;
      }
    });
    await expect(Promise.race([attempt, new Promise((_, reject) => setTimeout(() => reject(new Error('hung')), 5000))])).rejects.toThrow('refused in Node');
    // rolled back, and the pool still serves
    expect((await env.ds.manager.findOneByOrFail(CaseEntity, { id })).updatedAt.getTime()).toBe(before.updatedAt.getTime());
  });

  it('trust: two requests racing on one version — one step, one 409, one audit entry; the loser leaves no idempotency record', async () => {
    const { id } = await inclusionCase(env, 'lead', { householdId: await registerHousehold(env) });
    const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
    const keys = [randomUUID(), randomUUID()];
    const answers = await Promise.all(keys.map((key) => send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', version: 1, evidenceIds: ev, data: verificationData() }, key)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    const lost = answers.find((a) => a.status !== 200)!;
    // the loser read the case before or after the winner's commit: 409 either way (or the files are taken)
    expect([409, 422]).toContain(lost.status);
    if (lost.status === 409) expect(lost.body.code).toBe('VERSION_CONFLICT');
    const entries = await env.ds.manager.find(AuditEntryEntity, { where: { caseId: id }, order: { seq: 'ASC' } });
    expect(entries.map((e) => e.event)).toEqual(['CREATE', 'RECORD_VERIFICATION']);
    const loserKey = keys[answers.indexOf(lost)];
    expect(await env.ds.manager.findBy(IdempotencyRecordEntity, { key: loserKey })).toEqual([]);
    await expectOk(ok[0]);
  });

  it('trust: SF-09 a verification locks its household\'s income chain in its first round trip — racing income records keep one unforked chain; a refused one leaves no head', async () => {
    const householdId = await registerHousehold(env);
    const { id } = await inclusionCase(env, 'lead', { householdId });
    const ev = await uploadAll(env, VILLAGE, id, ['household_survey', 'income_calculation']);
    // refused (stale version) after the head was locked: nothing of the chain is left behind
    const stale = await send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', version: 7, evidenceIds: ev, data: verificationData() });
    expect(stale.status).toBe(409);
    expect(await env.ds.manager.findBy(RecordLedgerHeadEntity, { chain: `income:${householdId}` })).toEqual([]);
    // the verification and four visits' income records of the same household, at once
    const visit = () =>
      uow.transaction((em) =>
        recordIncome(em, {
          householdId,
          caseId: null,
          survey: { perCapitaNetIncome: 9000, incomeLine: 7500, guarantees: { education: true, medical: true, housing: true, water: true } } as never,
          source: 'monitoring_visit',
          recordedById: 'pipeline-spec',
          recordedAt: new Date(),
          areaCode: '411003100201',
        }),
      );
    const [verified] = await Promise.all([
      send(env, VILLAGE, id, { type: 'RECORD_VERIFICATION', version: 1, evidenceIds: ev, data: verificationData() }),
      visit(),
      visit(),
      visit(),
      visit(),
    ]);
    await expectOk(verified);
    const entries = await env.ds.manager.find(RecordLedgerEntity, { where: { chain: `income:${householdId}` }, order: { seq: 'ASC' } });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    entries.forEach((e, i) => expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : entries[i - 1].hash));
    expect(entries.filter((e) => (e.record as { caseId?: string }).caseId === id)).toHaveLength(1);
    const head = await env.ds.manager.findOneByOrFail(RecordLedgerHeadEntity, { chain: `income:${householdId}` });
    expect([Number(head.seq), head.hash]).toEqual([5, entries[4].hash]);
  });
});
