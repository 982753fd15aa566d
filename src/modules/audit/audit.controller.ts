import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { narrowArea } from '../../common/auth/scope';
import { UnitOfWork } from '../../database/unit-of-work';
import { RecordLedgerHeadEntity } from './audit.entities';
import { CheckpointListQuery, CheckpointVerifyQuery, LedgerVerifyQuery } from './audit.dto';
import { CheckpointsService, checkpointView } from './checkpoints.service';
import { LedgerVerifier } from './ledger-verifier';

/**
 * Issue 12: the record ledger's verification and the audit checkpoints. Supervisors, county
 * users and admins. A checkpoint covers every chain of the service, so every one of them sees
 * every checkpoint (its root and counts hold no records); the chains a verification names are
 * only those in the caller's area (others are counted), and the ledger verification covers
 * the chains of the caller's area.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly checkpoints: CheckpointsService,
    private readonly ledger: LedgerVerifier,
  ) {}

  @Roles('supervisor', 'county', 'admin')
  @Get('checkpoints')
  list(@Query() q: CheckpointListQuery) {
    return this.checkpoints.list(q.page, q.pageSize);
  }

  /** On demand, besides the daily one. */
  @Roles('admin')
  @Post('checkpoints')
  @HttpCode(201)
  async take(@CurrentUser() user: AuthUser) {
    const cp = await this.checkpoints.take('manual', user);
    // issue 19: the rows no ledger entry records, counted per kind when the checkpoint was taken
    return { ...checkpointView(cp), unrecorded: cp.unrecorded };
  }

  @Roles('supervisor', 'county', 'admin')
  @Get('checkpoints/:id')
  async get(@Param('id') id: string) {
    return checkpointView(await this.checkpoints.get(id));
  }

  @Roles('supervisor', 'county', 'admin')
  @Get('checkpoints/:id/verify')
  verify(@Param('id') id: string, @Query() q: CheckpointVerifyQuery, @CurrentUser() user: AuthUser) {
    return this.checkpoints.verify(id, user, q.root);
  }

  /**
   * Every ledger chain of the caller's area (or of `areaCode`, `kind`, `subjectId`), and every
   * row of a chained table in that scope with no entry (`unrecorded`, issue 19).
   */
  @Roles('supervisor', 'county', 'admin')
  @Get('ledger/verify')
  async verifyLedger(@Query() q: LedgerVerifyQuery, @CurrentUser() user: AuthUser) {
    const qb = this.uow.manager.createQueryBuilder(RecordLedgerHeadEntity, 'h');
    const like = narrowArea(user, q.areaCode);
    if (like) qb.andWhere('h.areaCode LIKE :like', { like });
    if (q.kind) qb.andWhere('h.kind = :kind', { kind: q.kind });
    if (q.subjectId) qb.andWhere('h.subjectId = :subjectId', { subjectId: q.subjectId });
    // issue 19: and the rows of the chained tables in that scope that no entry records
    return this.ledger.verify(this.uow.manager, await qb.orderBy('h.chain', 'ASC').getMany(), { like, kind: q.kind, subjectId: q.subjectId });
  }
}
