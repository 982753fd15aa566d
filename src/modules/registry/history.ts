import type { EntityManager } from 'typeorm';
import { canonicalHash } from '../../common/audit/audit-hash';
import type { AuthUser } from '../../common/auth/auth-user';
import type { HouseholdEntity, HouseholdMemberEntity } from '../../database/entities';
import { piiHash } from '../../common/crypto/pii';
import { maskIdNumber, maskPhone } from '../../common/domain/id-number';
import { appendLedger, type LedgerAppend } from '../audit/record-ledger';

/** What a household history entry records as having happened (issue 13). */
export type HouseholdChangeKind =
  | 'registered'
  | 'imported'
  | 'household_edited'
  | 'member_added'
  | 'member_left'
  | 'member_changed'
  | 'member_moved_in'
  | 'member_moved_out';

export const CHANGE_TITLES: Record<HouseholdChangeKind, string> = {
  registered: '登记农户',
  imported: '批量导入',
  household_edited: '修改农户信息',
  member_added: '新增成员',
  member_left: '成员减少',
  member_changed: '成员信息变更',
  member_moved_in: '成员迁入（他户转入）',
  member_moved_out: '成员迁出（转入他户）',
};

export interface MemberState {
  id: string;
  idNumber: string;
  name: string;
  relation: string;
  gender: string;
  birthDate: string;
  laborAbility: string;
  disability: { category: string; level: number } | null;
  employment: string;
  phone: string | null;
}

export const memberState = (m: HouseholdMemberEntity): MemberState => ({
  id: m.id,
  idNumber: m.idNumber,
  name: m.name,
  relation: m.relation,
  gender: m.gender,
  birthDate: m.birthDate,
  laborAbility: m.laborAbility,
  disability: m.disability ? { category: m.disability.category, level: Number(m.disability.level) } : null,
  employment: m.employment,
  phone: m.phone ?? null,
});

/** The household as the rules read it: its record and its members (by ID number). */
export function householdState(h: HouseholdEntity, members: HouseholdMemberEntity[]) {
  return {
    areaCode: h.areaCode,
    householdCode: h.householdCode ?? null,
    householderName: h.householderName,
    address: h.address,
    phone: h.phone ?? null,
    isFormerlyPoor: !!h.isFormerlyPoor,
    members: members.map(memberState).sort((a, b) => a.idNumber.localeCompare(b.idNumber)),
  };
}

/** The hash of the household's state after a change: a row edited behind the service no longer matches it. */
export const stateHash = (h: HouseholdEntity, members: HouseholdMemberEntity[]) => canonicalHash(householdState(h, members));

export interface HouseholdChange {
  change: HouseholdChangeKind;
  /** the day it happened (a death, a marriage), as stated; the entry's `at` is when it was recorded */
  date: string | null;
  reason: string | null;
  memberId: string | null;
  before: unknown;
  after: unknown;
  evidence: Array<{ id: string; type: string; sha256: string }>;
  /** api, or import:<id> */
  source: string;
}

/**
 * What a history entry keeps of personal data (issue 11): the ledger is append-only and
 * hash-chained, so it can be neither encrypted in place nor re-keyed. An ID number is kept as its
 * keyed hash (the one lookups use) and a masked form, a phone as a masked form and its keyed hash;
 * the clear values live only in the encrypted columns. The state hash still covers the full state.
 */
export function withoutClearPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClearPersonalData);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'idNumber' && typeof v === 'string') {
      out.idNumberHash = piiHash(v);
      out.idNumberMasked = maskIdNumber(v);
    } else if (k === 'phone' && typeof v === 'string') {
      out.phoneHash = piiHash(v);
      out.phoneMasked = maskPhone(v);
    } else out[k] = withoutClearPersonalData(v);
  }
  return out;
}

/** The ledger entry of one change: the household's new version is the chain's new seq. */
export function historyEntry(
  h: HouseholdEntity,
  members: HouseholdMemberEntity[],
  version: number,
  c: HouseholdChange,
  actor: Pick<AuthUser, 'id' | 'username' | 'role'>,
  at: Date,
): LedgerAppend {
  return {
    kind: 'households',
    subjectId: h.id,
    areaCode: h.areaCode,
    recordId: h.id,
    op: c.change,
    record: {
      version,
      change: c.change,
      date: c.date,
      reason: c.reason,
      memberId: c.memberId,
      before: withoutClearPersonalData(c.before),
      after: withoutClearPersonalData(c.after),
      evidence: c.evidence,
      source: c.source,
      actor: { id: actor.id, username: actor.username, role: actor.role },
      stateHash: stateHash(h, members),
    },
    actorId: actor.id,
    at,
  };
}

export function appendHistory(
  em: EntityManager,
  h: HouseholdEntity,
  members: HouseholdMemberEntity[],
  version: number,
  c: HouseholdChange,
  actor: Pick<AuthUser, 'id' | 'username' | 'role'>,
  at: Date,
) {
  return appendLedger(em, historyEntry(h, members, version, c, actor, at));
}
