import { Body, Controller, Get, Param, Post, Query, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { FiguresQuery, FindingsQuery, ItemsQuery, LedgerQuery } from './rectification.dto';
import { RectificationService } from './rectification.service';

const READERS = ['village', 'township', 'county', 'department', 'supervisor'] as const;

/**
 * 整改台账 (issue 14): findings in — by hand, from a spreadsheet, from a detector — and the
 * ledger out. The items themselves are cases of the `rectification` procedure: opened by
 * `POST /procedures/rectification/cases` (交办), moved by `POST /cases/{id}/events`.
 */
@ApiTags('rectification')
@ApiBearerAuth()
@Controller('rectification')
export class RectificationController {
  constructor(private readonly service: RectificationService) {}

  @Roles('supervisor', 'county')
  @Post('findings')
  record(@Body() body: unknown, @CurrentUser() user: AuthUser) {
    return this.service.record(user, body);
  }

  @Roles('supervisor', 'county')
  @Post('findings/import')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'CSV 或 XLSX；列：问题来源、问题类别、问题描述、涉及区划、严重程度' } } } })
  @UseInterceptors(FileInterceptor('file'))
  import(@UploadedFile() file: Express.Multer.File | undefined, @CurrentUser() user: AuthUser) {
    return this.service.import(user, file);
  }

  @Roles('supervisor', 'county')
  @Post('findings/from-inspection')
  fromInspection(@Body() body: unknown, @CurrentUser() user: AuthUser) {
    return this.service.fromInspection(user, body);
  }

  @Roles(...READERS)
  @Get('findings')
  findings(@Query() q: FindingsQuery, @CurrentUser() user: AuthUser) {
    return this.service.findings(user, q);
  }

  @Roles(...READERS)
  @Get('findings/:id')
  finding(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.service.finding(user, id);
  }

  @Roles(...READERS)
  @Get('items')
  items(@Query() q: ItemsQuery, @CurrentUser() user: AuthUser) {
    return this.service.items(user, q);
  }

  /** 整改台账: JSON, or `format=csv` / `format=xlsx` with the columns 序号、问题、整改措施、责任单位、责任人、完成时限、整改进展、是否销号 */
  @Roles(...READERS)
  @Get('ledger')
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async ledger(@Query() q: LedgerQuery, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response) {
    const ledger = await this.service.ledger(user, q);
    const name = `rectification-ledger-${ledger.areaCode ?? 'all'}${ledger.level ? `-${ledger.level}` : ''}`;
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
      return this.service.ledgerCsv(ledger);
    }
    if (q.format === 'xlsx') {
      return new StreamableFile(await this.service.ledgerXlsx(ledger), {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        disposition: `attachment; filename="${name}.xlsx"`,
      });
    }
    return ledger;
  }

  @Roles(...READERS)
  @Get('figures')
  figures(@Query() q: FiguresQuery, @CurrentUser() user: AuthUser) {
    return this.service.figures(user, q);
  }
}
