import { Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { assertAdminOver } from '../../common/auth/scope';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError } from '../../common/errors/app-error';
import { POLICY_KEYS } from '../../common/policy/policy-keys';
import { NATIONAL, PoliciesService } from './policies.service';
import { isAreaCode, isWithin, lineageOf } from '../../common/domain/area';
import { PolicyLedgerQuery, PutPolicyBoundsDto, PutPolicyDto } from './policies.dto';

export { PutPolicyDto } from './policies.dto';

const actorOf = (user: AuthUser) => ({ id: user.id, username: user.username, role: user.role });

/**
 * Issue 19 (item 15): the policy a user may read — the national level, the levels above their
 * area (whose values apply to it), their area and everything inside it. Another county's policy
 * (and its ledger: reasons and authors) is outside the caller's area: a 404, like any record.
 */
export function seesPolicyOf(user: AuthUser, areaCode: string): boolean {
  return user.areaCode === null || areaCode === NATIONAL || isWithin(areaCode, user.areaCode) || lineageOf(user.areaCode).includes(areaCode);
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

  // the fixed paths are declared before `:areaCode`, which would otherwise take them

  /** Issue 12: the national bounds every area's values must lie within. */
  @Get('bounds')
  bounds() {
    return this.policies.currentBounds();
  }

  /** Issue 12: only a global admin changes the national bounds, and must say why. */
  @Roles('admin')
  @Put('bounds')
  @HttpCode(201)
  putBounds(@Body() dto: PutPolicyBoundsDto, @CurrentUser() user: AuthUser) {
    assertAdminOver(user, null);
    return this.policies.putBounds(dto, actorOf(user));
  }

  /** Issue 12: every policy version and bound change, newest first. */
  @Roles('admin', 'supervisor')
  @Get('ledger')
  ledger(@Query() query: PolicyLedgerQuery, @CurrentUser() user: AuthUser) {
    if (query.areaCode && !seesPolicyOf(user, query.areaCode)) throw AppError.notFound('行政区划');
    return this.policies.ledger(query, user.areaCode);
  }

  @Roles('admin', 'supervisor')
  @Get('ledger/verify')
  verifyLedger() {
    return this.policies.verifyLedger();
  }

  @Get(':areaCode')
  async get(@Param('areaCode') areaCode: string, @CurrentUser() user: AuthUser, @Query('at') at?: string) {
    const when = at ? new Date(at) : new Date();
    if (Number.isNaN(when.getTime())) throw AppError.validation({ at: '应为 ISO-8601 时间' });
    if (areaCode !== NATIONAL && !isAreaCode(areaCode)) throw AppError.validation({ areaCode: '应为12位统计用区划代码' });
    if (!seesPolicyOf(user, areaCode)) throw AppError.notFound('行政区划');
    const p = await this.policies.effective(areaCode, when);
    return { areaCode: p.areaCode, version: p.version, effectiveFrom: p.effectiveFrom, values: p.values, sources: p.sources };
  }

  @Roles('admin')
  @Put(':areaCode')
  @HttpCode(201)
  put(@Param('areaCode') areaCode: string, @Body() dto: PutPolicyDto, @CurrentUser() user: AuthUser) {
    // an admin sets the policy of its own area and below; the national level only a global admin
    assertAdminOver(user, areaCode === NATIONAL ? null : areaCode);
    return this.policies.put(areaCode, dto, actorOf(user));
  }
}
