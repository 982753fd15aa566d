import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/decorators';
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

  @Roles('admin')
  @Post('admin/areas')
  createArea(@Body() dto: CreateAreaDto) {
    return this.areas.create(dto);
  }

  @Roles('admin')
  @Post('admin/users')
  async createUser(@Body() dto: CreateUserDto) {
    return toAuthUser(await this.users.create({ ...dto, areaCode: dto.areaCode ?? null, sector: dto.sector ?? null }));
  }

  @Roles('admin')
  @Patch('admin/users/:id')
  async updateUser(@Param('id') id: string, @Body() dto: UpdateUserDto) {
    const u = await this.users.update(id, dto);
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
