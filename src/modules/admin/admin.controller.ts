import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { assertAdminOver } from '../../common/auth/scope';
import { toAuthUser, UsersService } from '../auth/users.service';
import { CreateAreaDto, CreateUserDto, UpdateUserDto } from './admin.dto';
import { AreasService } from './areas.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller()
export class AdminController {
  constructor(
    private readonly areas: AreasService,
    private readonly users: UsersService,
  ) {}

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
    return toAuthUser(await this.users.create({ ...dto, areaCode: dto.areaCode ?? null, sector: dto.sector ?? null }));
  }

  /** Only accounts of the admin's area and below, and only into it. */
  @Roles('admin')
  @Patch('admin/users/:id')
  async updateUser(@Param('id') id: string, @Body() dto: UpdateUserDto, @CurrentUser() actor: AuthUser) {
    const u = await this.users.update(id, dto, (current) => {
      assertAdminOver(actor, current.areaCode, '用户');
      if (dto.areaCode !== undefined) assertAdminOver(actor, dto.areaCode);
    });
    return { ...toAuthUser(u), disabled: u.disabled };
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
