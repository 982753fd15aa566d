import { Module } from '@nestjs/common';
import { InspectionController } from './inspection.controller';
import { InspectionService } from './inspection.service';
import { RiskEliminationAdapter } from './risk-elimination.adapter';
import { RiskEliminationController } from './risk-elimination.controller';

/** 风险消除 and 风险回退: the elimination machine plugged into the engine, with its batch and detector endpoints. */
@Module({
  controllers: [RiskEliminationController, InspectionController],
  providers: [RiskEliminationAdapter, InspectionService],
  exports: [InspectionService],
})
export class RiskEliminationModule {}
