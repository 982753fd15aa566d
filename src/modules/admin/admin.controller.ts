import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { PiiRotation } from './pii-rotation.service';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { areaLike, assertAdminOver } from '../../common/auth/scope';
import { UnitOfWork } from '../../database/unit-of-work';
import { LoginEventEntity } from '../auth/login-events.entity';
import { toAuthUser, UsersService } from '../auth/users.service';
import { CreateAreaDto, CreateUserDto, LoginEventQuery, UpdateUserDto } from './admin.dto';
import { AreasService } from './areas.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller()
export class AdminController {
  constructor(
    private readonly areas: AreasService,
    private readonly users: UsersService,
    private readonly uow: UnitOfWork,
    private readonly rotation: PiiRotation,
  ) {}

  /**
   * Key rotation (issue 11): re-encrypts every ID number and phone written under an older key id
   * with the current key (the first of PII_KEYS), in chunks; reads keep working meanwhile.
   * Global admins only: the keys are the whole service's.
   */
  @Roles('admin')
  @Post('admin/pii/rotate')
  @HttpCode(200)
  rotatePii(@CurrentUser() actor: AuthUser) {
    if (actor.areaCode !== null) throw AppError.forbidden('只有全局系统管理员可以轮换个人信息加密密钥');
    return this.rotation.rotate();
  }

  /** An admin adds areas below its own (a global admin anywhere). */
  @Roles('admin')
  @Post('admin/areas')
  createArea(@Body() dto: CreateAreaDto, @CurrentUser() actor: AuthUser) {
    assertAdminOver(actor, dto.code);
    return this.areas.create(dto);
  }

  /** An admin creates accounts in its own area and below, never a wider (or global) admin. */
  @Roles('admin')
  @Post('admin/users')
  async createUser(@Body() dto: CreateUserDto, @CurrentUser() actor: AuthUser) {
    assertAdminOver(actor, dto.areaCode ?? null);
    return toAuthUser(await this.users.create({ ...dto, areaCode: dto.areaCode ?? null, sector: dto.sector ?? null }, { actorId: actor.id }));
  }

  /** Only accounts of the admin's area and below, and only into it. */
  @Roles('admin')
  @Patch('admin/users/:id')
  async updateUser(@Param('id') id: string, @Body() dto: UpdateUserDto, @CurrentUser() actor: AuthUser) {
    const u = await this.users.update(id, dto, (current) => {
      assertAdminOver(actor, current.areaCode, '用户');
      if (dto.areaCode !== undefined) assertAdminOver(actor, dto.areaCode);
    }, actor.id);
    return { ...toAuthUser(u), disabled: u.disabled };
  }

  /**
   * Login attempts, newest first (issue 11): an admin of an area sees its area's accounts; a
   * global admin also sees attempts on unknown usernames and global accounts.
   */
  @Roles('admin')
  @Get('admin/login-events')
  async loginEvents(@CurrentUser() actor: AuthUser, @Query() q: LoginEventQuery) {
    const qb = this.uow.manager.createQueryBuilder(LoginEventEntity, 'e');
    const like = areaLike(actor);
    if (like) qb.andWhere('e.areaCode LIKE :like', { like });
    if (q.username) qb.andWhere('e.username = :username', { username: q.username });
    if (q.ip) qb.andWhere('e.ip = :ip', { ip: q.ip });
    if (q.outcome) qb.andWhere('e.outcome = :outcome', { outcome: q.outcome });
    const [items, total] = await qb.orderBy('e.at', 'DESC').addOrderBy('e.id').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items: items.map((e) => ({ ...e, at: e.at.toISOString() })), total, page: q.page, pageSize: q.pageSize };
  }

  /** Area names are not personal data: any signed-in user may read the tree. */
  @Get('areas/:code')
  getArea(@Param('code') code: string) {
    return this.areas.get(code);
  }

  @Get('areas')
  listAreas(@Query('parent') parent?: string) {
    return this.areas.children(parent);
  }
}
