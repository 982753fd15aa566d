import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { maskName } from '../../common/domain/id-number';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { validateBody } from '../../common/http/validation';
import { CaseEntity, HouseholdEntity, HouseholdMemberEntity, MonitoringObjectEntity } from '../../database/entities';
import { failingRules, type ProcedureEvent } from '../../machines/procedure';
import {
  ELIGIBILITY_RULES,
  type HiringContext,
  type HiringFacts,
  type HiringInput,
  hiringRules,
  WELFARE_POST_HIRING,
  welfarePostHiring,
} from '../../machines/welfare-post-hiring.machine';
import { type PostType, postTypeTitle } from '../../machines/welfare-posts.shared';
import { type PreparedCase, type ProcedureAdapter, ProcedureRegistry, type TransitionEffect } from '../engine/procedure-adapter';
import { PoliciesService } from '../policies/policies.service';
import { CreateHiringDto } from './welfare-posts.dto';
import { WelfarePostAttendanceEntity, WelfarePostEntity, WelfarePostTenureEntity } from './welfare-posts.entities';
import { appendLedger, ledgerRecord } from '../audit/record-ledger';
import { lockKey } from '../../database/keyed-lock';
import { householdVersionOf } from '../engine/household-version';

const ACTIVE = ['contracted', 'on_duty'];

/**
 * Issue 19 (item 17): hiring work on one household queues behind this lock (PostgreSQL), so
 * open_application_exists and posts_per_household count what a concurrent opening or approval
 * committed instead of reading before it writes.
 */
const householdHiringLock = (em: EntityManager, householdId: string) => lockKey(em, `welfare-post-hiring:household:${householdId}`);

/** What a unique violation names: the index (PostgreSQL) or the column (SQLite). */
const violated = (err: unknown): string => {
  const e = err as { message?: string; driverError?: { constraint?: string; message?: string } };
  return `${e.driverError?.constraint ?? ''} ${e.driverError?.message ?? ''} ${e.message ?? ''}`;
};

/**
 * What the eligibility rules read (SF-13, SF-14, SF-15), from the registry and the holders
 * table. `exceptCaseId`: the hiring case being judged, whose own tenure does not count.
 */
export async function loadHiringFacts(
  em: EntityManager,
  args: { postId: string; memberId: string; exceptCaseId: string | null },
): Promise<HiringFacts> {
  const [post, member] = await Promise.all([
    em.findOneBy(WelfarePostEntity, { id: args.postId }),
    em.findOneBy(HouseholdMemberEntity, { id: args.memberId }),
  ]);
  const household = member ? await em.findOneBy(HouseholdEntity, { id: member.householdId }) : null;
  const others = household ? await em.findBy(HouseholdMemberEntity, { householdId: household.id }) : [];
  const monitored = household
    ? await em.existsBy(MonitoringObjectEntity, { householdId: household.id, status: 'monitoring' })
    : false;
  const notThisCase = args.exceptCaseId ? { caseId: Not(args.exceptCaseId) } : {};
  const [personPosts, householdPosts] = member
    ? await Promise.all([
        em.countBy(WelfarePostTenureEntity, { memberId: member.id, status: In(ACTIVE), ...notThisCase }),
        em.countBy(WelfarePostTenureEntity, { householdId: member.householdId, status: In(ACTIVE), ...notThisCase }),
      ])
    : [0, 0];
  const groups: string[] = [];
  if (household?.isFormerlyPoor) groups.push('formerly_poor');
  if (monitored) groups.push('monitoring_object');
  if (member?.disability) groups.push('disabled');
  if (household && !others.some((m) => m.employment === 'local' || m.employment === 'outside')) groups.push('zero_employment');
  return {
    candidate: member
      ? {
          birthDate: member.birthDate,
          gender: member.gender as 'male' | 'female',
          laborAbility: member.laborAbility as NonNullable<HiringFacts['candidate']>['laborAbility'],
          disability: member.disability,
          employment: member.employment as NonNullable<HiringFacts['candidate']>['employment'],
        }
      : null,
    groups,
    otherMembersAway: others.filter((m) => m.id !== member?.id && m.employment === 'outside').length,
    personPosts,
    householdPosts,
    post: post ? { status: post.status, places: post.places, filled: post.filled } : null,
    sameVillage: !!household && !!post && household.areaCode === post.areaCode,
  };
}

