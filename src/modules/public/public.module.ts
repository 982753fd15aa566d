import { Controller, Get, Module, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/decorators';
import { areaPrefix, isAreaCode } from '../../common/domain/area';
import { AppError } from '../../common/errors/app-error';
import { CaseEntity } from '../../database/entities';
import { UnitOfWork } from '../../database/unit-of-work';
import { AreasService } from '../admin/areas.service';
import { ProcedureRegistry } from '../engine/procedure-adapter';

/** 公示公告 without login (SF-22), personal data masked. */
@ApiTags('public')
@Controller('public')
export class PublicController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: ProcedureRegistry,
    private readonly areas: AreasService,
  ) {}

  @Public()
  @Get('notices')
  async notices(@Query('areaCode') areaCode?: string) {
    if (areaCode !== undefined && !isAreaCode(areaCode)) throw AppError.validation({ areaCode: '应为12位统计用区划代码' });
    const now = new Date();
    const qb = this.uow.manager
      .createQueryBuilder(CaseEntity, 'c')
      .where('c.closedAt IS NULL AND c.noticeStartsAt <= :now AND c.noticeEndsAt > :now', { now })
      .orderBy('c.noticeEndsAt', 'ASC')
      .take(500);
    if (areaCode) qb.andWhere('c.areaCode LIKE :like', { like: `${areaPrefix(areaCode)}%` });
    const rows = await qb.getMany();
    const names = await this.areas.names([...new Set(rows.map((r) => r.areaCode))]);
    return Promise.all(
      rows.map(async (c) => {
        const def = this.registry.definition(c.procedure, c.machineVersion);
        const adapter = this.registry.adapter(c.procedure);
        const notice = c.snapshot.context.notice as { text?: string } | null;
        return {
          caseId: c.id,
          procedure: c.procedure,
          title: `${names.get(c.areaCode) ?? ''}${def.title}公示`,
          areaCode: c.areaCode,
          areaName: names.get(c.areaCode) ?? null,
          startsAt: c.noticeStartsAt!.toISOString(),
          endsAt: c.noticeEndsAt!.toISOString(),
          summary: adapter.noticeSummary
            ? await adapter.noticeSummary({ caseRow: c, context: c.snapshot.context, em: this.uow.manager })
            : (notice?.text ?? ''),
        };
      }),
    );
  }
}

@Module({ controllers: [PublicController] })
export class PublicModule {}
