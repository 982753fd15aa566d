import type { EntityManager } from 'typeorm';
import { type InsertOp, writeBatch } from '../../database/batch-write';
import { GENESIS_HASH, ledgerHash, sha256Hex } from '../../common/audit/audit-hash';
import { householdOfCaseSql } from '../engine/household-version';
import type { AssistanceMeasureEntity, EvidenceEntity, IncomeRecordEntity, UserEntity } from '../../database/entities';
import type { WelfarePostAttendanceEntity } from '../welfare-posts/welfare-posts.entities';
import { RecordLedgerEntity, RecordLedgerHeadEntity } from './audit.entities';

/**
 * Issue 12: what enters the record ledger, and which fields of each record its hash covers.
 * The same function builds the fields when the record is written and when it is verified, so
 * a row changed behind the service no longer matches its latest ledger entry.
 *
 * | kind       | chain per            | record                        |
 * | measures   | monitoring object    | assistance_measures           |
 * | income     | household            | income_records                |
 * | attendance | hiring case          | welfare_post_attendance       |
 * | evidence   | case or batch uploaded to (a loose upload: its area) | evidence (content fields; the link to a case is in the case's audit entry) |
 * | users      | user                 | users (password as a digest of its hash) |
 * | households | household            | one registry change (issue 13): what, before/after, the household's state hash |
 * | projects   | project              | a library entry written without an intake case: the demo seed's library projects (seeds/projects.ts) |
 * | plans      | project              | the project's annual plan entry as added, changed or withdrawn (issue 19), with who, when and why |
 */
export type LedgerKind = 'measures' | 'income' | 'attendance' | 'evidence' | 'users' | 'households' | 'projects' | 'plans';
export const LEDGER_KINDS: LedgerKind[] = ['measures', 'income', 'attendance', 'evidence', 'users', 'households', 'projects', 'plans'];

const iso = (d: Date | string) => new Date(d).toISOString();
const round = (n: number, digits: number) => Number(Number(n).toFixed(digits));

export const ledgerRecord = {
  measures: (m: AssistanceMeasureEntity) => ({
    id: m.id,
    monitoringObjectId: m.monitoringObjectId,
    areaCode: m.areaCode,
    type: m.type,
    description: m.description,
    date: m.date,
    riskTypes: m.riskTypes,
    recordedById: m.recordedById,
    recordedAt: iso(m.recordedAt),
  }),
  income: (r: IncomeRecordEntity) => ({
    id: r.id,
    householdId: r.householdId,
    caseId: r.caseId,
    record: r.record,
    perCapitaNetIncome: r.perCapitaNetIncome,
    incomeLine: r.incomeLine,
    guaranteesSecure: r.guaranteesSecure,
    recordedById: r.recordedById,
    recordedAt: iso(r.recordedAt),
  }),
  // numeric columns as the database keeps them (2 and 4 decimals)
  attendance: (a: WelfarePostAttendanceEntity) => ({
    id: a.id,
    tenureId: a.tenureId,
    caseId: a.caseId,
    postId: a.postId,
    areaCode: a.areaCode,
    month: a.month,
    revision: a.revision,
    daysWorked: a.daysWorked,
    subsidy: round(a.subsidy, 2),
    monthlySubsidy: round(a.monthlySubsidy, 2),
    minDays: a.minDays,
    partialRatio: round(a.partialRatio, 4),
    correction: a.correction,
    reason: a.reason,
    evidenceIds: a.evidenceIds,
    auditSeq: a.auditSeq,
    recordedById: a.recordedById,
    recordedAt: iso(a.recordedAt),
  }),
  evidence: (e: EvidenceEntity) => ({
    id: e.id,
    type: e.type,
    sha256: e.sha256,
    size: e.size,
    mimeType: e.mimeType,
    fileName: e.fileName,
    uploadedById: e.uploadedById,
    areaCode: e.areaCode,
    uploadedAt: iso(e.uploadedAt),
    batchId: e.batchId,
  }),
  users: (u: UserEntity) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    areaCode: u.areaCode,
    sector: u.sector,
    disabled: u.disabled,
    passwordDigest: sha256Hex(u.passwordHash),
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  }),
  // a household change is its own record: written once, never compared to a row (see registry/history.ts)
  households: (c: Record<string, unknown>) => c,
  // a library entry that no intake case put there (seeded demo data): written once, as it entered the library;
  // later versions come from change cases, whose audit trail is the record
  projects: (c: Record<string, unknown>) => c,
  // an annual plan entry's add, change or withdrawal: its own record (the row is deleted on withdrawal)
  plans: (c: Record<string, unknown>) => c,
} satisfies Record<LedgerKind, (row: never) => Record<string, unknown>>;

