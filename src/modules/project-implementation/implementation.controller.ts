import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { LedgerQuery, PlanChangeDto, PlanEntryDto, PlanQuery, PlanWithdrawDto, ProjectInspectionQuery } from './implementation.dto';
import { ProjectImplementationService } from './implementation.service';

type Format = 'json' | 'csv' | 'xlsx';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function formatOf(q: LedgerQuery, accept: string | undefined): Format {
  if (q.format) return q.format;
  if (/\btext\/csv\b/.test(accept ?? '')) return 'csv';
  if ((accept ?? '').includes(XLSX)) return 'xlsx';
  return 'json';
}

/** 年度实施计划: the county selects library projects with their planned funds. */
@ApiTags('project-implementation')
@ApiBearerAuth()
@Controller('project-plans')
export class ProjectPlansController {
  constructor(private readonly service: ProjectImplementationService) {}

  @Get()
  plan(@Query() q: PlanQuery, @CurrentUser() user: AuthUser) {
    return this.service.plan(user, q);
  }

  /** a project in the library enters the year's plan, with its funds by source (county) */
  @Post('entries')
  @Roles('county')
  add(@Body() dto: PlanEntryDto, @CurrentUser() user: AuthUser) {
    return this.service.addToPlan(user, dto);
  }

  /** the funds of an entry change, with a reason, before its implementation opens (county; issue 19) */
  @Put('entries/:id')
  @Roles('county')
  change(@Param('id') id: string, @Body() dto: PlanChangeDto, @CurrentUser() user: AuthUser) {
    return this.service.changePlanEntry(user, id, dto);
  }

  /** the project leaves the plan, with a reason, before its implementation opens (county; issue 19) */
  @Post('entries/:id/withdraw')
  @HttpCode(200)
  @Roles('county')
  withdraw(@Param('id') id: string, @Body() dto: PlanWithdrawDto, @CurrentUser() user: AuthUser) {
    return this.service.withdrawPlanEntry(user, id, dto);
  }
}

/** 项目实施台账 and 资产台账 (JSON, CSV or XLSX), and one project's implementation. */
@ApiTags('project-implementation')
@ApiBearerAuth()
@Controller('project-implementations')
export class ProjectImplementationsController {
  constructor(private readonly service: ProjectImplementationService) {}

  private async send(res: Response, format: Format, name: string, csv: () => string, xlsx: () => Promise<Buffer>, json: unknown) {
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
      return csv();
    }
    if (format === 'xlsx') {
      res.setHeader('Content-Type', XLSX);
      res.setHeader('Content-Disposition', `attachment; filename="${name}.xlsx"`);
      res.end(await xlsx());
      return undefined;
    }
    return json;
  }

  /** planned, contracted, paid, progress and status per project, with totals per county and township */
  @Get('ledger')
  @ApiProduces('application/json', 'text/csv', XLSX)
  async ledger(@Query() q: LedgerQuery, @CurrentUser() user: AuthUser, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const l = await this.service.ledger(user, q);
    return this.send(res, formatOf(q, accept), `project-ledger-${l.areaCode ?? 'all'}-${l.year ?? 'all'}`, () => this.service.ledgerCsv(l), () => this.service.ledgerXlsx(l), l);
  }

  /** 资产台账: the assets of completed projects and whom they were handed to */
  @Get('assets')
  @ApiProduces('application/json', 'text/csv', XLSX)
  async assets(@Query() q: LedgerQuery, @CurrentUser() user: AuthUser, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const l = await this.service.assets(user, q);
    return this.send(res, formatOf(q, accept), `asset-ledger-${l.areaCode ?? 'all'}`, () => this.service.assetsCsv(l), () => this.service.assetsXlsx(l), l);
  }

  @Get(':projectId')
  project(@Param('projectId') projectId: string, @CurrentUser() user: AuthUser) {
    return this.service.project(user, projectId);
  }
}

/** Detectors (SF-23 context): stalled and overdue projects, scoped to the caller's area. */
@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class ProjectInspectionController {
  constructor(private readonly service: ProjectImplementationService) {}

  /** projects in implementation with no progress report for projects.stalledAfter */
  @Get('stalled-projects')
  stalled(@Query() q: ProjectInspectionQuery, @CurrentUser() user: AuthUser) {
    return this.service.stalled(user, q.areaCode);
  }

  /** projects not yet accepted past their planned end */
  @Get('overdue-projects')
  overdue(@Query() q: ProjectInspectionQuery, @CurrentUser() user: AuthUser) {
    return this.service.overdue(user, q.areaCode);
  }
}
