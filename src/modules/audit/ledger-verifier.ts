import { Injectable } from '@nestjs/common';
import stringify from 'json-stable-stringify';
import { type EntityManager, type EntityTarget, In, type ObjectLiteral } from 'typeorm';
import { type HashedLedgerFields, ledgerHash, verifyLinks } from '../../common/audit/audit-hash';
import { AssistanceMeasureEntity, EvidenceEntity, IncomeRecordEntity, UserEntity } from '../../database/entities';
import { WelfarePostAttendanceEntity } from '../welfare-posts/welfare-posts.entities';
import { RecordLedgerEntity, type RecordLedgerHeadEntity } from './audit.entities';
import { type LedgerKind, ledgerRecord } from './record-ledger';

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
  /** broken: the chain's links or hashes; truncated: it no longer ends at its head; changed/missing: a record no longer matches its latest entry */
  problem: 'broken' | 'truncated' | 'changed' | 'missing';
  brokenAt?: number;
  recordType?: string;
  recordId?: string;
}

/**
 * Verifies ledger chains: every entry's hash and link, each chain ending at its head, and each
 * record as stored now equal to what its latest entry recorded (a row rewritten or removed
 * behind the service is named).
 */
@Injectable()
export class LedgerVerifier {
  async verify(em: EntityManager, heads: RecordLedgerHeadEntity[]): Promise<{ valid: boolean; chains: number; entries: number; records: number; problems: LedgerProblem[] }> {
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
    return { valid: problems.length === 0, chains: heads.length, entries, records, problems };
  }
}
