import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { ImportRunner } from './import-runner.service';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/** 部门筛查预警: bulk import of department alert lists (SF-01, SF-06). */
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: memoryStorage(),
        limits: { fileSize: config.imports.maxBytes, files: 1, fields: 5 },
      }),
    }),
  ],
  controllers: [ImportsController],
  providers: [ImportsService, ImportRunner],
  exports: [ImportRunner, ImportsService],
})
export class ImportsModule {}