/** 以岗聘任 / 在岗领补 / 有序退岗: hiring cases, mirrored into post holders and attendance. */
@Injectable()
export class WelfarePostHiringAdapter implements ProcedureAdapter, OnModuleInit {
  readonly definitions = [welfarePostHiring];
  readonly creatorRoles = ['village' as const];

  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly policies: PoliciesService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async prepareCreate({ body, actor, em }: { body: unknown; actor: AuthUser; em: EntityManager }): Promise<PreparedCase> {
    const dto = validateBody(CreateHiringDto, body);
    const post = await em.findOneBy(WelfarePostEntity, { id: dto.postId });
    if (!post) throw AppError.notFound('岗位');
    assertInArea(actor, post.areaCode, '岗位');
    const member = await em.findOneBy(HouseholdMemberEntity, { id: dto.memberId });
    const household = member ? await em.findOneBy(HouseholdEntity, { id: member.householdId }) : null;
    if (!member || !household) throw AppError.notFound('家庭成员');
    assertInArea(actor, household.areaCode, '家庭成员');

    // two openings for one person at the same instant: the second reads the first's case. The
    // household is share-locked first (as a step's first query does), so every path takes the
    // row lock before the keyed one and no two of them wait on each other in opposite orders
    await householdVersionOf(em, household.id);
    await householdHiringLock(em, household.id);
    const open = await em
      .createQueryBuilder(CaseEntity, 'c')
      .select(['c.id'])
      .where('c.procedure = :p AND c.subjectId = :m AND c.closedAt IS NULL', { p: WELFARE_POST_HIRING, m: member.id })
      .andWhere('c.state IN (:...states)', { states: ['applied', 'public_notice', 'township_review', 'county_approval'] })
      .getOne();
    // read by the definition's creation rule open_application_exists (the engine judges it)
    const creationFacts = { openApplicationId: open?.id ?? null };

    const input: HiringInput = {
      postId: post.id,
      memberId: member.id,
      householdId: household.id,
      areaCode: post.areaCode,
      post: { postType: post.postType as PostType, monthlySubsidy: post.monthlySubsidy, termMonths: post.termMonths },
      exclusions: {
        villageCadreOrFamily: dto.exclusions.villageCadreOrFamily,
        publicEmployee: dto.exclusions.publicEmployee,
        urbanEmployeePension: dto.exclusions.urbanEmployeePension,
      },
      note: dto.note ?? null,
    };
    // the machine's own eligibility rules, judged now on the same facts as at county approval
    const policy = await this.policies.effective(post.areaCode);
    const facts = await loadHiringFacts(em, { postId: post.id, memberId: member.id, exceptCaseId: null });
    const event: ProcedureEvent = {
      type: 'CREATE',
      data: {},
      evidence: [],
      actor: { id: actor.id, role: actor.role, sector: actor.sector },
      env: { now: new Date().toISOString(), policy: policy.values, facts: { ...facts } },
    };
    const failing = failingRules(hiringRules, ELIGIBILITY_RULES, { context: input as HiringContext, event });
    if (failing.length) {
      throw new AppError(ErrorCode.RULE_VIOLATED, failing.map((r) => hiringRules[r].message).join('；'), {
        rule: failing[0],
        rules: failing.map((id) => ({ id, message: hiringRules[id].message })),
      });
    }
    return { areaCode: post.areaCode, subjectId: member.id, input: { ...input }, auditData: { ...input }, facts: creationFacts };
  }

  async facts({ caseRow, em }: { caseRow: CaseEntity; type: string; em: EntityManager }): Promise<Record<string, unknown>> {
    const c = caseRow.snapshot.context as HiringContext;
    // once a place is taken: whether the holder has left the household (issue 19, SF-15)
    if (['contracted', 'on_duty'].includes(caseRow.state)) {
      const t = await em.findOne(WelfarePostTenureEntity, { where: { caseId: caseRow.id }, select: { id: true, holderLeftOn: true, holderLeftKind: true } });
      return { holderLeft: t?.holderLeftOn ? { date: t.holderLeftOn, kind: t.holderLeftKind ?? 'left' } : null };
    }
    // eligibility facts matter only before a place is taken
    if (!['applied', 'public_notice', 'township_review', 'county_approval'].includes(caseRow.state)) return {};
    // county approval takes a place: two members of one household approved at the same instant
    // are judged one after the other, the second on a count that includes the first (SF-14)
    if (caseRow.state === 'county_approval') await householdHiringLock(em, c.householdId);
    return { ...(await loadHiringFacts(em, { postId: c.postId, memberId: c.memberId, exceptCaseId: caseRow.id })) };
  }

