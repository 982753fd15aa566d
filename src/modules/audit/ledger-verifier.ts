import { Injectable } from '@nestjs/common';
import stringify from 'json-stable-stringify';
import { type EntityManager, type EntityTarget, In, type ObjectLiteral } from 'typeorm';
import { type HashedLedgerFields, ledgerHash, verifyLinks } from '../../common/audit/audit-hash';
import { AssistanceMeasureEntity, EvidenceEntity, HouseholdEntity, IncomeRecordEntity, UserEntity } from '../../database/entities';
import { WelfarePostAttendanceEntity } from '../welfare-posts/welfare-posts.entities';
import { RecordLedgerEntity, type RecordLedgerHeadEntity } from './audit.entities';
import { chainKey, type LedgerKind, ledgerRecord, RECORD_TYPES } from './record-ledger';

/** the tables whose rows must match their latest entry; household changes are checked by their state hash (registry/history.ts) */
const ENTITY_OF: Partial<Record<LedgerKind, EntityTarget<ObjectLiteral>>> = {
  measures: AssistanceMeasureEntity,
  income: IncomeRecordEntity,
  attendance: WelfarePostAttendanceEntity,
  evidence: EvidenceEntity,
  users: UserEntity,
};

const CHUNK = 200;
const chunks = <T>(xs: T[], n = CHUNK): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

export const ledgerFields = (e: RecordLedgerEntity): HashedLedgerFields => ({
  chain: e.chain,
  seq: e.seq,
  prevHash: e.prevHash,
  kind: e.kind,
  subjectId: e.subjectId,
  areaCode: e.areaCode,
  recordType: e.recordType,
  recordId: e.recordId,
  op: e.op,
  record: e.record,
  actorId: e.actorId,
  at: e.at.toISOString(),
});

/** A ledger chain as stored: does each entry hash its fields and its predecessor, up to `seq`? */
export function checkLedgerChain(entries: RecordLedgerEntity[], upTo?: number): { valid: boolean; brokenAt?: number; last: RecordLedgerEntity | null } {
  const upto = upTo === undefined ? entries : entries.filter((e) => e.seq <= upTo);
  const check = verifyLinks(upto.map((e) => ({ ...ledgerFields(e), hash: e.hash })), ledgerHash);
  if (!check.valid) return { valid: false, brokenAt: check.brokenAt, last: null };
  return { valid: true, last: upto[upto.length - 1] ?? null };
}

export interface LedgerProblem {
  chain: string;
  kind: string;
  subjectId: string;
  /**
   * broken: the chain's links or hashes; truncated: it no longer ends at its head; changed/missing:
   * a record no longer matches its latest entry; unrecorded: a row of a chained table that has no
   * ledger entry at all (inserted behind the service, issue 19)
   */
  problem: 'broken' | 'truncated' | 'changed' | 'missing' | 'unrecorded';
  brokenAt?: number;
  recordType?: string;
  recordId?: string;
}

/**
 * Issue 19 (item 18): how each chained table names a row's subject (its chain would be
 * `<kind>:<subject>`) and area, for the rows that have no ledger entry at all.
 */
const UNRECORDED_SOURCES: Array<{ kind: LedgerKind; entity: EntityTarget<ObjectLiteral>; subject: string; area: string; household?: true }> = [
  { kind: 'measures', entity: AssistanceMeasureEntity, subject: 'r.monitoringObjectId', area: 'r.areaCode' },
  { kind: 'income', entity: IncomeRecordEntity, subject: 'r.householdId', area: 'h.areaCode', household: true },
  { kind: 'attendance', entity: WelfarePostAttendanceEntity, subject: 'r.caseId', area: 'r.areaCode' },
  // the chain of the case or batch the file was uploaded to, else its area's (evidence.service)
  { kind: 'evidence', entity: EvidenceEntity, subject: "COALESCE(r.caseId, r.batchId, r.areaCode, 'global')", area: 'r.areaCode' },
  { kind: 'users', entity: UserEntity, subject: 'r.id', area: 'r.areaCode' },
];

/** rows without an entry named per kind in a verification (all are counted) */
export const UNRECORDED_LISTED = 500;

export interface UnrecordedScope {
  /** `LIKE` pattern of the caller's (or the requested) area; null: every area, and rows of none */
  like: string | null;
  kind?: string;
  subjectId?: string;
}

/**
 * Issue 19 (item 18): the rows of every chained table with no record-ledger entry — a row
 * inserted directly into the database. One set-based anti-join per table (`NOT EXISTS` on the
 * ledger's (recordType, recordId) index), so it stays one statement per table at millions of
 * rows; each kind counted, the first UNRECORDED_LISTED of each named.
 */