export const RECORD_TYPES: Record<LedgerKind, string> = {
  measures: 'assistance_measure',
  income: 'income_record',
  attendance: 'welfare_post_attendance',
  evidence: 'evidence',
  users: 'user',
  households: 'household_change',
  projects: 'project_library_entry',
  plans: 'project_plan_entry',
};

export interface LedgerAppend {
  kind: LedgerKind;
  subjectId: string;
  areaCode: string | null;
  recordId: string;
  op: 'create' | 'update' | string;
  record: Record<string, unknown>;
  actorId: string | null;
  at?: Date;
}

export const chainKey = (kind: string, subjectId: string) => `${kind}:${subjectId}`;

/**
 * Appends one entry to its subject's chain, in the caller's transaction (the one writing the
 * record): both are stored or neither. The chain's head row is locked first (PostgreSQL), so
 * concurrent appends to one chain queue instead of forking it; SQLite runs one transaction at
 * a time anyway. `opts.with`: the record's own rows, written in the same statement as the entry.
 */
export async function appendLedger(em: EntityManager, input: LedgerAppend, opts: { with?: InsertOp[]; heads?: LockedHeads } = {}): Promise<RecordLedgerEntity> {
  // issue 21: the record, its entry and the head moved on ride with the transaction's next statement (batch-write.ts)
  return (await appendLedgerMany(em, [input], { ...opts, defer: true }))[0];
}

/** The entry that follows `head` in its chain (and the head moved on to it). */
function nextEntry(head: RecordLedgerHeadEntity, input: LedgerAppend, at: Date): RecordLedgerEntity {
  const fields = {
    chain: head.chain,
    seq: head.seq + 1,
    prevHash: head.hash,
    kind: input.kind,
    subjectId: input.subjectId,
    areaCode: input.areaCode,
    recordType: RECORD_TYPES[input.kind],
    recordId: input.recordId,
    op: input.op,
    // as it will read back: JSON text
    record: JSON.parse(JSON.stringify(input.record)) as Record<string, unknown>,
    actorId: input.actorId,
    at: at.toISOString(),
  };
  const entry: RecordLedgerEntity = Object.assign(new RecordLedgerEntity(), { ...fields, at, hash: ledgerHash(fields) });
  Object.assign(head, { seq: entry.seq, hash: entry.hash, areaCode: input.areaCode, updatedAt: at });
  return entry;
}

/** Chains locked per statement; entries and heads written per statement. */
const CHAINS_PER_STATEMENT = 500;
const ENTRIES_PER_STATEMENT = 400;

/**
 * Many entries at once (a household import's chunk, issue 13), in the caller's transaction.
 * On PostgreSQL, when every chain exists: one statement locks and reads the heads
 * (`FOR UPDATE`), one writes the entries, moves the heads on and inserts `opts.with` (the
 * records themselves); a new chain costs one statement more. Entries of one chain are chained
 * in the order given.
 */
