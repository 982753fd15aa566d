import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppError } from '../../common/errors/app-error';
import { AttendanceDto, IdleQuery, LedgerQuery, PostListQuery } from './welfare-posts.dto';
import { WelfarePostsService } from './welfare-posts.service';

@ApiTags('welfare-posts')
@ApiBearerAuth()
@Controller('welfare-posts')
export class WelfarePostsController {
  constructor(private readonly posts: WelfarePostsService) {}

  /** Open posts with free places (`all=true`: every post) */
  @Get()
  list(@Query() q: PostListQuery, @CurrentUser() user: AuthUser) {
    return this.posts.list(user, q);
  }

  /** 实名信息台账 (SF-17): JSON, or CSV with `Accept: text/csv` or `format=csv` */
  @Get('ledger')
  @ApiProduces('application/json', 'text/csv')
  async ledger(@Query() q: LedgerQuery, @CurrentUser() user: AuthUser, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const ledger = await this.posts.ledger(user, q);
    const csv = q.format === 'csv' || (q.format !== 'json' && /\btext\/csv\b/.test(accept ?? ''));
    if (!csv) return ledger;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="welfare-posts-ledger-${ledger.areaCode ?? 'all'}-${ledger.month}.csv"`);
    return this.posts.ledgerCsv(ledger);
  }

  /** Monthly attendance (在岗领补, SF-16): the RECORD_ATTENDANCE event of the holder's hiring case */
  @Post('attendance')
  @HttpCode(200)
  @Roles('township')
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  attendance(@Body() dto: AttendanceDto, @Headers('idempotency-key') key: string | undefined, @CurrentUser() user: AuthUser) {
    if (!key || !/^[A-Za-z0-9_.:-]{8,100}$/.test(key)) {
      throw AppError.validation({ 'Idempotency-Key': '缺少或格式不正确（8-100位字母数字，建议使用 UUID）' });
    }
    return this.posts.recordAttendance(dto, user, key);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.posts.get(id, user);
  }
}

@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class WelfarePostsInspectionController {
  constructor(private readonly posts: WelfarePostsService) {}

  /** Holders with no attendance for posts.idleMonths consecutive months (占岗不做事, SF-16) */
  @Get('idle-posts')
  @Roles('township', 'county', 'department', 'supervisor', 'admin')
  idle(@Query() q: IdleQuery, @CurrentUser() user: AuthUser) {
    return this.posts.idle(user, q);
  }
}