export async function findUnrecorded(em: EntityManager, scope: UnrecordedScope, listed = UNRECORDED_LISTED): Promise<{ counts: Partial<Record<LedgerKind, number>>; problems: LedgerProblem[] }> {
  const counts: Partial<Record<LedgerKind, number>> = {};
  const problems: LedgerProblem[] = [];
  for (const src of UNRECORDED_SOURCES) {
    if (scope.kind && scope.kind !== src.kind) continue;
    const recordType = RECORD_TYPES[src.kind];
    const base = () => {
      const qb = em.createQueryBuilder().from(src.entity, 'r');
      if (src.household) qb.leftJoin(HouseholdEntity, 'h', 'h.id = r.householdId');
      qb.where('NOT EXISTS (SELECT 1 FROM "record_ledger" "l" WHERE "l"."recordType" = :recordType AND "l"."recordId" = r.id)', { recordType });
      if (scope.like) qb.andWhere(`${src.area} LIKE :like`, { like: scope.like });
      if (scope.subjectId) qb.andWhere(`${src.subject} = :subjectId`, { subjectId: scope.subjectId });
      return qb;
    };
    const rows: Array<{ id: string; subjectId: string }> = listed > 0
      ? await base().select('r.id', 'id').addSelect(src.subject, 'subjectId').orderBy('r.id', 'ASC').limit(listed).getRawMany()
      : [];
    const count = rows.length < listed ? rows.length : Number((await base().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>())?.n ?? 0);
    counts[src.kind] = count;
    for (const r of rows) {
      problems.push({ chain: chainKey(src.kind, r.subjectId), kind: src.kind, subjectId: r.subjectId, problem: 'unrecorded', recordType, recordId: r.id });
    }
  }
  return { counts, problems };
}

/**
 * Verifies ledger chains: every entry's hash and link, each chain ending at its head, and each
 * record as stored now equal to what its latest entry recorded (a row rewritten or removed
 * behind the service is named); with `unrecordedScope`, the rows of that scope no entry
 * records (a row inserted behind the service, issue 19).
 */
@Injectable()
export class LedgerVerifier {
  async verify(
    em: EntityManager,
    heads: RecordLedgerHeadEntity[],
    unrecordedScope?: UnrecordedScope,
  ): Promise<{ valid: boolean; chains: number; entries: number; records: number; unrecorded?: Partial<Record<LedgerKind, number>>; problems: LedgerProblem[] }> {
    const problems: LedgerProblem[] = [];
    let entries = 0;
    let records = 0;
    for (const part of chunks(heads.filter((h) => h.seq > 0))) {
      const rows = await em.find(RecordLedgerEntity, { where: { chain: In(part.map((h) => h.chain)) }, order: { chain: 'ASC', seq: 'ASC' } });
      entries += rows.length;
      const byChain = new Map<string, RecordLedgerEntity[]>();
      for (const r of rows) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r]);
      const latest = new Map<LedgerKind, Map<string, RecordLedgerEntity>>();
      for (const h of part) {
        const chain = byChain.get(h.chain) ?? [];
        const check = checkLedgerChain(chain);
        const base = { chain: h.chain, kind: h.kind, subjectId: h.subjectId };
        if (!check.valid) {
          problems.push({ ...base, problem: 'broken', brokenAt: check.brokenAt });
          continue;
        }
        if (check.last?.seq !== h.seq || check.last?.hash !== h.hash) {
          problems.push({ ...base, problem: 'truncated', brokenAt: Math.min(chain.length, h.seq) + 1 });
          continue;
        }
        for (const e of chain) {
          const kind = e.kind as LedgerKind;
          if (!latest.has(kind)) latest.set(kind, new Map());
          latest.get(kind)!.set(e.recordId, e);
        }
      }
      for (const [kind, byRecord] of latest) {
        if (!ENTITY_OF[kind]) continue;
        const ids = [...byRecord.keys()];
        records += ids.length;
        const current = new Map<string, ObjectLiteral>();
        for (const idPart of chunks(ids, 500)) {
          for (const row of await em.findBy(ENTITY_OF[kind]!, { id: In(idPart) })) current.set(row.id as string, row);
        }
        for (const [recordId, e] of byRecord) {
          const row = current.get(recordId);
          const base = { chain: e.chain, kind: e.kind, subjectId: e.subjectId, recordType: e.recordType, recordId };
          if (!row) problems.push({ ...base, problem: 'missing' });
          else if (stringify(JSON.parse(JSON.stringify(ledgerRecord[kind](row as never)))) !== stringify(e.record)) problems.push({ ...base, problem: 'changed' });
        }
      }
    }
    if (!unrecordedScope) return { valid: problems.length === 0, chains: heads.length, entries, records, problems };
    // rows no chain knows of: inserted behind the service (issue 19)
    const unrecorded = await findUnrecorded(em, unrecordedScope);
    problems.push(...unrecorded.problems);
    const total = Object.values(unrecorded.counts).reduce((a, b) => a + (b ?? 0), 0);
    return { valid: problems.length === 0 && total === 0, chains: heads.length, entries, records, unrecorded: unrecorded.counts, problems };
  }
}