export async function appendLedgerMany(
  em: EntityManager,
  inputs: LedgerAppend[],
  opts: { with?: InsertOp[]; defer?: boolean; heads?: LockedHeads } = {},
): Promise<RecordLedgerEntity[]> {
  if (!inputs.length) {
    if (opts.with?.length) await writeBatch(em, { inserts: opts.with });
    return [];
  }
  const now = new Date();
  const chains = [...new Set(inputs.map((i) => chainKey(i.kind, i.subjectId)))];
  const heads = new Map(opts.heads?.heads);
  for (const chain of chains) {
    const pre = takePrelocked(em, chain);
    if (pre && !heads.has(chain)) heads.set(chain, pre);
  }
  const missing = inputs.filter((i) => !heads.has(chainKey(i.kind, i.subjectId)));
  if (missing.length) for (const [chain, h] of (await lockLedgerHeads(em, missing)).heads) heads.set(chain, h);
  const entries: RecordLedgerEntity[] = [];
  for (const input of inputs) entries.push(nextEntry(heads.get(chainKey(input.kind, input.subjectId))!, input, input.at ?? now));
  const moved = chains.map((c) => heads.get(c)!);
  const parts = Math.max(Math.ceil(entries.length / ENTRIES_PER_STATEMENT), Math.ceil(moved.length / CHAINS_PER_STATEMENT));
  for (let k = 0; k < parts; k++) {
    await writeBatch(em, {
      inserts: [
        ...(k === 0 ? (opts.with ?? []) : []),
        { target: RecordLedgerEntity, rows: entries.slice(k * ENTRIES_PER_STATEMENT, (k + 1) * ENTRIES_PER_STATEMENT) },
      ],
      keyed: [{ target: RecordLedgerHeadEntity, key: 'chain', set: ['seq', 'hash', 'areaCode', 'updatedAt'], rows: moved.slice(k * CHAINS_PER_STATEMENT, (k + 1) * CHAINS_PER_STATEMENT) }],
    }, { defer: opts.defer === true && k === parts - 1 });
  }
  return entries;
}

/**
 * Heads locked ahead by {@link prelockIncomeHeadOfCase}, per transaction (its query runner):
 * each is taken by the transaction's first append to its chain, once — any later append locks
 * and reads the head again, as always.
 */
const PRELOCKED = new WeakMap<object, Map<string, RecordLedgerHeadEntity>>();

function takePrelocked(em: EntityManager, chain: string): RecordLedgerHeadEntity | undefined {
  const held = em.queryRunner ? PRELOCKED.get(em.queryRunner) : undefined;
  const head = held?.get(chain);
  if (head) held!.delete(chain);
  return head;
}

/**
 * Issue 21: locks (creating when new) the income chain head of the household of case `caseId`,
 * when the case belongs to one of `procedures` — in SQL, so that it can ride in the step's first
 * round trip beside the case read; the step's income record (recordIncome) then appends to the
 * head locked here without another round trip. PostgreSQL, in a transaction of the engine's own
 * (no savepoints): elsewhere nothing is done and the append locks as always. The household is
 * found as the step's first read finds it (householdOfCaseSql).
 */
export async function prelockIncomeHeadOfCase(em: EntityManager, caseId: string, procedures: string[]): Promise<void> {
  if (em.connection.options.type !== 'postgres' || !em.queryRunner?.isTransactionActive || !procedures.length) return;
  const household = householdOfCaseSql(em);
  const names = '"chain", "kind", "subjectId", "areaCode", "seq", "hash", "updatedAt"';
  const rows: RecordLedgerHeadEntity[] = await em.query(
    `INSERT INTO "record_ledger_heads" (${names}) ` +
      `SELECT 'income:' || x."hid", 'income', x."hid", x."areaCode", 0, $3, $4 FROM ` +
      `(SELECT ${household} AS "hid", c."areaCode" FROM "cases" c WHERE c."id" = $1 AND c."procedure" = ANY($2)) x WHERE x."hid" IS NOT NULL ` +
      `ON CONFLICT ("chain") DO UPDATE SET "seq" = "record_ledger_heads"."seq" RETURNING ${names}`,
    [caseId, procedures, GENESIS_HASH, new Date()],
  );
  if (!rows.length) return;
  let held = PRELOCKED.get(em.queryRunner);
  if (!held) PRELOCKED.set(em.queryRunner, (held = new Map()));
  for (const r of rows) held.set(r.chain, Object.assign(new RecordLedgerHeadEntity(), r, { seq: Number(r.seq) }));
}

