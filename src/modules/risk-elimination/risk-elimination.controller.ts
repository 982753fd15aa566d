import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { levelOf } from '../../common/domain/area';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { MonitoringObjectEntity } from '../../database/entities';
import { RISK_ELIMINATION } from '../../machines/risk-elimination.machine';
import { EngineService } from '../engine/engine.service';
import { PoliciesService } from '../policies/policies.service';
import { CreateEliminationBatchDto } from './risk-elimination.dto';
import { RiskEliminationAdapter } from './risk-elimination.adapter';

@ApiTags('risk-elimination')
@ApiBearerAuth()
@Controller('procedures/risk-elimination')
export class RiskEliminationController {
  constructor(
    private readonly engine: EngineService,
    private readonly adapter: RiskEliminationAdapter,
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
  ) {}

  /**
   * 村提出名单: one case per household, sharing a batch id. Every household is checked first and
   * every ineligible one is named; then all cases are opened together, or none.
   */
  @Post('batches')
  async createBatch(@Body() dto: CreateEliminationBatchDto, @CurrentUser() user: AuthUser) {
    if (user.role !== 'village') {
      throw new AppError(ErrorCode.ROLE_REQUIRED, '风险消除名单由村级提出', { requiredRoles: ['village'] });
    }
    if (levelOf(dto.areaCode) !== 'village') throw AppError.validation({ areaCode: '名单由村提出：应为12位村级代码' });
    assertInArea(user, dto.areaCode, '行政区划');
    const em = this.uow.manager;
    const rows = await em.findBy(MonitoringObjectEntity, { id: In(dto.monitoringObjectIds) });
    const policy = await this.policies.effective(dto.areaCode);
    const problems = [];
    for (const id of dto.monitoringObjectIds) {
      const mo = rows.find((r) => r.id === id && r.areaCode === dto.areaCode) ?? null;
      const p = await this.adapter.ineligibility(em, mo, id, policy.values);
      if (p) problems.push(p);
    }
    if (problems.length) {
      throw new AppError(ErrorCode.RULE_VIOLATED, `名单中有${problems.length}户不符合提出风险消除的条件`, {
        rule: problems[0].rule,
        households: problems,
      });
    }
    const batchId = randomUUID();
    const cases = await this.engine.createMany(
      RISK_ELIMINATION,
      dto.monitoringObjectIds.map((monitoringObjectId) => ({ monitoringObjectId, eliminationType: dto.eliminationType })),
      user,
      { batchId },
    );
    return { batchId, areaCode: dto.areaCode, eliminationType: dto.eliminationType, cases };
  }
}
