import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { CheckpointsService } from './checkpoints.service';
import { LedgerVerifier } from './ledger-verifier';

/** Issue 12: the record ledger's verification and the audit checkpoints (daily and on demand). */
@Global()
@Module({
  controllers: [AuditController],
  providers: [CheckpointsService, LedgerVerifier],
  exports: [CheckpointsService, LedgerVerifier],
})
export class AuditModule {}
