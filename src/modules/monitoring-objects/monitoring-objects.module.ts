import { Controller, Get, Module, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/auth-user';
import { MonitoringObjectQuery, MonitoringObjectsService } from './monitoring-objects.service';

@ApiTags('monitoring-objects')
@ApiBearerAuth()
@Controller('monitoring-objects')
export class MonitoringObjectsController {
  constructor(private readonly objects: MonitoringObjectsService) {}

  @Get()
  list(@Query() q: MonitoringObjectQuery, @CurrentUser() user: AuthUser) {
    return this.objects.list(user, q);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.objects.get(id, user);
  }
}

@Module({
  controllers: [MonitoringObjectsController],
  providers: [MonitoringObjectsService],
  exports: [MonitoringObjectsService],
})
export class MonitoringObjectsModule {}
