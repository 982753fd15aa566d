import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea, narrowArea } from '../../common/auth/scope';
import { type Colour, COLOUR_TITLES, colourOf } from '../../common/domain/colour';
import { MONITORING_TYPES, titleOf } from '../../common/domain/enums';
import { maskName, maskPhone } from '../../common/domain/id-number';
import { AppError } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { HouseholdEntity, HouseholdMemberEntity, MonitoringObjectEntity } from '../../database/entities';
import { PageQuery } from '../engine/cases.dto';
import { seesPersonalData } from '../households/households.service';

export class MonitoringObjectQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: ['monitoring', 'eliminated'] }) @IsOptional() @IsIn(['monitoring', 'eliminated'])
  status?: string;

  @ApiPropertyOptional({ enum: ['green', 'yellow', 'orange'] }) @IsOptional() @IsIn(['green', 'yellow', 'orange'])
  colour?: Colour;
}

@Injectable()
export class MonitoringObjectsService {
  constructor(private readonly uow: UnitOfWork) {}

  private async views(rows: MonitoringObjectEntity[], user: AuthUser) {
    const em = this.uow.dataSource.manager;
    const ids = [...new Set(rows.map((r) => r.householdId))];
    const households = ids.length ? await em.findBy(HouseholdEntity, { id: In(ids) }) : [];
    const members = ids.length ? await em.findBy(HouseholdMemberEntity, { householdId: In(ids) }) : [];
    return rows.map((r) => {
      const h = households.find((x) => x.id === r.householdId);
      const own = members.filter((m) => m.householdId === r.householdId);
      const signals = (r.verification?.signals ?? {}) as { rigidExpenditureHigh?: boolean };
      const colour = colourOf({
        status: r.status,
        rigidExpenditureHigh: !!signals.rigidExpenditureHigh,
        noLabourCapacity: own.length > 0 && own.every((m) => m.laborAbility === 'none'),
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
        inclusionCaseId: r.inclusionCaseId,
        previousMonitoringObjectId: r.previousMonitoringObjectId,
        perCapitaNetIncome: r.verification?.perCapitaNetIncome ?? null,
        incomeLine: r.verification?.incomeLine ?? null,
        createdAt: r.createdAt.toISOString(),
      };
    });
  }

  async get(id: string, user: AuthUser) {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.uow.dataSource.manager.findOneBy(MonitoringObjectEntity, { id }) : null;
    if (!row) throw AppError.notFound('监测对象');
    assertInArea(user, row.areaCode, '监测对象');
    return (await this.views([row], user))[0];
  }

  /** The colour is derived, so a colour filter is applied after deriving it. */
  async list(user: AuthUser, q: MonitoringObjectQuery) {
    const qb = this.uow.dataSource.manager.createQueryBuilder(MonitoringObjectEntity, 'o');
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
}
