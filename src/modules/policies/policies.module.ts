import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PolicyVersionEntity } from '../../database/entities';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PolicyVersionEntity])],
  controllers: [PoliciesController],
  providers: [PoliciesService],
  exports: [PoliciesService],
})
export class PoliciesModule {}
