import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { InspectionTextsModule } from '../inspection-texts/inspection-texts.module';
import { ImportsModule } from '../imports/imports.module';
import { ProjectImplementationModule } from '../project-implementation/project-implementation.module';
import { RiskEliminationModule } from '../risk-elimination/risk-elimination.module';
import { WelfarePostsModule } from '../welfare-posts/welfare-posts.module';
import { DetectorsService } from './detectors';
import { RectificationAdapter } from './rectification.adapter';
import { RectificationController } from './rectification.controller';
import { RectificationService } from './rectification.service';

/** 问题整改 (SF-26, issue 14): the rectification machine plugged into the engine, the findings and the ledger. */
@Module({
  imports: [
    RiskEliminationModule,
    ImportsModule,
    WelfarePostsModule,
    InspectionTextsModule,
    ProjectImplementationModule,
    MulterModule.register({ storage: memoryStorage(), limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 } }),
  ],
  controllers: [RectificationController],
  providers: [DetectorsService, RectificationAdapter, RectificationService],
  exports: [RectificationService],
})
export class RectificationModule {}
