import { Injectable } from '@nestjs/common';
import { piiHash } from '../../common/crypto/pii';
import { randomUUID } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import { verifyLinks, ledgerHash } from '../../common/audit/audit-hash';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { birthDateOf, maskPersonalData } from '../../common/domain/id-number';
import { EVIDENCE_TYPES, titleOf } from '../../common/domain/enums';
import { textProblemOf } from '../../common/domain/reason';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/unit-of-work';
import { EvidenceEntity, HouseholdEntity, HouseholdMemberEntity, TimerEntity } from '../../database/entities';
import { maxBackdateOf, recordDateProblem } from '../../machines/record-date';
import { RecordLedgerEntity, RecordLedgerHeadEntity } from '../audit/audit.entities';
import { chainKey } from '../audit/record-ledger';
import { ledgerFields } from '../audit/ledger-verifier';
import { EngineService } from '../engine/engine.service';
import { householdView, seesPersonalData } from '../households/households.service';
import { PersonalDataReads } from '../households/personal-data-reads';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { PoliciesService } from '../policies/policies.service';
import { appendHistory, CHANGE_TITLES, type HouseholdChange, type HouseholdChangeKind, memberState, stateHash } from './history';
import { type AddKind, type AddMemberDto, type ChangeKind, type EditHouseholdDto, LEAVING, type MemberChangeDto } from './registry.dto';
import { type Consequence, RegistryWatch } from './registry-watch';
import { type LeavingKind, recordMemberLeft } from './member-leaving';
import { isRowId } from '../../common/domain/row-id';

const EDITORS = ['village', 'township', 'county'] as const;

/** The evidence a person expects with each change (issue 13): all of `allOf`, one of each `anyOf` set. */
export const CHANGE_EVIDENCE: Record<AddKind | ChangeKind, { allOf?: string[]; anyOf?: string[] }> = {
  birth: { allOf: ['birth_certificate'] },
  marriage_in: { anyOf: ['marriage_certificate', 'household_register'] },
  moved_in: { allOf: ['household_register'] },
  death: { allOf: ['death_certificate'] },
  marriage_out: { anyOf: ['marriage_certificate', 'household_register'] },
  moved_away: { allOf: ['household_register'] },
  employment: {},
  labour_ability: {},
  // a new disability or a new level: the card; its end is recorded without one
  disability: { allOf: ['disability_card'] },
};

export const KIND_TITLES: Record<AddKind | ChangeKind, string> = {
  birth: '出生',
  marriage_in: '婚入',
  moved_in: '迁入',
  death: '死亡',
  marriage_out: '婚出',
  moved_away: '迁出',
  employment: '务工状况变化',
  labour_ability: '劳动能力变化',
  disability: '残疾情况变化',
};

