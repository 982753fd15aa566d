import { Body, Controller, Get, Header, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { EngineService } from './engine.service';
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
  create(@Param('procedure') procedure: string, @Body() body: Record<string, unknown>, @CurrentUser() user: AuthUser) {
    return this.engine.create(procedure, body, user);
  }
}
