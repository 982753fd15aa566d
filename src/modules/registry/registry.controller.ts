import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { narrowArea } from '../../common/auth/scope';
import { maskPersonalData } from '../../common/domain/id-number';
import { UnitOfWork } from '../../database/unit-of-work';
import { AddMemberDto, EditHouseholdDto, MemberChangeDto, RegistryAlertQuery } from './registry.dto';
import { RegistryAlertEntity } from './registry.entities';
import { RegistryService } from './registry.service';
import { RegistryWatch } from './registry-watch';
import { seesPersonalData } from '../households/households.service';

/** Issue 13: the household registry over time — changes, their history, and the work they create. */
@ApiTags('households')
@ApiBearerAuth()
@Controller()
export class RegistryController {
  constructor(
    private readonly registry: RegistryService,
    private readonly watch: RegistryWatch,
    private readonly uow: UnitOfWork,
  ) {}

  /** The address and phone; `version` is the household version the edit was made on. */
  @Patch('households/:id')
  edit(@Param('id') id: string, @Body() dto: EditHouseholdDto, @CurrentUser() user: AuthUser) {
    return this.registry.edit(id, dto, user);
  }

  /** A member joins: birth (出生医学证明), marriage (结婚证 or 户口簿), moving in (户籍迁移证明). */
  @Post('households/:id/members')
  addMember(@Param('id') id: string, @Body() dto: AddMemberDto, @CurrentUser() user: AuthUser) {
    return this.registry.addMember(id, dto, user);
  }

  /** A member's change with its date, reason and evidence: death, marriage out, moving away, employment, labour ability, disability. */
  @Post('households/:id/members/:memberId/changes')
  change(@Param('id') id: string, @Param('memberId') memberId: string, @Body() dto: MemberChangeDto, @CurrentUser() user: AuthUser) {
    return this.registry.changeMember(id, memberId, dto, user);
  }

  /** Every change, hash-chained, with its verification. */
  @Get('households/:id/history')
  history(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.registry.history(id, user);
  }

  /**
   * The work registry changes created in the caller's area (open by default): for the caller's
   * role, or every role for county users and supervisors.
   */
  @Get('registry/alerts')
  async alerts(@Query() q: RegistryAlertQuery, @CurrentUser() user: AuthUser) {
    const em = this.uow.manager;
    const qb = em.createQueryBuilder(RegistryAlertEntity, 'a');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('a.areaCode LIKE :like', { like });
    if (['village', 'township'].includes(user.role)) qb.andWhere('a.role = :role', { role: user.role });
    const status = q.status ?? 'open';
    // settle first: an alert whose case was closed is no longer work
    const open = await qb.clone().andWhere('a.status = :open', { open: 'open' }).getMany();
    await this.watch.resolveSettled(em, open);
    if (status !== 'all') qb.andWhere('a.status = :status', { status });
    const [rows, total] = await qb.orderBy('a.createdAt', 'DESC').addOrderBy('a.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return {
      items: rows.map((a) => ({
        id: a.id,
        kind: a.kind,
        title: a.title,
        message: a.message,
        householdId: a.householdId,
        memberId: a.memberId,
        areaCode: a.areaCode,
        role: a.role,
        caseId: a.caseId,
        householdVersion: a.householdVersion,
        data: seesPersonalData(user, a.areaCode) ? a.data : maskPersonalData(a.data),
        status: a.status,
        createdAt: a.createdAt.toISOString(),
        resolvedAt: a.resolvedAt?.toISOString() ?? null,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
