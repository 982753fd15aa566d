import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdEntity, HouseholdMemberEntity } from '../../database/entities';
import { HouseholdsController } from './households.controller';
import { HouseholdsService } from './households.service';
import { PersonalDataReads, PersonalDataReadsController } from './personal-data-reads';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([HouseholdEntity, HouseholdMemberEntity])],
  controllers: [HouseholdsController, PersonalDataReadsController],
  providers: [HouseholdsService, PersonalDataReads],
  exports: [HouseholdsService, PersonalDataReads],
})
export class HouseholdsModule {}
