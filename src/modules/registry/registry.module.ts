import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { HouseholdImportController } from './household-import.controller';
import { HouseholdImports } from './household-import.service';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';
import { RegistryWatch } from './registry-watch';

/**
 * Issue 13: the household registry over time — bulk loads of the national export, changes with
 * their hash-chained history, and the work changes create. Registered before the alert imports
 * module so that `GET /imports/households` is not taken for `GET /imports/{id}`.
 */
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ storage: memoryStorage(), limits: { fileSize: config.imports.maxBytes, files: 1, fields: 5 } }),
    }),
  ],
  controllers: [HouseholdImportController, RegistryController],
  providers: [RegistryService, RegistryWatch, HouseholdImports],
  exports: [RegistryWatch, HouseholdImports],
})
export class RegistryModule {}
