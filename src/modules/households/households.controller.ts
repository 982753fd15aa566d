import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { CreateHouseholdDto, HouseholdListQuery } from './households.dto';
import { HouseholdsService } from './households.service';

@ApiTags('households')
@ApiBearerAuth()
@Controller('households')
export class HouseholdsController {
  constructor(private readonly households: HouseholdsService) {}

  @Post()
  create(@Body() dto: CreateHouseholdDto, @CurrentUser() user: AuthUser) {
    return this.households.create(dto, user);
  }

  @Get()
  list(@Query() q: HouseholdListQuery, @CurrentUser() user: AuthUser) {
    return this.households.list(user, q);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.households.get(id, user);
  }
}
