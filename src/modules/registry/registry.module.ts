import { Module } from '@nestjs/common';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';
import { RegistryWatch } from './registry-watch';

/** Issue 13: the household registry over time (changes, history, imports, the work changes create). */
@Module({
  controllers: [RegistryController],
  providers: [RegistryService, RegistryWatch],
  exports: [RegistryWatch],
})
export class RegistryModule {}
