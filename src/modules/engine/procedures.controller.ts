import { Body, Controller, Get, Header, Headers, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { EngineService } from './engine.service';
import { AppError } from '../../common/errors/app-error';
import { describeProcedure, mermaidOf } from './introspection';
import { ProcedureRegistry } from './procedure-adapter';

@ApiTags('procedures')
@ApiBearerAuth()
@Controller('procedures')
export class ProceduresController {
  constructor(
    private readonly registry: ProcedureRegistry,
    private readonly engine: EngineService,
  ) {}

  @Get()
  list() {
    return this.registry.list().map((a) => {
      const d = a.definitions[a.definitions.length - 1];
      return { procedure: d.id, version: d.version, title: d.title, titleEn: d.titleEn };
    });
  }

  @Get(':procedure')
  get(@Param('procedure') procedure: string) {
    return describeProcedure(this.registry.current(procedure));
  }

  @Get(':procedure/diagram')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  diagram(@Param('procedure') procedure: string) {
    return mermaidOf(this.registry.current(procedure));
  }

  /** The body is the procedure's own creation payload (api-contract.md, "Procedure payloads"). */
  @Post(':procedure/cases')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '可选：每个新建操作一个 UUID；重试时原样重发，只建一件（离线补发）' })
  create(
    @Param('procedure') procedure: string,
    @Body() body: Record<string, unknown>,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    if (key !== undefined && !/^[A-Za-z0-9_.:-]{8,100}$/.test(key)) {
      throw AppError.validation({ 'Idempotency-Key': '格式不正确（8-100位字母数字，建议使用 UUID）' });
    }
    return this.engine.create(procedure, body, user, key);
  }
}
