import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { InspectionService } from './inspection.service';

export class InspectionQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;
}

/** Detectors for supervisors (SF-08, SF-11): patterns to look at, never quotas (the logic: InspectionService). */
@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class InspectionController {
  constructor(private readonly inspection: InspectionService) {}

  /** SF-08: villages and townships whose share of monitoring objects eliminated in the window is above the threshold. */
  @Get('concentration')
  concentration(@Query() q: InspectionQuery, @CurrentUser() user: AuthUser) {
    return this.inspection.concentration(user, q);
  }

  /** SF-11: in monitoring, meeting every elimination criterion on record, with no elimination case. */
  @Get('overdue-elimination')
  overdueElimination(@Query() q: InspectionQuery, @CurrentUser() user: AuthUser) {
    return this.inspection.overdueElimination(user, q);
  }

  /** SF-11: in monitoring longer than the configured time with no measure in the last months. */
  @Get('stale-monitoring')
  staleMonitoring(@Query() q: InspectionQuery, @CurrentUser() user: AuthUser) {
    return this.inspection.staleMonitoring(user, q);
  }
}