/** Chain heads locked in this transaction, to append to later (appendLedgerMany's `heads`). */
export interface LockedHeads {
  readonly heads: ReadonlyMap<string, RecordLedgerHeadEntity>;
}

/**
 * Locks (creating when new) the heads of the chains these appends will extend, for the rest of
 * the transaction: done ahead when the lock can share a round trip with other reads (issue 21:
 * an upload locks its case's evidence chain while it reads the case). A chain's areaCode here
 * only names a new head until its first entry is written.
 */
export async function lockLedgerHeads(em: EntityManager, inputs: Array<Pick<LedgerAppend, 'kind' | 'subjectId' | 'areaCode'>>): Promise<LockedHeads> {
  const now = new Date();
  const first = new Map<string, Pick<LedgerAppend, 'kind' | 'subjectId' | 'areaCode'>>();
  for (const i of inputs) if (!first.has(chainKey(i.kind, i.subjectId))) first.set(chainKey(i.kind, i.subjectId), i);
  const chains = [...first.keys()];
  const heads = new Map<string, RecordLedgerHeadEntity>();
  for (let k = 0; k < chains.length; k += CHAINS_PER_STATEMENT) {
    const part = chains.slice(k, k + CHAINS_PER_STATEMENT);
    for (const h of await lockHeads(em, part.map((chain) => ({ chain, kind: first.get(chain)!.kind, subjectId: first.get(chain)!.subjectId, areaCode: first.get(chain)!.areaCode, seq: 0, hash: GENESIS_HASH, updatedAt: now })))) {
      heads.set(h.chain, h);
    }
  }
  return { heads };
}

/**
 * The heads of these chains, created when new, locked for the rest of the transaction. On
 * PostgreSQL one statement: an upsert whose no-op update takes the row lock and returns the
 * head as it stands (a new chain's head is the genesis row inserted). SQLite, which runs one
 * transaction at a time, inserts the missing ones and reads them.
 */
async function lockHeads(em: EntityManager, fresh: RecordLedgerHeadEntity[]): Promise<RecordLedgerHeadEntity[]> {
  if (em.connection.options.type === 'postgres') {
    // sorted by chain: two appends to the same chains take their locks in the same order
    const sorted = [...fresh].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
    const cols = ['chain', 'kind', 'subjectId', 'areaCode', 'seq', 'hash', 'updatedAt'] as const;
    const params: unknown[] = [];
    const tuples = sorted.map((h) => `(${cols.map((c) => `$${params.push(h[c])}`).join(', ')})`);
    const names = cols.map((c) => `"${c}"`).join(', ');
    const rows: RecordLedgerHeadEntity[] = await em.query(
      `INSERT INTO "record_ledger_heads" (${names}) VALUES ${tuples.join(', ')} ` +
        `ON CONFLICT ("chain") DO UPDATE SET "seq" = "record_ledger_heads"."seq" RETURNING ${names}`,
      params,
    );
    return rows.map((r) => Object.assign(new RecordLedgerHeadEntity(), r, { seq: Number(r.seq) }));
  }
  await em.createQueryBuilder().insert().into(RecordLedgerHeadEntity).values(fresh).orIgnore().execute();
  return em.createQueryBuilder(RecordLedgerHeadEntity, 'h').where('h.chain IN (:...chains)', { chains: fresh.map((h) => h.chain) }).getMany();
}
