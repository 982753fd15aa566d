import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, In, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { round2 } from '../../machines/procedure';
import { UnitOfWork } from '../../database/unit-of-work';
import { CaseEntity, HouseholdEntity, HouseholdMemberEntity, MonitoringObjectEntity, TimerEntity } from '../../database/entities';
import { MONITORING_INCLUSION } from '../../machines/monitoring-inclusion.machine';
import { ageAt, postsPolicy } from '../../machines/welfare-posts.shared';
import { EngineService, SYSTEM_ACTOR } from '../engine/engine.service';
import { every } from '../jobs/periodic';
import { HOUSEHOLD_REGISTRY } from '../monitoring-inclusion/monitoring-inclusion.adapter';
import { type Outgoing, OutboxService } from '../notifications/outbox.service';
import { PoliciesService } from '../policies/policies.service';
import { WelfarePostTenureEntity } from '../welfare-posts/welfare-posts.entities';
import type { HouseholdChange } from './history';
import type { AddKind, ChangeKind } from './registry.dto';
import { type RegistryAlertKind, RegistryAlertEntity } from './registry.entities';

const ACTIVE = ['contracted', 'on_duty'];
/** member changes that take a person out of the household (kept in its history) */
const LEAVING_KINDS: Array<AddKind | ChangeKind> = ['death', 'moved_away', 'marriage_out'];
const LEFT_TITLES: Record<string, string> = { death: '死亡', moved_away: '迁出', marriage_out: '婚出', left: '离户' };
/**
 * How a change took people out of the household: a leaving member change (death, 迁出, 婚出), or any
 * change recorded as `member_left` (e.g. a full export that no longer lists them); null for moves
 * between registered households (转户) and every other change.
 */
function leaving(args: { kind: AddKind | ChangeKind | null; change: HouseholdChange }): string | null {
  if (args.kind && LEAVING_KINDS.includes(args.kind)) return args.kind;
  if (args.change.change === 'member_left') return String((args.change.after as { kind?: string } | null)?.kind ?? 'left');
  return null;
}
const WORKING = ['local', 'outside'];

export interface Consequence {
  kind: RegistryAlertKind;
  alertId: string;
  caseId: string | null;
  role: string;
  areaCode: string;
  title: string;
}

/**
 * Issue 13: "changes create work". After every registry change, in its transaction, the standing
 * rules the change may have broken are judged on the household as it now is:
 *
 * - a post holder now working away, or a household now with as many members away as
 *   `posts.maxMembersAway` (SF-15) → the township's task to terminate the post (a registry alert
 *   on the hiring case, a notification);
 * - a holder at `posts.neverAge` (SF-13) → the same, found by a sweep (age changes without a change);
 * - the death of the only working member of a household that is not monitored → an inclusion lead
 *   (channel `registry_change`, SF-10) opened through the engine's creation path, for the village;
 * - a monitoring object's household changing size → the village's task to verify again, with the
 *   per-capita income of the last verification recomputed on the new size.
 */
