import { Global, Module } from '@nestjs/common';
import { Announcer } from './announcer';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { OutboxService } from './outbox.service';
import { OverdueReminderService } from './overdue-reminder.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/** Notifications (outbox), webhooks and their delivery, the daily overdue reminder. */
@Global()
@Module({
  controllers: [NotificationsController],
  providers: [Announcer, OutboxService, NotificationsService, WebhookDispatcher, OverdueReminderService],
  exports: [Announcer, OutboxService, WebhookDispatcher, OverdueReminderService],
})
export class NotificationsModule {}
