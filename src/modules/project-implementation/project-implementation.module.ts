import { Module } from '@nestjs/common';
import { ProjectImplementationAdapter } from './implementation.adapter';
import { ProjectImplementationsController, ProjectInspectionController, ProjectPlansController } from './implementation.controller';
import { ProjectImplementationService } from './implementation.service';
import { ProjectPaymentAdapter } from './payment.adapter';

/** 项目实施与资金拨付: the annual plan, the implementation and payment procedures, the ledgers and detectors (issue 15). */
@Module({
  controllers: [ProjectPlansController, ProjectImplementationsController, ProjectInspectionController],
  providers: [ProjectImplementationAdapter, ProjectPaymentAdapter, ProjectImplementationService],
  // the stalled/overdue detectors, for findings from a detector (rectification)
  exports: [ProjectImplementationService],
})
export class ProjectImplementationModule {}