@Injectable()
export class RegistryWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RegistryWatch.name);
  private tick: { stop(): void } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
    private readonly outbox: OutboxService,
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick = every(this.config.timers.reconcileIntervalMs, async () => {
      await this.sweepNeverAge().catch((err: Error) => this.logger.warn({ err: err.message }, 'never-age sweep failed; will retry'));
    });
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  /** One alert, once while open per kind and case (or household), with its notification. */
  private async raise(
    em: EntityManager,
    a: { kind: RegistryAlertKind; householdId: string; memberId: string | null; areaCode: string; role: 'township' | 'village'; caseId: string | null; householdVersion: number; title: string; message: string; data: Record<string, unknown>; procedure?: string },
    now: Date,
  ): Promise<{ consequence: Consequence | null; outgoing: Outgoing }> {
    const open = await em.findOne(RegistryAlertEntity, {
      where: { kind: a.kind, status: 'open', ...(a.caseId ? { caseId: a.caseId } : { householdId: a.householdId, caseId: IsNull() }) },
      select: { id: true },
    });
    if (open) return { consequence: null, outgoing: [] };
    const row = Object.assign(new RegistryAlertEntity(), {
      id: randomUUID(),
      kind: a.kind,
      householdId: a.householdId,
      memberId: a.memberId,
      areaCode: a.areaCode,
      role: a.role,
      caseId: a.caseId,
      householdVersion: a.householdVersion,
      title: a.title.slice(0, 200),
      message: a.message,
      data: a.data,
      status: 'open',
      createdAt: now,
      resolvedAt: null,
    });
    await em.insert(RegistryAlertEntity, row);
    const outgoing = await this.outbox.publish(
      em,
      { kind: 'task', title: a.title, message: a.message, areaCode: a.areaCode, caseId: a.caseId, procedure: a.procedure ?? null, data: { registryAlertId: row.id, registryAlert: a.kind, householdId: a.householdId, householdVersion: a.householdVersion, ...a.data } },
      { roles: [a.role] },
      now,
    );
    return { consequence: { kind: a.kind, alertId: row.id, caseId: a.caseId, role: a.role, areaCode: a.areaCode, title: row.title }, outgoing };
  }

  async afterChange(
    em: EntityManager,
    args: { household: HouseholdEntity; before: HouseholdMemberEntity[]; after: HouseholdMemberEntity[]; change: HouseholdChange; kind: AddKind | ChangeKind | null; actor: AuthUser; now: Date },
  ): Promise<{ consequences: Consequence[]; outgoing: Outgoing; timers: TimerEntity[] }> {
    const { household: h, before, after, now } = args;
    const consequences: Consequence[] = [];
    let outgoing: Outgoing = [];
    const timers: TimerEntity[] = [];
    const add = (r: { consequence: Consequence | null; outgoing: Outgoing }) => {
      if (r.consequence) consequences.push(r.consequence);
      outgoing = outgoing.concat(r.outgoing);
    };

    // SF-15: posts held in this household
    const tenures = await em.find(WelfarePostTenureEntity, { where: { householdId: h.id, status: In(ACTIVE) } });
    for (const t of tenures) {
      const policy = postsPolicy((await this.policies.effective(t.areaCode, now)).values);
      const holder = after.find((m) => m.id === t.memberId);
      // issue 19: the holder left the household (death, 迁出, 婚出): the tenure is flagged (no attendance
      // after that day, no agreement: `holder_in_household`) and the township must end it through the engine
      const leftHolder = !holder ? before.find((m) => m.id === t.memberId) : undefined;
      const leftKind = leaving(args);
      if (leftHolder && leftKind && !t.holderLeftOn) {
        const date = args.change.date ?? now.toISOString().slice(0, 10);
        await em.update(WelfarePostTenureEntity, { id: t.id }, { holderLeftOn: date, holderLeftKind: leftKind, updatedAt: now });
        Object.assign(t, { holderLeftOn: date, holderLeftKind: leftKind });
        add(
          await this.raise(em, {
            kind: 'post_holder_left',
            householdId: h.id,
            memberId: leftHolder.id,
            areaCode: t.areaCode,
            role: 'township',
            caseId: t.caseId,
            householdVersion: h.version,
            title: `公益性岗位人员${LEFT_TITLES[leftKind] ?? '离户'}：请办理解聘（SF-15）`,
            message: `户籍变更（第 ${h.version} 版）显示公益性岗位${t.status === 'on_duty' ? '在岗' : '待上岗'}人员 ${leftHolder.name} 已于 ${date} ${LEFT_TITLES[leftKind] ?? '离户'}，不再属于本户；此后月份不能登记考勤、发放补贴，请核实后办理解聘（退岗原因：本人死亡、迁出或婚出）。`,
            data: { exitReason: 'left_household', leftKind, leftOn: date, memberId: leftHolder.id, tenureId: t.id, tenureStatus: t.status },
            procedure: 'welfare-post-hiring',
          }, now),
        );
        continue;
      }
      const holderBefore = before.find((m) => m.id === t.memberId);
      if (holder && holder.employment === 'outside' && holderBefore?.employment !== 'outside') {
        add(
          await this.raise(em, {
            kind: 'post_holder_away',
            householdId: h.id,
            memberId: holder.id,
            areaCode: t.areaCode,
            role: 'township',
            caseId: t.caseId,
            householdVersion: h.version,
            title: '公益性岗位人员外出务工：请办理解聘（SF-15）',
            message: `户籍变更（第 ${h.version} 版）显示公益性岗位在岗人员已外出务工，不再符合“人岗相适”，请核实后办理解聘（退岗原因：外出务工）。`,
            data: { exitReason: 'working_away', memberId: holder.id },
            procedure: 'welfare-post-hiring',
          }, now),
        );
      }
      const away = (ms: HouseholdMemberEntity[]) => ms.filter((m) => m.id !== t.memberId && m.employment === 'outside').length;
      // a holder moved into this household (转户, issue 19) is judged on it as it is
      const movedIn = !!holder && !holderBefore;
      if (away(after) >= policy.maxMembersAway && (away(before) < policy.maxMembersAway || movedIn)) {
        add(
          await this.raise(em, {
            kind: 'household_members_away',
            householdId: h.id,
            memberId: t.memberId,
            areaCode: t.areaCode,
            role: 'township',
            caseId: t.caseId,
            householdVersion: h.version,
            title: '公益性岗位人员家中外出务工人数达到上限：请办理解聘（SF-15）',
            message: `户籍变更（第 ${h.version} 版）后该户另有 ${away(after)} 人外出务工，达到政策规定的 ${policy.maxMembersAway} 人，在岗人员不再符合条件，请核实后办理解聘。`,
            data: { membersAway: away(after), maxMembersAway: policy.maxMembersAway, exitReason: 'found_ineligible' },
            procedure: 'welfare-post-hiring',
          }, now),
        );
      }
    }

    const monitored = await em.findOne(MonitoringObjectEntity, { where: { householdId: h.id, status: 'monitoring' }, order: { createdAt: 'DESC' } });

    // SF-10: the only working member died, in a household nobody monitors → a lead for the village
    const left = args.kind === 'death' ? before.find((m) => m.id === args.change.memberId) : undefined;
    if (left && WORKING.includes(left.employment) && !after.some((m) => WORKING.includes(m.employment)) && !monitored) {
      const open = await em.findOne(CaseEntity, { where: { procedure: MONITORING_INCLUSION, subjectId: h.id, closedAt: IsNull() }, select: { id: true } });
      if (!open) {
        const created = await this.engine.createWithin(em, {
          procedure: MONITORING_INCLUSION,
          body: {
            householdId: h.id,
            channel: 'registry_change',
            riskDescription: `家庭成员变动：唯一有务工收入的成员于 ${args.change.date} 死亡，家庭已无务工收入来源，存在返贫致贫风险，请入户核实（户籍第 ${h.version} 版）。`,
            urgent: false,
          },
          actor: args.actor,
          now,
          origin: { procedure: HOUSEHOLD_REGISTRY, caseId: h.id, event: 'death' },
        });
        timers.push(...created.timers);
        add(
          await this.raise(em, {
            kind: 'inclusion_lead',
            householdId: h.id,
            memberId: left.id,
            areaCode: h.areaCode,
            role: 'village',
            caseId: created.caseRow.id,
            householdVersion: h.version,
            title: '家庭成员变动发现风险：新增识别纳入线索（SF-10）',
            message: `该户唯一有务工收入的成员死亡，系统已生成识别纳入线索（渠道：家庭成员变动），请在时限内入户核实。`,
            data: { channel: 'registry_change' },
            procedure: MONITORING_INCLUSION,
          }, now),
        );
      }
    }

    // issue 19: a member who left was counted in a verification of a case still open (inclusion, or the
    // elimination of this household's monitoring object): the village is told to verify again on the household as it is
    const goneKind = leaving(args);
    const gone = goneKind ? before.filter((m) => !after.some((a) => a.id === m.id)) : [];
    if (gone.length) {
      const open = await em.find(CaseEntity, {
        where: { subjectId: In([h.id, ...(monitored ? [monitored.id] : [])]), procedure: In([MONITORING_INCLUSION, 'risk-elimination']), closedAt: IsNull() },
        select: { id: true, procedure: true, areaCode: true, snapshot: true, state: true },
      });
      for (const c of open) {
        const v = c.snapshot?.context?.verification as { members?: number; byMember?: Array<{ memberId: string; total: number }> } | null | undefined;
        if (!v || typeof v.members !== 'number' || v.members === after.length) continue;
        add(
          await this.raise(em, {
            kind: 'verification_outdated',
            householdId: h.id,
            memberId: gone[0].id,
            areaCode: c.areaCode,
            role: 'village',
            caseId: c.id,
            householdVersion: h.version,
            title: '家庭成员离户：在办案件的入户核实须按现有人口重新核算',
            message: `该户成员 ${gone.map((m) => m.name).join('、')} 已${LEFT_TITLES[goneKind!] ?? '离户'}，在办案件的入户核实按 ${v.members} 人核算，户籍登记现为 ${after.length} 人，请按现有人口重新核实收入。`,
            data: { membersVerified: v.members, membersNow: after.length, departed: gone.map((m) => ({ memberId: m.id, name: m.name, income: v.byMember?.find((b) => b.memberId === m.id)?.total ?? null })) },
            procedure: c.procedure,
          }, now),
        );
      }
    }

    // a monitoring object's household changed size: its income per person is no longer what was verified
    if (monitored && before.length !== after.length) {
      const v = monitored.verification ?? {};
      const total = typeof v.totalIncome === 'number' ? v.totalIncome : null;
      const recomputed = total !== null && after.length > 0 ? round2(total / after.length) : null;
      // issue 19: income the last verification attributed to a member who has now left (still counted in the total)
      const departed = before.filter((m) => !after.some((a) => a.id === m.id));
      const byMember: Array<{ memberId: string; total: number; wage: number }> = Array.isArray(v.byMember) ? v.byMember : [];
      const departedIncome = departed
        .map((m) => ({ memberId: m.id, name: m.name, income: byMember.find((b) => b.memberId === m.id)?.total ?? 0 }))
        .filter((d) => d.income !== 0);
      add(
        await this.raise(em, {
          kind: 'household_size_changed',
          householdId: h.id,
          memberId: args.change.memberId,
          areaCode: h.areaCode,
          role: 'village',
          caseId: monitored.inclusionCaseId,
          householdVersion: h.version,
          title: '监测对象家庭人口变化：请重新核算人均纯收入',
          message: `监测对象家庭人口由 ${before.length} 人变为 ${after.length} 人，按最近一次核实的家庭纯收入重算人均纯收入为 ${recomputed ?? '—'} 元${departedIncome.length ? `（其中含已离户成员 ${departedIncome.map((d) => `${d.name} ${d.income} 元`).join('、')} 的收入，已不应计入）` : ''}，请在下次核实中按现有人口核算。`,
          data: { monitoringObjectId: monitored.id, membersBefore: before.length, membersAfter: after.length, totalIncome: total, perCapitaBefore: v.perCapitaNetIncome ?? null, perCapitaRecomputed: recomputed, departedIncome },
        }, now),
      );
    }
    return { consequences, outgoing, timers };
  }

  /**
   * SF-13: every post holder at or over `posts.neverAge` (of the policy in force for the post's
   * area) gets the township's task to terminate, once while it is open. Ages change without a
   * registry change, so this runs on a timer (and after a policy change lowers the age).
   */
  async sweepNeverAge(now = new Date()): Promise<number> {
    const tenures = await this.uow.manager.find(WelfarePostTenureEntity, { where: { status: In(ACTIVE) } });
    if (!tenures.length) return 0;
    const members = new Map<string, HouseholdMemberEntity>();
    for (let i = 0; i < tenures.length; i += 500) {
      const part = tenures.slice(i, i + 500).map((t) => t.memberId);
      for (const m of await this.uow.manager.find(HouseholdMemberEntity, { where: { id: In(part) } })) members.set(m.id, m);
    }
    let raised = 0;
    for (const t of tenures) {
      const m = members.get(t.memberId);
      if (!m) continue;
      const policy = postsPolicy((await this.policies.effective(t.areaCode, now)).values);
      const age = ageAt(m.birthDate, now.toISOString());
      if (age < policy.neverAge) continue;
      const { consequence, outgoing } = await this.uow.transaction(async (em) => {
        const h = await em.findOneBy(HouseholdEntity, { id: t.householdId });
        return this.raise(em, {
          kind: 'post_holder_never_age',
          householdId: t.householdId,
          memberId: m.id,
          areaCode: t.areaCode,
          role: 'township',
          caseId: t.caseId,
          householdVersion: h?.version ?? 0,
          title: `公益性岗位人员年满 ${policy.neverAge} 周岁：请办理解聘（SF-13）`,
          message: `在岗人员已满 ${age} 周岁，达到不得安排公益性岗位的年龄（${policy.neverAge} 周岁），请办理解聘。`,
          data: { age, neverAge: policy.neverAge, exitReason: 'found_ineligible' },
          procedure: 'welfare-post-hiring',
        }, now);
      });
      this.outbox.send(outgoing);
      if (consequence) raised++;
    }
    return raised;
  }

  /** Alerts whose case has been closed (the post terminated, the lead decided) are resolved. */
  async resolveSettled(em: EntityManager, alerts: RegistryAlertEntity[]): Promise<void> {
    const ids = [...new Set(alerts.filter((a) => a.status === 'open' && a.caseId).map((a) => a.caseId!))];
    if (!ids.length) return;
    const closed = await em.find(CaseEntity, { where: { id: In(ids) }, select: { id: true, closedAt: true, state: true, procedure: true } });
    const settled = closed
      .filter((c) => c.closedAt !== null || (c.procedure === 'welfare-post-hiring' && !ACTIVE.includes(c.state)))
      .map((c) => c.id);
    const resolved = alerts.filter((a) => a.status === 'open' && a.caseId && settled.includes(a.caseId) && a.kind !== 'household_size_changed');
    if (!resolved.length) return;
    const now = new Date();
    await em.update(RegistryAlertEntity, { id: In(resolved.map((a) => a.id)) }, { status: 'resolved', resolvedAt: now });
    for (const a of resolved) Object.assign(a, { status: 'resolved', resolvedAt: now });
  }
}

export { SYSTEM_ACTOR };
