import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AreaEntity } from '../../database/entities';
import { AdminController } from './admin.controller';
import { AreasService } from './areas.service';
import { PiiRotation } from './pii-rotation.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AreaEntity])],
  controllers: [AdminController],
  providers: [AreasService, PiiRotation],
  exports: [AreasService],
})
export class AdminModule {}
