import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { In } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { calendarDate } from '../../common/domain/calendar';
import { type Colour, COLOUR_TITLES, colourOf } from '../../common/domain/colour';
import { subtractDuration } from '../../common/domain/duration';
import { ids, MONITORING_TYPES, RISK_TYPES, titleOf } from '../../common/domain/enums';
import { maskName, maskPhone } from '../../common/domain/id-number';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import {
  AssistanceMeasureEntity,
  HouseholdEntity,
  HouseholdMemberEntity,
  IncomeRecordEntity,
  MonitoringObjectEntity,
} from '../../database/entities';
import { computeIncome, type IncomeInput, incomeProblems, incomeRuleText, incomeSchema } from '../../machines/income';
import { beijingDate, maxBackdateOf, recordDateProblem, type RecordDateInput } from '../../machines/record-date';
import { validateSchema } from '../engine/requirements';
import { PageQuery } from '../engine/cases.dto';
import { seesPersonalData } from '../households/households.service';
import { PoliciesService } from '../policies/policies.service';
import { MEASURE_TYPE_IDS, MEASURE_TYPES } from './measures';
import { recordIncome, registryFacts } from './income-records';
import { appendLedger, ledgerRecord } from '../audit/record-ledger';
import { isRowId } from '../../common/domain/row-id';

export class MonitoringObjectQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: ['monitoring', 'eliminated'] }) @IsOptional() @IsIn(['monitoring', 'eliminated'])
  status?: string;

  @ApiPropertyOptional({ enum: ['green', 'yellow', 'orange'] }) @IsOptional() @IsIn(['green', 'yellow', 'orange'])
  colour?: Colour;
}

export class MeasureDto {
  @ApiProperty({ enum: MEASURE_TYPE_IDS }) @IsIn(MEASURE_TYPE_IDS)
  type: string;

  @ApiProperty({ example: '落实大病救助，报销医疗费用3.2万元' }) @IsString() @MinLength(4) @MaxLength(2000)
  description: string;

  /**
   * the day the measure took effect: not in the future, not before the monitoring start, not
   * older than `records.maxBackdate` (P30D) at recording time; the recording time is kept as `recordedAt`
   */
  @ApiProperty({ example: '2026-05-10' }) @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date: string;

  /** the recorded risks this measure addresses */
  @ApiProperty({ example: ['illness'] }) @IsArray() @ArrayMaxSize(11) @IsIn(ids(RISK_TYPES), { each: true })
  riskTypes: string[];
}