/** Registry changes through the API: each one a new household version with its history entry, judged for the work it creates. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
    private readonly watch: RegistryWatch,
    private readonly engine: EngineService,
    private readonly outbox: OutboxService,
    private readonly reads: PersonalDataReads,
  ) {}

  private assertEditor(user: AuthUser): void {
    if (!(EDITORS as readonly string[]).includes(user.role)) {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '只有村、乡镇、县级经办人员可以变更农户信息', { requiredRoles: [...EDITORS] });
    }
  }

  /**
   * The household, locked for the change and moved to the next version in one statement (the
   * version the caller saw, else 409): two changes never both build on one version.
   */
  private async claim(em: EntityManager, id: string, version: number, user: AuthUser): Promise<{ household: HouseholdEntity; members: HouseholdMemberEntity[] }> {
    const found = isRowId(id) ? await em.findOneBy(HouseholdEntity, { id }) : null;
    if (!found) throw AppError.notFound('农户');
    assertInArea(user, found.areaCode, '农户');
    const now = new Date();
    const moved = await em
      .createQueryBuilder()
      .update(HouseholdEntity)
      .set({ version: () => 'version + 1', updatedAt: now })
      .where('id = :id AND version = :v', { id, v: version })
      .execute();
    if (!moved.affected) {
      throw new AppError(ErrorCode.VERSION_CONFLICT, '农户信息已被他人更新，请刷新后重试', { expectedVersion: found.version, givenVersion: version });
    }
    const household = Object.assign(found, { version: version + 1, updatedAt: now });
    const members = await em.find(HouseholdMemberEntity, { where: { householdId: id }, order: { position: 'ASC' } });
    return { household, members };
  }

  private async reasonProblem(areaCode: string, reason: unknown, required: boolean): Promise<void> {
    if (!required && (reason === undefined || reason === null || reason === '')) return;
    const policy = await this.policies.effective(areaCode);
    const problem = textProblemOf(reason, policy.values, 'reason');
    if (problem) throw new AppError(ErrorCode.REASON_REQUIRED, problem, { field: 'reason' });
  }

  private async dateProblem(areaCode: string, date: string, start: { date: string; label: string } | null): Promise<void> {
    const policy = await this.policies.effective(areaCode);
    const p = recordDateProblem({ field: 'date', label: '变更日期', date, now: new Date(), maxBackdate: maxBackdateOf(policy.values), start });
    if (p) throw new AppError(ErrorCode.RULE_VIOLATED, p.message, { rule: p.rule, ...p.details });
  }

  /**
   * The files named: loose uploads of the caller's own, used by nothing yet, covering what the
   * change needs. They are marked used by this change (usedFor `household_change`, usedInSeq the
   * new version): one file, one step.
   */
  private async evidence(em: EntityManager, ids: string[], need: { allOf?: string[]; anyOf?: string[] }, user: AuthUser): Promise<EvidenceEntity[]> {
    const unique = [...new Set(ids)];
    const rows = unique.length ? await em.findBy(EvidenceEntity, { id: In(unique) }) : [];
    const invalid = unique.filter((id) => !rows.some((r) => r.id === id && r.uploadedById === user.id && r.caseId === null && r.batchId === null));
    if (invalid.length) throw new AppError(ErrorCode.EVIDENCE_INVALID, '引用的证明材料不存在或不是您上传的材料', { invalidEvidenceIds: invalid });
    const used = rows.filter((r) => r.usedInSeq !== null || r.usedFor !== null);
    if (used.length) {
      throw new AppError(ErrorCode.EVIDENCE_REUSED, '证明材料已在其他环节使用过，不能重复使用，请上传本次变更的材料', {
        rule: 'evidence_single_use',
        reusedEvidenceIds: used.map((e) => e.id),
      });
    }
    const types = rows.map((r) => r.type);
    const missingAll = (need.allOf ?? []).filter((t) => !types.includes(t));
    const missingAny = need.anyOf && !need.anyOf.some((t) => types.includes(t)) ? [need.anyOf] : [];
    if (missingAll.length || missingAny.length) {
      const parts = [...missingAll.map((t) => titleOf(EVIDENCE_TYPES, t)), ...missingAny.map((set) => set.map((t) => titleOf(EVIDENCE_TYPES, t)).join('或'))];
      throw new AppError(ErrorCode.EVIDENCE_MISSING, `缺少必需的证明材料：${parts.join('、')}`, {
        missingEvidence: [...missingAll, ...missingAny.flat()],
        missingAllOf: missingAll,
        missingOneOf: missingAny,
      });
    }
    return rows;
  }

  private async markUsed(em: EntityManager, rows: EvidenceEntity[], version: number): Promise<void> {
    if (rows.length) await em.update(EvidenceEntity, { id: In(rows.map((r) => r.id)) }, { usedInSeq: version, usedFor: 'household_change' });
  }

  /** Writes the change's history entry, judges its consequences, and answers with the new household. */
  private async commit(
    em: EntityManager,
    args: {
      user: AuthUser;
      household: HouseholdEntity;
      before: HouseholdMemberEntity[];
      after: HouseholdMemberEntity[];
      change: HouseholdChange;
      evidence: EvidenceEntity[];
      now: Date;
      kind?: AddKind | ChangeKind;
    },
  ): Promise<{ entry: RecordLedgerEntity; consequences: Consequence[]; outgoing: Outgoing; timers: TimerEntity[] }> {
    const { household, user, now } = args;
    await this.markUsed(em, args.evidence, household.version);
    const entry = await appendHistory(em, household, args.after, household.version, args.change, user, now);
    const judged = await this.watch.afterChange(em, {
      household,
      before: args.before,
      after: args.after,
      change: args.change,
      kind: args.kind ?? null,
      actor: user,
      now,
    });
    return { entry, ...judged };
  }

  private async run(
    user: AuthUser,
    work: (em: EntityManager) => Promise<{ household: HouseholdEntity; members: HouseholdMemberEntity[]; entry: RecordLedgerEntity; consequences: Consequence[]; outgoing: Outgoing; timers: TimerEntity[] }>,
  ) {
    const done = await this.uow.transaction(work);
    this.engine.scheduleTimers(done.timers);
    this.outbox.send(done.outgoing);
    if (seesPersonalData(user, done.household.areaCode)) await this.reads.record(user, [done.household], 'registry change');
    return {
      household: householdView(done.household, done.members, user),
      change: { version: done.entry.seq, change: done.entry.record.change, hash: done.entry.hash },
      consequences: done.consequences,
    };
  }

  /** `PATCH /households/{id}`: address and phone. */
  async edit(id: string, dto: EditHouseholdDto, user: AuthUser) {
    this.assertEditor(user);
    if (dto.address === undefined && dto.phone === undefined) throw AppError.validation({ address: '请填写要修改的地址或联系电话' });
    return this.run(user, async (em) => {
      const { household, members } = await this.claim(em, id, dto.version, user);
      await this.reasonProblem(household.areaCode, dto.reason, false);
      const before = { address: household.address, phone: household.phone ?? null };
      if (dto.address !== undefined) household.address = dto.address;
      if (dto.phone !== undefined) household.phone = dto.phone;
      const after = { address: household.address, phone: household.phone ?? null };
      await em.update(HouseholdEntity, { id: household.id }, { address: household.address, phone: household.phone });
      const now = new Date();
      const done = await this.commit(em, {
        user,
        household,
        before: members,
        after: members,
        change: { change: 'household_edited', date: null, reason: dto.reason ?? null, memberId: null, before, after, evidence: [], source: 'api' },
        evidence: [],
        now,
      });
      return { household, members, ...done };
    });
  }

  /** `POST /households/{id}/members`: birth, marriage in, moving in. */
  async addMember(id: string, dto: AddMemberDto, user: AuthUser) {
    this.assertEditor(user);
    const m = dto.member;
    const fields: Record<string, string> = {};
    if (birthDateOf(m.idNumber) !== m.birthDate) fields['member.birthDate'] = '出生日期与身份证号不一致';
    if ((m.gender === 'male') !== (Number(m.idNumber[16]) % 2 === 1)) fields['member.gender'] = '性别与身份证号不一致';
    if (dto.kind === 'birth' && m.birthDate !== dto.date) fields.date = '出生登记的日期应为出生日期';
    if (Object.keys(fields).length) throw AppError.validation(fields, '新增成员信息有误');
    return this.run(user, async (em) => {
      const { household, members } = await this.claim(em, id, dto.version, user);
      await this.reasonProblem(household.areaCode, dto.reason, true);
      await this.dateProblem(household.areaCode, dto.date, { date: m.birthDate, label: '出生日期' });
      const taken = await em.findOneBy(HouseholdMemberEntity, { idNumberHash: piiHash(m.idNumber) });
      if (taken) {
        throw new AppError(ErrorCode.ALREADY_EXISTS, '该身份证号已登记在农户中，一人只能属于一户；他户成员转入请先在原户登记迁出', {
          fields: { 'member.idNumber': '已登记' },
          rule: 'one_household_per_person',
        });
      }
      const evidence = await this.evidence(em, dto.evidenceIds, CHANGE_EVIDENCE[dto.kind], user);
      const row = em.create(HouseholdMemberEntity, {
        id: randomUUID(),
        householdId: household.id,
        position: members.reduce((p, x) => Math.max(p, x.position), -1) + 1,
        name: m.name,
        idNumber: m.idNumber,
        idNumberHash: piiHash(m.idNumber),
        relation: m.relation,
        gender: m.gender,
        birthDate: m.birthDate,
        laborAbility: m.laborAbility,
        disability: m.disability ?? null,
        employment: m.employment,
        phone: m.phone ?? null,
      });
      await em.insert(HouseholdMemberEntity, row);
      const after = [...members, row];
      const done = await this.commit(em, {
        user,
        household,
        before: members,
        after,
        change: {
          change: 'member_added',
          date: dto.date,
          reason: `${KIND_TITLES[dto.kind]}：${dto.reason}`,
          memberId: row.id,
          before: null,
          after: { kind: dto.kind, member: memberState(row) },
          evidence: evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })),
          source: 'api',
        },
        evidence,
        now: new Date(),
        kind: dto.kind,
      });
      return { household, members: after, ...done };
    });
  }

  /** `POST /households/{id}/members/{memberId}/changes` */
  async changeMember(id: string, memberId: string, dto: MemberChangeDto, user: AuthUser) {
    this.assertEditor(user);
    if (dto.kind === 'disability' && dto.disability === undefined) throw AppError.validation({ disability: '请填写残疾类别和等级，不再残疾时填 null' });
    return this.run(user, async (em) => {
      const { household, members } = await this.claim(em, id, dto.version, user);
      const member = isRowId(memberId) ? members.find((m) => m.id === memberId) : undefined;
      if (!member) throw AppError.notFound('家庭成员');
      await this.reasonProblem(household.areaCode, dto.reason, true);
      await this.dateProblem(household.areaCode, dto.date, { date: member.birthDate, label: '出生日期' });
      const leaving = LEAVING.includes(dto.kind);
      if (leaving && members.length === 1) {
        throw new AppError(ErrorCode.RULE_VIOLATED, '该成员是户内唯一成员，不能以成员变更办理减员，请按销户程序办理', { rule: 'last_member' });
      }
      const before = memberState(member);
      let next = { ...member };
      if (dto.kind === 'employment') next.employment = dto.employment!;
      if (dto.kind === 'labour_ability') next.laborAbility = dto.laborAbility!;
      if (dto.kind === 'disability') next.disability = dto.disability ? { category: dto.disability.category, level: dto.disability.level } : null;
      const unchanged = !leaving && JSON.stringify(memberState(next as HouseholdMemberEntity)) === JSON.stringify(before);
      if (unchanged) throw AppError.validation({ kind: '变更后的信息与现有登记相同' });
      const need = dto.kind === 'disability' && !dto.disability ? {} : CHANGE_EVIDENCE[dto.kind];
      const evidence = await this.evidence(em, dto.evidenceIds, need, user);
      if (leaving) {
        // the one path of a departure (issue 19: a full export's re-import takes it too)
        await this.markUsed(em, evidence, household.version);
        const left = await recordMemberLeft(em, this.watch, {
          household,
          members,
          member,
          kind: dto.kind as LeavingKind,
          date: dto.date,
          reason: dto.reason,
          evidence: evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })),
          source: 'api',
          actor: user,
          now: new Date(),
        });
        return { household, members: left.after, entry: left.entry, consequences: left.consequences, outgoing: left.outgoing, timers: left.timers };
      }
      next = Object.assign(new HouseholdMemberEntity(), next);
      await em.update(HouseholdMemberEntity, { id: member.id }, { employment: next.employment, laborAbility: next.laborAbility, disability: next.disability });
      const after = members.map((m) => (m.id === member.id ? (next as HouseholdMemberEntity) : m));
      const done = await this.commit(em, {
        user,
        household,
        before: members,
        after,
        change: {
          change: 'member_changed',
          date: dto.date,
          reason: `${KIND_TITLES[dto.kind]}：${dto.reason}`,
          memberId: member.id,
          before: { member: before },
          after: { kind: dto.kind, member: memberState(next as HouseholdMemberEntity) },
          evidence: evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })),
          source: 'api',
        },
        evidence,
        now: new Date(),
        kind: dto.kind,
      });
      return { household, members: after, ...done };
    });
  }

  /**
   * `GET /households/{id}/history`: every change, oldest first, verified as a case is: each entry
   * hashes its fields and its predecessor, the chain ends at its head, and the household as stored
   * now has the state the latest entry recorded. ID numbers and phones masked below township.
   */
  async history(id: string, user: AuthUser) {
    const household = isRowId(id) ? await this.uow.manager.findOneBy(HouseholdEntity, { id }) : null;
    if (!household) throw AppError.notFound('农户');
    assertInArea(user, household.areaCode, '农户');
    const chain = chainKey('households', id);
    const [entries, head, members] = await Promise.all([
      this.uow.manager.find(RecordLedgerEntity, { where: { chain }, order: { seq: 'ASC' } }),
      this.uow.manager.findOneBy(RecordLedgerHeadEntity, { chain }),
      this.uow.manager.findBy(HouseholdMemberEntity, { householdId: id }),
    ]);
    const links = verifyLinks(entries.map((e) => ({ ...ledgerFields(e), hash: e.hash })), ledgerHash);
    const last = entries[entries.length - 1] ?? null;
    const headMatches = (head?.seq ?? 0) === (last?.seq ?? 0) && (head ? head.hash === (last?.hash ?? head.hash) : true);
    const versionMatches = household.version === (last?.seq ?? 0);
    const stateMatches = last ? last.record.stateHash === stateHash(household, members) : true;
    const full = seesPersonalData(user, household.areaCode);
    if (full) await this.reads.record(user, [household], 'GET /households/{id}/history');
    const problems: string[] = [];
    if (!links.valid) problems.push('broken');
    if (!headMatches) problems.push('truncated');
    if (!versionMatches) problems.push('version_mismatch');
    if (!stateMatches) problems.push('changed_outside_history');
    return {
      householdId: id,
      version: household.version,
      verification: {
        valid: problems.length === 0,
        entries: entries.length,
        ...(links.valid ? {} : { brokenAt: links.brokenAt }),
        problems,
      },
      entries: entries.map((e) => {
        const r = e.record;
        return {
          version: e.seq,
          change: r.change,
          changeTitle: CHANGE_TITLES[r.change as HouseholdChangeKind] ?? r.change,
          date: r.date,
          reason: r.reason,
          memberId: r.memberId,
          before: full ? r.before : maskPersonalData(r.before),
          after: full ? r.after : maskPersonalData(r.after),
          evidence: r.evidence,
          source: r.source,
          actor: r.actor,
          at: e.at.toISOString(),
          stateHash: r.stateHash,
          prevHash: e.prevHash,
          hash: e.hash,
        };
      }),
    };
  }
}
