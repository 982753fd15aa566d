import { Injectable } from '@nestjs/common';
import { In, IsNull, Not } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { narrowArea } from '../../common/auth/scope';
import { calendarDate } from '../../common/domain/calendar';
import { subtractDuration } from '../../common/domain/duration';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { AssistanceMeasureEntity, CaseEntity, MonitoringObjectEntity } from '../../database/entities';
import { concentrated, concentrationShare, failingOnRecord, RISK_ELIMINATION } from '../../machines/risk-elimination.machine';
import { PoliciesService } from '../policies/policies.service';
import type { InspectionQuery } from './inspection.controller';
import { RiskEliminationAdapter } from './risk-elimination.adapter';

/**
 * Detectors for supervisors (SF-08, SF-11): patterns to look at, never quotas. Called by the
 * `/inspection/*` endpoints and by the rectification ledger (issue 14), which runs a detector
 * again before a finding it produced may be closed.
 */
@Injectable()
export class InspectionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
    private readonly adapter: RiskEliminationAdapter,
  ) {}

  private async objects(user: AuthUser, areaCode: string | undefined, status: string): Promise<MonitoringObjectEntity[]> {
    if (user.role === 'admin') throw new AppError(ErrorCode.ROLE_REQUIRED, '督查报表供业务和监督人员使用', { requiredRoles: ['village', 'township', 'county', 'department', 'supervisor'] });
    const qb = this.uow.manager.createQueryBuilder(MonitoringObjectEntity, 'o').where('o.status = :status', { status });
    const like = narrowArea(user, areaCode);
    if (like) qb.andWhere('o.areaCode LIKE :like', { like });
    return qb.orderBy('o.areaCode').addOrderBy('o.createdAt').getMany();
  }

  /** SF-08: villages and townships whose share of monitoring objects eliminated in the window is above the threshold. */
  async concentration(user: AuthUser, q: InspectionQuery) {
    const rows = [...(await this.objects(user, q.areaCode, 'monitoring')), ...(await this.objects(user, q.areaCode, 'eliminated'))];
    const groups = new Map<string, { level: 'village' | 'township'; rows: MonitoringObjectEntity[] }>();
    for (const r of rows) {
      for (const [code, level] of [[r.areaCode, 'village'], [`${r.areaCode.slice(0, 9)}000`, 'township']] as const) {
        const g = groups.get(code) ?? { level, rows: [] };
        g.rows.push(r);
        groups.set(code, g);
      }
    }
    const out = [];
    for (const [areaCode, g] of groups) {
      const p = (await this.policies.effective(areaCode)).values;
      const since = subtractDuration(new Date(), p['elimination.concentrationWindow']);
      const recent = g.rows.filter((r) => r.status === 'eliminated' && !!r.eliminatedAt && r.eliminatedAt >= since).length;
      // the base: still in monitoring, or eliminated within the window
      const total = g.rows.filter((r) => r.status === 'monitoring').length + recent;
      const share = concentrationShare({ eliminated: recent, total });
      if (concentrated(share, p['elimination.concentrationThreshold'])) {
        out.push({
          areaCode,
          level: g.level,
          eliminated: recent,
          total,
          share: Math.round(share * 1000) / 1000,
          threshold: p['elimination.concentrationThreshold'],
          window: p['elimination.concentrationWindow'],
        });
      }
    }
    return out.sort((a, b) => b.share - a.share);
  }

  /** SF-11: in monitoring, meeting every elimination criterion on record, with no elimination case. */
  async overdueElimination(user: AuthUser, q: InspectionQuery) {
    const em = this.uow.manager;
    const out = [];
    for (const mo of await this.objects(user, q.areaCode, 'monitoring')) {
      const policy = (await this.policies.effective(mo.areaCode)).values;
      if (await this.adapter.ineligibility(em, mo, mo.id, policy)) continue;
      // the county approval's own rules (SF-09), judged on the records
      const record = await this.adapter.recordFacts(em, { monitoringObjectId: mo.id, householdId: mo.householdId });
      const failing = failingOnRecord({ riskTypes: mo.riskTypes, measures: record.measures, guaranteesSecure: record.guaranteesSecure, facts: record.facts, policy, now: new Date() });
      if (failing.length) continue;
      const latest = record.facts.incomeHistory.at(-1)!;
      out.push({
        monitoringObjectId: mo.id,
        householdId: mo.householdId,
        areaCode: mo.areaCode,
        startDate: mo.startDate,
        riskTypes: mo.riskTypes,
        latestPerCapitaNetIncome: latest.perCapitaNetIncome,
        incomeLine: policy['monitoring.incomeLine'],
        measures: record.measures.length,
      });
    }
    return out;
  }

  /** SF-11: in monitoring longer than the configured time with no measure in the last months. */
  async staleMonitoring(user: AuthUser, q: InspectionQuery) {
    const em = this.uow.manager;
    const out = [];
    for (const mo of await this.objects(user, q.areaCode, 'monitoring')) {
      const policy = (await this.policies.effective(mo.areaCode)).values;
      const longSince = calendarDate(subtractDuration(new Date(), policy['inspection.staleMonitoringAfter']));
      if (mo.startDate > longSince) continue;
      const recentSince = calendarDate(subtractDuration(new Date(), policy['inspection.staleNoMeasureWithin']));
      const last = await em.findOne(AssistanceMeasureEntity, { where: { monitoringObjectId: mo.id }, order: { date: 'DESC' } });
      if (last && last.date >= recentSince) continue;
      const open = await em.existsBy(CaseEntity, { procedure: RISK_ELIMINATION, subjectId: mo.id, closedAt: IsNull(), state: Not(In(['eliminated', 'follow_up_due'])) });
      out.push({
        monitoringObjectId: mo.id,
        householdId: mo.householdId,
        areaCode: mo.areaCode,
        startDate: mo.startDate,
        lastMeasureDate: last?.date ?? null,
        openEliminationCase: open,
        staleAfter: policy['inspection.staleMonitoringAfter'],
        noMeasureWithin: policy['inspection.staleNoMeasureWithin'],
      });
    }
    return out;
  }
}