/** JSON Schema of a monitoring visit's income survey: the same fields as a verification. */
export const incomeRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['income', 'rigidExpenditure', 'guarantees'],
  // SF-05: exactly one income shape — the contract's aggregated one (with members) or lines (see incomeShapeProblems)
  incomeShape: true,
  properties: {
    ...incomeSchema,
    /** the day of the visit; today if not given. Bounded like a measure's date (records.maxBackdate) */
    visitDate: { type: 'string', format: 'date', description: '走访日期（不填为当天；不得晚于今天、早于纳入监测日期或超过补录期限）' },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

@Injectable()
export class MonitoringObjectsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
  ) {}

  private async views(rows: MonitoringObjectEntity[], user: AuthUser) {
    const em = this.uow.manager;
    const hh = [...new Set(rows.map((r) => r.householdId))];
    const households = hh.length ? await em.findBy(HouseholdEntity, { id: In(hh) }) : [];
    const members = hh.length ? await em.findBy(HouseholdMemberEntity, { householdId: In(hh) }) : [];
    const moIds = rows.map((r) => r.id);
    const lastMeasures: Array<{ id: string; last: string }> = moIds.length
      ? await em
          .createQueryBuilder(AssistanceMeasureEntity, 'm')
          .select('m.monitoringObjectId', 'id')
          .addSelect('MAX(m.date)', 'last')
          .where('m.monitoringObjectId IN (:...moIds)', { moIds })
          .groupBy('m.monitoringObjectId')
          .getRawMany()
      : [];
    const recency = new Map<string, string>();
    for (const area of new Set(rows.map((r) => r.areaCode))) {
      const p = await this.policies.effective(area);
      recency.set(area, calendarDate(subtractDuration(new Date(), p.values['colour.measureRecency'])));
    }
    return rows.map((r) => {
      const h = households.find((x) => x.id === r.householdId);
      const own = members.filter((m) => m.householdId === r.householdId);
      const signals = (r.verification?.signals ?? {}) as { rigidExpenditureHigh?: boolean };
      const colour = colourOf({
        status: r.status,
        rigidExpenditureHigh: !!signals.rigidExpenditureHigh,
        noLabourCapacity: own.length > 0 && own.every((m) => m.laborAbility === 'none'),
        hasFullLabour: own.some((m) => m.laborAbility === 'full'),
        lastMeasureDate: lastMeasures.find((m) => m.id === r.id)?.last ?? null,
        recentSince: recency.get(r.areaCode)!,
      });
      const full = seesPersonalData(user, r.areaCode);
      return {
        id: r.id,
        householdId: r.householdId,
        householderName: h ? (full ? h.householderName : maskName(h.householderName)) : null,
        areaCode: r.areaCode,
        monitoringType: r.monitoringType,
        monitoringTypeTitle: titleOf(MONITORING_TYPES, r.monitoringType),
        riskTypes: r.riskTypes,
        colour,
        colourTitle: COLOUR_TITLES[colour],
        assistanceContact: { ...r.assistanceContact, phone: full ? r.assistanceContact.phone : maskPhone(r.assistanceContact.phone) },
        startDate: r.startDate,
        status: r.status,
        statusTitle: r.status === 'eliminated' ? '风险已消除' : '监测中',
        eliminationType: r.eliminationType,
        eliminationTypeTitle: r.eliminationType === 'assisted' ? '帮扶消除' : r.eliminationType === 'natural' ? '自然消除' : null,
        eliminatedAt: r.eliminatedAt?.toISOString() ?? null,
        eliminationCaseId: r.eliminationCaseId,
        rolledBackAt: r.rolledBackAt?.toISOString() ?? null,
        rollbackCaseId: r.rollbackCaseId,
        inclusionCaseId: r.inclusionCaseId,
        previousMonitoringObjectId: r.previousMonitoringObjectId,
        lastMeasureDate: lastMeasures.find((m) => m.id === r.id)?.last ?? null,
        perCapitaNetIncome: r.verification?.perCapitaNetIncome ?? null,
        incomeLine: r.verification?.incomeLine ?? null,
        createdAt: r.createdAt.toISOString(),
      };
    });
  }

  async load(id: string, user: AuthUser): Promise<MonitoringObjectEntity> {
    const row = isRowId(id) ? await this.uow.manager.findOneBy(MonitoringObjectEntity, { id }) : null;
    if (!row) throw AppError.notFound('监测对象');
    assertInArea(user, row.areaCode, '监测对象');
    return row;
  }

  async get(id: string, user: AuthUser) {
    return (await this.views([await this.load(id, user)], user))[0];
  }

  /** The colour is derived, so a colour filter is applied after deriving it. */
  async list(user: AuthUser, q: MonitoringObjectQuery) {
    const qb = this.uow.manager.createQueryBuilder(MonitoringObjectEntity, 'o');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('o.areaCode LIKE :like', { like });
    if (q.status) qb.andWhere('o.status = :status', { status: q.status });
    qb.orderBy('o.createdAt', 'DESC').addOrderBy('o.id');
    if (!q.colour) {
      const [rows, total] = await qb.skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
      return { items: await this.views(rows, user), total, page: q.page, pageSize: q.pageSize };
    }
    const all = (await this.views(await qb.getMany(), user)).filter((v) => v.colour === q.colour);
    return { items: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize), total: all.length, page: q.page, pageSize: q.pageSize };
  }

  private assertActor(user: AuthUser): void {
    if (!['village', 'township', 'county'].includes(user.role)) {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '只有村、乡镇、县级经办人员可以登记帮扶信息', { requiredRoles: ['village', 'township', 'county'] });
    }
  }

  async addMeasure(id: string, dto: MeasureDto, user: AuthUser) {
    this.assertActor(user);
    const mo = await this.load(id, user);
    if (mo.status !== 'monitoring') throw new AppError(ErrorCode.RULE_VIOLATED, '该户不在监测中，不能登记帮扶措施', { rule: 'in_monitoring' });
    const unknown = dto.riskTypes.filter((r) => !mo.riskTypes.includes(r));
    if (unknown.length) throw AppError.validation({ riskTypes: `该户未登记这些风险：${unknown.join(', ')}` });
    const now = new Date();
    await this.assertRecordDate(mo, { field: 'date', label: '措施日期', date: dto.date, now });
    const row = await this.uow.transaction(async (em) => {
      const saved = await em.save(
        em.create(AssistanceMeasureEntity, {
          monitoringObjectId: mo.id,
          areaCode: mo.areaCode,
          type: dto.type,
          description: dto.description,
          date: dto.date,
          riskTypes: dto.riskTypes,
          recordedById: user.id,
          recordedAt: now,
        }),
      );
      // issue 12: the measure and its ledger entry, together or not at all
      await appendLedger(em, { kind: 'measures', subjectId: mo.id, areaCode: mo.areaCode, recordId: saved.id, op: 'create', record: ledgerRecord.measures(saved), actorId: user.id });
      return saved;
    });
    return measureView(row);
  }

  async measures(id: string, user: AuthUser) {
    const mo = await this.load(id, user);
    const rows = await this.uow.manager.find(AssistanceMeasureEntity, { where: { monitoringObjectId: mo.id }, order: { date: 'ASC' } });
    return rows.map(measureView);
  }

  /** A monitoring visit: the service computes the income (SF-05) and keeps it in the history. */
  async addIncomeRecord(id: string, raw: unknown, user: AuthUser) {
    this.assertActor(user);
    validateSchema(incomeRecordSchema, raw);
    const body = raw as IncomeInput & { visitDate?: string };
    if (body.income.periodStart > body.income.periodEnd) throw AppError.validation({ 'income.periodEnd': '结束日期不能早于开始日期' });
    const mo = await this.load(id, user);
    const now = new Date();
    const visitDate = body.visitDate ?? beijingDate(now);
    await this.assertRecordDate(mo, { field: 'visitDate', label: '走访日期', date: visitDate, now });
    const policy = await this.policies.effective(mo.areaCode);
    const row = await this.uow.transaction(async (em) => {
      // SF-05: the same rules and the same registry count as a verification, read in the record's transaction
      const { registry } = await registryFacts(em, mo.householdId);
      const problems = incomeProblems(body, registry.members);
      if (problems.length) {
        const rule = problems[0].rule;
        const found = problems.filter((p) => p.rule === rule);
        const text = incomeRuleText(rule);
        throw new AppError(ErrorCode.RULE_VIOLATED, `${text}：${found.map((p) => p.detail).join('；')}`, {
          rule,
          rules: [...new Set(problems.map((p) => p.rule))],
          lines: problems.map((p) => ({ rule: p.rule, line: p.line, memberId: p.memberId ?? null, detail: p.detail })),
        });
      }
      const figures = computeIncome(body, registry.members, {
        incomeLine: policy.values['monitoring.incomeLine'],
        rigidExpenditureRatio: policy.values['monitoring.rigidExpenditureRatio'],
      });
      return recordIncome(em, {
        householdId: mo.householdId,
        caseId: null,
        survey: { ...body, ...figures, registryVersion: registry.version } as never,
        source: 'monitoring_visit',
        visitDate,
        recordedById: user.id,
        recordedAt: now,
      });
    });
    return incomeView(row);
  }

  /** Issue 12: a stated date within the bounds of `recordDateProblem`, judged by the policy of the object's area. */
  private async assertRecordDate(mo: MonitoringObjectEntity, d: Pick<RecordDateInput, 'field' | 'label' | 'date' | 'now'>): Promise<void> {
    const policy = await this.policies.effective(mo.areaCode, d.now as Date);
    const problem = recordDateProblem({ ...d, maxBackdate: maxBackdateOf(policy.values), start: { date: mo.startDate, label: '纳入监测日期' } });
    if (problem) throw new AppError(ErrorCode.RULE_VIOLATED, problem.message, { rule: problem.rule, ...problem.details });
  }

  async incomeHistory(id: string, user: AuthUser) {
    const mo = await this.load(id, user);
    const rows = await this.uow.manager.find(IncomeRecordEntity, { where: { householdId: mo.householdId }, order: { recordedAt: 'ASC' } });
    return rows.map(incomeView);
  }
}

