/**
 * Issue 21: a record-ledger append is held on the transaction's connection and sent with the
 * transaction's next write (one round trip fewer on PostgreSQL; SQLite writes it at once). What
 * must not change: whatever the transaction does next sees it, COMMIT stores it, ROLLBACK (or
 * an error) leaves nothing, and a failure of the deferred write still fails the transaction.
 */
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../src/database/unit-of-work';
import { IdempotencyRecordEntity } from '../src/database/entities';
import { RecordLedgerEntity, RecordLedgerHeadEntity } from '../src/modules/audit/audit.entities';
import { GENESIS_HASH } from '../src/common/audit/audit-hash';
import { writeBatch } from '../src/database/batch-write';
import { appendLedger } from '../src/modules/audit/record-ledger';
import { recordStatements } from '../src/database/statement-log';
import { startApp, target, type TestEnv } from './support/harness';

describe('deferred ledger writes (issue 21)', () => {
  let env: TestEnv;
  let uow: UnitOfWork;
  beforeAll(async () => {
    env = await startApp();
    uow = env.app.get(UnitOfWork);
  });
  afterAll(async () => {
    await env?.close();
  });

  const entry = (subjectId: string, n: number) => ({
    kind: 'measures' as const,
    subjectId,
    areaCode: '411003001001',
    recordId: randomUUID(),
    op: 'create',
    record: { n, note: '帮扶措施' },
    actorId: null,
  });
  const stored = (subjectId: string) =>
    env.ds.manager.find(RecordLedgerEntity, { where: { chain: `measures:${subjectId}` }, order: { seq: 'ASC' } });

  it('trust: an append is seen by the transaction\'s next read, a second append to the same chain follows it, and COMMIT stores both', async () => {
    const subject = randomUUID();
    const seen = await uow.transaction(async (em) => {
      await appendLedger(em, entry(subject, 1));
      const read = await em.find(RecordLedgerEntity, { where: { chain: `measures:${subject}` } });
      await appendLedger(em, entry(subject, 2));
      return read.length;
    });
    expect(seen).toBe(1);
    const rows = await stored(subject);
    expect(rows.map((r) => r.seq)).toEqual([1, 2]);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    const head = await env.ds.manager.findOneBy(RecordLedgerHeadEntity, { chain: `measures:${subject}` });
    expect(head?.seq).toBe(2);
    expect(head?.hash).toBe(rows[1].hash);
  });

  it('trust: a transaction that fails after an append stores nothing of it (the ledger and its head stay as they were)', async () => {
    const subject = randomUUID();
    await expect(
      uow.transaction(async (em) => {
        await appendLedger(em, entry(subject, 1));
        throw new Error('步骤失败');
      }),
    ).rejects.toThrow('步骤失败');
    expect(await stored(subject)).toHaveLength(0);
    expect(await env.ds.manager.findOneBy(RecordLedgerHeadEntity, { chain: `measures:${subject}` })).toBeNull();
  });

  it('trust: a deferred append that the database refuses fails its transaction, and what the transaction wrote before it is rolled back too', async () => {
    const subject = randomUUID();
    await uow.transaction((em) => appendLedger(em, entry(subject, 1)));
    // the head forged back to the genesis: the next append takes seq 1 again, which the ledger's key (chain, seq) refuses
    await env.ds.manager.update(RecordLedgerHeadEntity, { chain: `measures:${subject}` }, { seq: 0, hash: GENESIS_HASH });
    const other = randomUUID();
    await expect(
      uow.transaction(async (em) => {
        await appendLedger(em, entry(other, 1));
        await appendLedger(em, entry(subject, 2));
      }),
    ).rejects.toThrow();
    expect(await stored(other)).toHaveLength(0);
    expect(await env.ds.manager.findOneBy(RecordLedgerHeadEntity, { chain: `measures:${other}` })).toBeNull();
    expect((await stored(subject)).map((r) => r.seq)).toEqual([1]);
  });

  it('trust: on PostgreSQL the append rides with the transaction\'s next write — one statement for both; on SQLite it is written at once', async () => {
    const subject = randomUUID();
    const stop = recordStatements();
    try {
      await uow.transaction(async (em) => {
        await appendLedger(em, entry(subject, 1));
        await writeBatch(em, {
          inserts: [{ target: IdempotencyRecordEntity, rows: [Object.assign(new IdempotencyRecordEntity(), { userId: randomUUID(), key: randomUUID(), requestHash: 'x'.repeat(64), caseId: randomUUID(), response: { ok: true }, createdAt: new Date() })] }],
        });
      });
    } finally {
      const statements = stop();
      const both = statements.filter((s) => s.includes('INSERT INTO "record_ledger"') && s.includes('INSERT INTO "idempotency_records"'));
      const ledger = statements.filter((s) => /INSERT INTO "record_ledger"/.test(s));
      expect(ledger.length).toBeGreaterThanOrEqual(1);
      expect(both).toHaveLength(target === 'postgres' ? 1 : 0);
    }
    expect(await stored(subject)).toHaveLength(1);
  });
});
