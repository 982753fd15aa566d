import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdEntity, HouseholdMemberEntity } from '../../database/entities';
import { HouseholdsController } from './households.controller';
import { HouseholdsService } from './households.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([HouseholdEntity, HouseholdMemberEntity])],
  controllers: [HouseholdsController],
  providers: [HouseholdsService],
  exports: [HouseholdsService],
})
export class HouseholdsModule {}