export const measureView = (m: AssistanceMeasureEntity) => ({
  id: m.id,
  monitoringObjectId: m.monitoringObjectId,
  type: m.type,
  typeTitle: MEASURE_TYPES.find((t) => t.id === m.type)?.title ?? m.type,
  description: m.description,
  date: m.date,
  riskTypes: m.riskTypes,
  recordedBy: m.recordedById,
  recordedAt: m.recordedAt.toISOString(),
});

const incomeView = (r: IncomeRecordEntity) => ({
  id: r.id,
  caseId: r.caseId,
  perCapitaNetIncome: r.perCapitaNetIncome,
  incomeLine: r.incomeLine,
  aboveLine: r.perCapitaNetIncome > r.incomeLine,
  guaranteesSecure: r.guaranteesSecure,
  // SF-05: the sums the service computed, by category and member, and the registry count and version they used
  members: (r.record?.members as number | undefined) ?? null,
  totalIncome: (r.record?.totalIncome as number | undefined) ?? null,
  byCategory: r.record?.byCategory ?? null,
  byMember: r.record?.byMember ?? null,
  registryVersion: (r.record?.registryVersion as number | undefined) ?? null,
  source: (r.record?.source as string | undefined) ?? null,
  visitDate: r.visitDate,
  recordedBy: r.recordedById,
  recordedAt: r.recordedAt.toISOString(),
});
