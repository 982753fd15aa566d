import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { startOfCalendarDay } from '../../common/domain/calendar';
import { maskIdNumber } from '../../common/domain/id-number';
import { AppError } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { HouseholdMemberEntity } from '../../database/entities';
import { addMonths, monthOf, postsPolicy, postTypeTitle } from '../../machines/welfare-posts.shared';
import { AreasService } from '../admin/areas.service';
import { type CaseView } from '../engine/case-view.service';
import { EngineService } from '../engine/engine.service';
import { IdempotencyStore } from '../engine/idempotency';
import { PoliciesService } from '../policies/policies.service';
import { type AttendanceDto, type IdleQuery, type LedgerQuery, type PostListQuery } from './welfare-posts.dto';
import { WelfarePostAttendanceEntity, WelfarePostEntity, WelfarePostTenureEntity } from './welfare-posts.entities';
import { isRowId } from '../../common/domain/row-id';

export interface LedgerRow {
  month: string;
  areaCode: string;
  areaName: string | null;
  postId: string;
  postType: string;
  postTypeTitle: string;
  holderId: string;
  caseId: string;
  name: string;
  /** always masked: the ledger is exported and passed around (SF-17) */
  idNumber: string;
  gender: string;
  startDate: string | null;
  endDate: string | null;
  status: string;
  exitKind: string | null;
  monthlySubsidy: number;
  /** null: no attendance record for the month, which pays nothing (SF-16) */
  daysWorked: number | null;
  subsidy: number;
  attendanceRevision: number | null;
}

