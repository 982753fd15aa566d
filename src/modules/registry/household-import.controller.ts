import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { PageQuery } from '../engine/cases.dto';
import { HouseholdImports } from './household-import.service';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports/households')
export class HouseholdImportController {
  constructor(private readonly imports: HouseholdImports) {}

  /**
   * 农户信息批量导入 (issue 13): the national system's household export, accepted at once (202),
   * processed in the background; poll `GET /imports/households/{id}`.
   */
  @Roles('county', 'admin')
  @Post()
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          description: 'CSV (UTF-8 or GB18030) or XLSX, one row per member: 户编号, 户主姓名, 姓名, 证件号码, 与户主关系, 性别, 出生日期, 劳动技能, 务工状况, 残疾类别/等级, 联系电话, 所在村 (code or name), 是否脱贫户, 家庭住址 (Chinese or English headers)',
        },
        fullExport: {
          type: 'boolean',
          default: false,
          description: '全量导出 (issue 19): the file lists every member of each village it contains; registered members of those villages it does not list are recorded as moved away (迁出), with history — only when every row of the file is accepted',
        },
      },
    },
  })
  @UseInterceptors(FileInterceptor('file'))
  upload(@UploadedFile() file: Express.Multer.File | undefined, @CurrentUser() user: AuthUser, @Body() body: Record<string, unknown> | undefined) {
    return this.imports.upload(user, file, body?.fullExport);
  }

  @Get()
  list(@CurrentUser() user: AuthUser, @Query() q: PageQuery) {
    return this.imports.list(user, q);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.imports.get(user, id);
  }

  @Get(':id/report')
  async report(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<StreamableFile> {
    const { fileName, chunks } = await this.imports.report(user, id);
    return new StreamableFile(Readable.from(chunks), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${fileName}"` });
  }
}
