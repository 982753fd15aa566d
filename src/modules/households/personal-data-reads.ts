import { Controller, Get, Injectable, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Column, Entity } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { narrowArea } from '../../common/auth/scope';
import { timestamp } from '../../database/column-types';
import { UnitOfWork } from '../../database/unit-of-work';
import { WithId } from '../../database/with-id';
import { PageQuery } from '../engine/cases.dto';

/** One unmasked read of a household's ID numbers and phones (PIPL): who, which, when, how. */
@Entity('personal_data_reads')
export class PersonalDataReadEntity extends WithId {
  @Column({ type: 'varchar', length: 36 }) userId: string;
  @Column({ type: 'varchar', length: 64 }) username: string;
  @Column({ type: 'varchar', length: 20 }) role: string;
  @Column({ type: 'varchar', length: 36 }) householdId: string;
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  /** the endpoint that showed it */
  @Column({ type: 'varchar', length: 100 }) purpose: string;
  @Column(timestamp()) at: Date;
}

/** Records the unmasked reads of a request, in one statement. */
@Injectable()
export class PersonalDataReads {
  constructor(private readonly uow: UnitOfWork) {}

  /** each household once per call, however many rows shown name it */
  async record(user: AuthUser, shown: Array<{ id: string; areaCode: string }>, purpose: string): Promise<void> {
    const households = [...new Map(shown.map((h) => [h.id, h])).values()];
    if (!households.length) return;
    const at = new Date();
    await this.uow.manager.insert(
      PersonalDataReadEntity,
      households.map((h) => ({ id: randomUUID(), userId: user.id, username: user.username, role: user.role, householdId: h.id, areaCode: h.areaCode, purpose, at })),
    );
  }
}

export class PersonalDataReadQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'userId 应为用户编号' })
  userId?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'householdId 应为农户编号' })
  householdId?: string;
}

@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class PersonalDataReadsController {
  constructor(private readonly uow: UnitOfWork) {}

  /** Who read which household's full ID numbers and phones, newest first (supervisors, admins). */
  @Roles('supervisor', 'admin')
  @Get('personal-data-reads')
  async list(@CurrentUser() user: AuthUser, @Query() q: PersonalDataReadQuery) {
    const qb = this.uow.manager.createQueryBuilder(PersonalDataReadEntity, 'r');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('r.areaCode LIKE :like', { like });
    if (q.userId) qb.andWhere('r.userId = :uid', { uid: q.userId });
    if (q.householdId) qb.andWhere('r.householdId = :hid', { hid: q.householdId });
    const [rows, total] = await qb.orderBy('r.at', 'DESC').addOrderBy('r.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })), total, page: q.page, pageSize: q.pageSize };
  }
}
