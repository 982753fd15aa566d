import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { CreateWebhookDto, NotificationListQuery } from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(private readonly service: NotificationsService) {}

  /** The caller's notifications, unread first, newest first; `unread` counts all unread. */
  @Get('notifications')
  list(@CurrentUser() user: AuthUser, @Query() q: NotificationListQuery) {
    return this.service.list(user, q);
  }

  @Post('notifications/read-all')
  @HttpCode(200)
  readAll(@CurrentUser() user: AuthUser) {
    return this.service.markAllRead(user);
  }

  @Post('notifications/:id/read')
  @HttpCode(200)
  read(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.markRead(user, id);
  }

  @Roles('admin')
  @Post('webhooks')
  createWebhook(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookDto) {
    return this.service.createWebhook(user, dto);
  }

  @Roles('admin')
  @Get('webhooks')
  listWebhooks(@CurrentUser() user: AuthUser) {
    return this.service.listWebhooks(user);
  }

  @Roles('admin')
  @Delete('webhooks/:id')
  removeWebhook(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.removeWebhook(user, id);
  }

  @Roles('admin')
  @Get('webhooks/:id/deliveries')
  deliveries(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.service.deliveries(user, id);
  }
}
