import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError } from '../../common/errors/app-error';
import { BatchEventDto, CaseEventDto, CaseListQuery, TaskListQuery } from './cases.dto';
import { CasesService } from './cases.service';
import { CaseViewService } from './case-view.service';
import { EngineService } from './engine.service';

function idempotencyKeyOf(key: string | undefined): string {
  if (!key || !/^[A-Za-z0-9_.:-]{8,100}$/.test(key)) {
    throw AppError.validation({ 'Idempotency-Key': '缺少或格式不正确（8-100位字母数字，建议使用 UUID）' });
  }
  return key;
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller()
export class CasesController {
  constructor(
    private readonly engine: EngineService,
    private readonly cases: CasesService,
    private readonly views: CaseViewService,
  ) {}

  @Get('cases')
  list(@CurrentUser() user: AuthUser, @Query() q: CaseListQuery) {
    return this.cases.list(user, q);
  }

  @Get('cases/:id')
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.views.read(id, user);
  }

  @Post('cases/:id/events')
  @HttpCode(200)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '每个操作一个新的 UUID；重试时原样重发' })
  event(
    @Param('id') id: string,
    @Body() dto: CaseEventDto,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.engine.apply(
      { caseId: id, type: dto.type, version: dto.version, evidenceIds: dto.evidenceIds ?? [], data: dto.data ?? {}, reason: dto.reason },
      user,
      idempotencyKeyOf(key),
    );
  }

  /** The cases of a batch (a village's elimination list) in the caller's area. */
  @Get('batches/:batchId')
  batch(@Param('batchId') batchId: string, @CurrentUser() user: AuthUser) {
    return this.cases.batch(batchId, user);
  }

  /**
   * One event for every case of a batch that can take it; per case, the result or the error it
   * got (no all-or-nothing). Each case gets its own audit entry.
   */
  @Post('batches/:batchId/events')
  @HttpCode(200)
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  batchEvent(
    @Param('batchId') batchId: string,
    @Body() dto: BatchEventDto,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.engine.applyBatch(
      { batchId, type: dto.type, evidenceIds: dto.evidenceIds ?? [], data: dto.data ?? {}, reason: dto.reason },
      user,
      idempotencyKeyOf(key),
    );
  }

  @Get('cases/:id/history')
  history(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.cases.history(id, user);
  }

  @Get('cases/:id/verify')
  verify(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.cases.verify(id, user);
  }

  @Get('tasks')
  tasks(@CurrentUser() user: AuthUser, @Query() q: TaskListQuery) {
    return this.cases.tasks(user, q);
  }

  @Get('tasks/done')
  done(@CurrentUser() user: AuthUser, @Query() q: TaskListQuery) {
    return this.cases.done(user, q);
  }
}
