import { Module } from '@nestjs/common';
import { CopiedTextsController } from './copied-texts.controller';
import { CopiedTextsService } from './copied-texts.service';

/** Detectors over the free texts of every procedure (issue 12). */
@Module({
  controllers: [CopiedTextsController],
  providers: [CopiedTextsService],
  exports: [CopiedTextsService],
})
export class InspectionTextsModule {}