/** Reads of the posts tables: open posts, the real-name ledger (SF-17), idle holders (SF-16). */
@Injectable()
export class WelfarePostsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly engine: EngineService,
    private readonly areas: AreasService,
    private readonly policies: PoliciesService,
  ) {}

  private get em() {
    return this.uow.manager;
  }

  private postView(p: WelfarePostEntity) {
    return {
      id: p.id,
      settingCaseId: p.settingCaseId,
      areaCode: p.areaCode,
      postType: p.postType,
      postTypeTitle: postTypeTitle(p.postType),
      places: p.places,
      filled: p.filled,
      free: Math.max(0, p.places - p.filled),
      duties: p.duties,
      monthlySubsidy: p.monthlySubsidy,
      termMonths: p.termMonths,
      status: p.status,
      createdAt: p.createdAt.toISOString(),
      closedAt: p.closedAt ? p.closedAt.toISOString() : null,
    };
  }

  async list(user: AuthUser, q: PostListQuery) {
    const qb = this.em.createQueryBuilder(WelfarePostEntity, 'p');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('p.areaCode LIKE :like', { like });
    if (q.postType) qb.andWhere('p.postType = :t', { t: q.postType });
    if (!q.all) qb.andWhere("p.status = 'open' AND p.filled < p.places");
    const rows = await qb.orderBy('p.createdAt', 'DESC').addOrderBy('p.id').take(1000).getMany();
    return rows.map((p) => this.postView(p));
  }

  async get(id: string, user: AuthUser) {
    const post = isRowId(id) ? await this.em.findOneBy(WelfarePostEntity, { id }) : null;
    if (!post) throw AppError.notFound('岗位');
    assertInArea(user, post.areaCode, '岗位');
    const tenures = await this.em.find(WelfarePostTenureEntity, { where: { postId: post.id, status: In(['contracted', 'on_duty']) }, order: { createdAt: 'ASC' } });
    const members = tenures.length ? await this.em.findBy(HouseholdMemberEntity, { id: In(tenures.map((t) => t.memberId)) }) : [];
    return {
      ...this.postView(post),
      holders: tenures.map((t) => ({
        holderId: t.id,
        caseId: t.caseId,
        name: members.find((m) => m.id === t.memberId)?.name ?? null,
        status: t.status,
        startDate: t.startDate,
        endDate: t.endDate,
        // issue 19 (SF-15): the holder left the household (death, moved_away, marriage_out); the tenure awaits its termination
        holderLeft: t.holderLeftOn ? { date: t.holderLeftOn, kind: t.holderLeftKind } : null,
      })),
    };
  }

  /** Every holder on a post during the month, with the month's days and subsidy (SF-17). */
  async ledger(user: AuthUser, q: LedgerQuery): Promise<{ month: string; areaCode: string | null; rows: LedgerRow[]; totals: { holders: number; subsidy: number } }> {
    const month = q.month ?? monthOf(new Date().toISOString());
    const qb = this.em
      .createQueryBuilder(WelfarePostTenureEntity, 't')
      .where('t.startDate IS NOT NULL')
      .andWhere('t.startDate < :next', { next: `${addMonths(month, 1)}-01` })
      .andWhere('t.endDate > :first', { first: `${month}-01` });
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('t.areaCode LIKE :like', { like });
    const monthStart = startOfCalendarDay(`${month}-01`);
    const tenures = (await qb.orderBy('t.areaCode').addOrderBy('t.startDate').addOrderBy('t.id').getMany())
      // a holder who left before the month began is not on its ledger
      .filter((t) => !t.exitedAt || t.exitedAt >= monthStart);
    if (!tenures.length) return { month, areaCode: q.areaCode ?? null, rows: [], totals: { holders: 0, subsidy: 0 } };
    const [posts, members, records, names] = await Promise.all([
      this.em.findBy(WelfarePostEntity, { id: In([...new Set(tenures.map((t) => t.postId))]) }),
      this.em.findBy(HouseholdMemberEntity, { id: In([...new Set(tenures.map((t) => t.memberId))]) }),
      this.em.findBy(WelfarePostAttendanceEntity, { tenureId: In(tenures.map((t) => t.id)), month }),
      this.areas.names([...new Set(tenures.map((t) => t.areaCode))]),
    ]);
    const rows = tenures.map((t): LedgerRow => {
      const post = posts.find((p) => p.id === t.postId)!;
      const m = members.find((x) => x.id === t.memberId);
      const current = records.filter((r) => r.tenureId === t.id).sort((a, b) => b.revision - a.revision)[0];
      return {
        month,
        areaCode: t.areaCode,
        areaName: names.get(t.areaCode) ?? null,
        postId: t.postId,
        postType: post.postType,
        postTypeTitle: postTypeTitle(post.postType),
        holderId: t.id,
        caseId: t.caseId,
        name: m?.name ?? '',
        idNumber: m ? maskIdNumber(m.idNumber) : '',
        gender: m?.gender ?? '',
        startDate: t.startDate,
        endDate: t.endDate,
        status: t.status,
        exitKind: t.exitKind,
        monthlySubsidy: post.monthlySubsidy,
        daysWorked: current ? current.daysWorked : null,
        subsidy: current ? current.subsidy : 0,
        attendanceRevision: current ? current.revision : null,
      };
    });
    const subsidy = Math.round(rows.reduce((s, r) => s + r.subsidy, 0) * 100) / 100;
    return { month, areaCode: q.areaCode ?? null, rows, totals: { holders: rows.length, subsidy } };
  }

  ledgerCsv(ledger: Awaited<ReturnType<WelfarePostsService['ledger']>>): string {
    const header = ['月份', '村', '区划代码', '岗位', '姓名', '身份证号', '性别', '上岗日期', '协议到期', '状态', '月补贴标准(元)', '出勤天数', '当月补贴(元)', '考勤记录版本'];
    const status: Record<string, string> = { on_duty: '在岗', exited: '已退岗', contracted: '待签协议' };
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      // quote, and keep spreadsheet programs from reading a cell as a formula
      const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
      return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = ledger.rows.map((r) =>
      [r.month, r.areaName, r.areaCode, r.postTypeTitle, r.name, r.idNumber, r.gender === 'female' ? '女' : '男', r.startDate, r.endDate,
        status[r.status] ?? r.status, r.monthlySubsidy.toFixed(2), r.daysWorked ?? '无考勤', r.subsidy.toFixed(2), r.attendanceRevision ?? ''].map(cell).join(','),
    );
    // BOM: Excel opens UTF-8 Chinese text correctly only with it
    return '\uFEFF' + [header.join(','), ...lines].join('\r\n') + '\r\n';
  }

  /**
   * Holders on duty with no day worked in each of the last N complete months (posts.idleMonths
   * of the holder's area, in force now): 占岗不做事 (SF-16). A month without a record counts as
   * idle, as does a record of zero days; months before the holder started are not judged.
   */
  async idle(user: AuthUser, q: IdleQuery) {
    const qb = this.em.createQueryBuilder(WelfarePostTenureEntity, 't').where("t.status = 'on_duty'");
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('t.areaCode LIKE :like', { like });
    const tenures = await qb.orderBy('t.areaCode').addOrderBy('t.id').getMany();
    const current = monthOf(new Date().toISOString());
    const policyByArea = new Map<string, number>();
    const out = [];
    for (const t of tenures) {
      if (!policyByArea.has(t.areaCode)) {
        policyByArea.set(t.areaCode, postsPolicy((await this.policies.effective(t.areaCode)).values).idleMonths);
      }
      const n = policyByArea.get(t.areaCode)!;
      if (n <= 0 || !t.startDate) continue;
      const months = Array.from({ length: n }, (_, i) => addMonths(current, -(i + 1))).reverse();
      if (months[0] < t.startDate.slice(0, 7)) continue;
      const records = await this.em.findBy(WelfarePostAttendanceEntity, { tenureId: t.id, month: In(months) });
      const worked = months.filter((m) => {
        const latest = records.filter((r) => r.month === m).sort((a, b) => b.revision - a.revision)[0];
        return latest && latest.daysWorked > 0;
      });
      if (worked.length) continue;
      const member = await this.em.findOneBy(HouseholdMemberEntity, { id: t.memberId });
      const post = await this.em.findOneBy(WelfarePostEntity, { id: t.postId });
      out.push({
        holderId: t.id,
        caseId: t.caseId,
        postId: t.postId,
        postType: post?.postType ?? null,
        postTypeTitle: post ? postTypeTitle(post.postType) : null,
        areaCode: t.areaCode,
        name: member?.name ?? null,
        startDate: t.startDate,
        idleMonths: n,
        months,
        finding: 'SF-16',
      });
    }
    return { items: out, total: out.length };
  }

  /** `POST /welfare-posts/attendance`: RECORD_ATTENDANCE on the holder's hiring case, through the engine. */
  async recordAttendance(dto: AttendanceDto, user: AuthUser, idempotencyKey: string): Promise<CaseView> {
    let caseId = dto.caseId;
    if (!caseId && dto.holderId) {
      const tenure = await this.em.findOneBy(WelfarePostTenureEntity, { id: dto.holderId });
      if (!tenure) throw AppError.notFound('在岗人员');
      caseId = tenure.caseId;
    }
    const row = await this.engine.loadVisible(caseId!, user);
    const data: Record<string, unknown> = { month: dto.month, daysWorked: dto.daysWorked };
    if (dto.note) data.note = dto.note;
    // the client sends no version here: a retry is recognised by the request as sent, not by
    // the case's version, which the first attempt moved on
    const requestHash = IdempotencyStore.hash({ attendance: { caseId: dto.caseId ?? null, holderId: dto.holderId ?? null, ...data, evidenceIds: dto.evidenceIds } });
    return this.engine.apply(
      { caseId: row.id, type: 'RECORD_ATTENDANCE', version: row.version, evidenceIds: dto.evidenceIds, data, reason: null },
      user,
      idempotencyKey,
      requestHash,
    );
  }
}