  async afterTransition({ em, caseRow, fromState, toState, context, event }: TransitionEffect): Promise<void> {
    const c = context as HiringContext;
    const now = new Date(event.env.now);
    if (toState === 'contracted') {
      // take the place: conditional, so two approvals racing for the last place cannot both win
      const taken = await em
        .createQueryBuilder()
        .update(WelfarePostEntity)
        .set({ filled: () => 'filled + 1', updatedAt: now })
        .where("id = :id AND status = 'open' AND filled < places", { id: c.postId })
        .execute();
      if (!taken.affected) throw new AppError(ErrorCode.RULE_VIOLATED, hiringRules.post_open_with_free_place.message, { rule: 'post_open_with_free_place' });
      // one person, one post (SF-14): the unique index on active tenures decides a race the rule
      // could not see (two approvals of the same person at the same instant, each reading "no post")
      await em.insert(WelfarePostTenureEntity, {
        id: randomUUID(),
        caseId: caseRow.id,
        postId: c.postId,
        memberId: c.memberId,
        householdId: c.householdId,
        areaCode: c.areaCode,
        status: 'contracted',
        startDate: null,
        endDate: null,
        exitKind: null,
        exitReason: null,
        exitedAt: null,
        createdAt: now,
        updatedAt: now,
      }).catch((err: unknown) => {
        if (!isUniqueViolation(err) || !/UQ_welfare_post_tenures_active_member|welfare_post_tenures\.memberId/.test(violated(err))) throw err;
        const rule = hiringRules.one_post_per_person;
        throw new AppError(ErrorCode.RULE_VIOLATED, rule.message, { rule: 'one_post_per_person', rules: [{ id: 'one_post_per_person', message: rule.message }] });
      });
      return;
    }
    const tenure = await em.findOneBy(WelfarePostTenureEntity, { caseId: caseRow.id });
    if (!tenure) return;
    if (toState === 'on_duty' && fromState === 'contracted') {
      await em.update(WelfarePostTenureEntity, { id: tenure.id }, {
        status: 'on_duty',
        startDate: c.agreement!.startDate,
        endDate: c.agreement!.endDate,
        updatedAt: now,
      });
    } else if (toState === 'on_duty' && fromState === 'on_duty') {
      const a = c.attendance[c.attendance.length - 1];
      const attendance = Object.assign(new WelfarePostAttendanceEntity(), {
        id: randomUUID(),
        tenureId: tenure.id,
        caseId: caseRow.id,
        postId: c.postId,
        areaCode: c.areaCode,
        month: a.month,
        revision: a.revision,
        daysWorked: a.daysWorked,
        subsidy: a.subsidy,
        monthlySubsidy: a.monthlySubsidy,
        minDays: a.minDays,
        partialRatio: a.partialRatio,
        correction: a.correction,
        reason: a.reason,
        evidenceIds: a.evidenceIds,
        auditSeq: caseRow.version,
        recordedById: a.recordedBy,
        recordedAt: new Date(a.recordedAt),
      });
      await em.insert(WelfarePostAttendanceEntity, attendance);
      // issue 12: the attendance record enters the hiring case's ledger chain in the step's transaction
      await appendLedger(em, {
        kind: 'attendance',
        subjectId: caseRow.id,
        areaCode: c.areaCode,
        recordId: attendance.id,
        op: 'create',
        record: ledgerRecord.attendance(attendance),
        actorId: a.recordedBy,
        at: attendance.recordedAt,
      });
    } else if (toState === 'exited' || toState === 'withdrawn') {
      // the place is freed and can be filled by a new hiring case
      await em
        .createQueryBuilder()
        .update(WelfarePostEntity)
        .set({ filled: () => 'filled - 1', updatedAt: now })
        .where('id = :id AND filled > 0', { id: c.postId })
        .execute();
      await em.update(WelfarePostTenureEntity, { id: tenure.id }, {
        status: 'exited',
        exitKind: c.exit?.kind ?? 'declined',
        exitReason: c.exit?.exitReason ?? null,
        exitedAt: now,
        updatedAt: now,
      });
    }
  }

  async noticeSummary({ context, em }: { caseRow: CaseEntity; context: Record<string, any>; em: EntityManager }): Promise<string> {
    const c = context as HiringContext;
    const member = await em.findOneBy(HouseholdMemberEntity, { id: c.memberId });
    return `拟聘用公益性岗位人员：${member ? maskName(member.name) : '—'}；岗位：${postTypeTitle(c.post.postType)}；补贴标准：${c.post.monthlySubsidy} 元/月`;
  }
}

