import { Body, Controller, Get, Module, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { MEASURE_TYPES } from './measures';
import { incomeRecordSchema, MeasureDto, MonitoringObjectQuery, MonitoringObjectsService } from './monitoring-objects.service';

@ApiTags('monitoring-objects')
@ApiBearerAuth()
@Controller('monitoring-objects')
export class MonitoringObjectsController {
  constructor(private readonly objects: MonitoringObjectsService) {}

  @Get()
  list(@Query() q: MonitoringObjectQuery, @CurrentUser() user: AuthUser) {
    return this.objects.list(user, q);
  }

  @Get('measure-types')
  measureTypes() {
    return MEASURE_TYPES;
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.objects.get(id, user);
  }

  /** 帮扶措施: what was done for the household, and which of its risks it addresses. */
  @Post(':id/measures')
  addMeasure(@Param('id') id: string, @Body() dto: MeasureDto, @CurrentUser() user: AuthUser) {
    return this.objects.addMeasure(id, dto, user);
  }

  @Get(':id/measures')
  measures(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.objects.measures(id, user);
  }

  /** A monitoring visit's income survey; the per-capita income is computed (SF-05). */
  @Post(':id/income-records')
  @ApiBody({ schema: incomeRecordSchema as never })
  addIncomeRecord(@Param('id') id: string, @Body() body: object, @CurrentUser() user: AuthUser) {
    return this.objects.addIncomeRecord(id, body, user);
  }

  @Get(':id/income-records')
  incomeHistory(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.objects.incomeHistory(id, user);
  }
}

@Module({
  controllers: [MonitoringObjectsController],
  providers: [MonitoringObjectsService],
  exports: [MonitoringObjectsService],
})
export class MonitoringObjectsModule {}
