import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { Readable } from 'node:stream';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { formFields } from '../../common/http/form-fields';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { PageQuery } from '../engine/cases.dto';
import { InspectionQuery } from '../risk-elimination/inspection.controller';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@ApiBearerAuth()
@Controller()
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** 部门筛查预警名单: accepted at once (202), processed in the background; poll `GET /imports/{id}`. */
  @Roles('department', 'county')
  @Post('imports/department-alerts')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'source'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'CSV (UTF-8 or GB18030) or XLSX; columns 身份证号, 姓名, 区划代码, optional 预警来源, 预警说明' },
        source: { type: 'string', description: 'dibao 低保 | tekun 特困 | medical_expense 医保大额自付 | disability 残疾 | education 教育 | housing 住房 | water 饮水 | other 其他' },
      },
    },
  })
  @UseInterceptors(FileInterceptor('file'))
  upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: unknown, @CurrentUser() user: AuthUser) {
    return this.imports.upload(user, file, formFields(body, ['source'] as const));
  }

  @Get('imports')
  list(@CurrentUser() user: AuthUser, @Query() q: PageQuery) {
    return this.imports.list(user, q);
  }

  @Get('imports/:id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.imports.get(user, id);
  }

  /** Every row's outcome, as CSV, streamed. */
  @Get('imports/:id/report')
  async report(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<StreamableFile> {
    const { fileName, chunks } = await this.imports.report(user, id);
    return new StreamableFile(Readable.from(chunks), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${fileName}"` });
  }

  /** SF-01: households on the latest 低保/特困 lists with no monitoring object and no open inclusion case. */
  @Get('inspection/unmonitored-assistance')
  unmonitored(@CurrentUser() user: AuthUser, @Query() q: InspectionQuery) {
    return this.imports.unmonitoredAssistance(user, q.areaCode);
  }
}
