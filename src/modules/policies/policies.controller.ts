import { Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsObject } from 'class-validator';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { assertAdminOver } from '../../common/auth/scope';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError } from '../../common/errors/app-error';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { NATIONAL, PoliciesService } from './policies.service';
import { isAreaCode } from '../../common/domain/area';

export class PutPolicyDto {
  @ApiProperty({ example: '2027-01-01T00:00:00+08:00' })
  @IsISO8601({ strict: true })
  effectiveFrom: string;

  /** keys of domain/parameters.md; keys not given are inherited from the area above */
  @ApiProperty({ example: { 'monitoring.incomeLine': 7800, 'inclusion.noticePeriod': 'P7D' } })
  @IsObject()
  values: Record<string, unknown>;
}

@ApiTags('policies')
@ApiBearerAuth()
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  keys() {
    return Object.entries(POLICY_KEYS).map(([key, def]) => ({ key, type: def.type, title: def.title, default: def.default }));
  }

  @Get(':areaCode')
  async get(@Param('areaCode') areaCode: string, @Query('at') at?: string) {
    const when = at ? new Date(at) : new Date();
    if (Number.isNaN(when.getTime())) throw AppError.validation({ at: '应为 ISO-8601 时间' });
    if (areaCode !== NATIONAL && !isAreaCode(areaCode)) throw AppError.validation({ areaCode: '应为12位统计用区划代码' });
    const p = await this.policies.effective(areaCode, when);
    return { areaCode: p.areaCode, version: p.version, effectiveFrom: p.effectiveFrom, values: p.values, sources: p.sources };
  }

  @Roles('admin')
  @Put(':areaCode')
  @HttpCode(201)
  put(@Param('areaCode') areaCode: string, @Body() dto: PutPolicyDto, @CurrentUser() user: AuthUser) {
    // an admin sets the policy of its own area and below; the national level only a global admin
    assertAdminOver(user, areaCode === NATIONAL ? null : areaCode);
    return this.policies.put(areaCode, dto, user.id);
  }
}
