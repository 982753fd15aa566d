/** Queue names and payloads of the background work, in one place (timers have their own queue). */
export const IMPORT_QUEUE = 'alert-imports';
export const WEBHOOK_QUEUE = 'webhook-deliveries';
export const REMINDER_QUEUE = 'reminders';
export const CHECKPOINT_QUEUE = 'audit-checkpoints';
export const HOUSEHOLD_IMPORT_QUEUE = 'household-imports';
export type QueueName = typeof IMPORT_QUEUE | typeof WEBHOOK_QUEUE | typeof REMINDER_QUEUE | typeof CHECKPOINT_QUEUE | typeof HOUSEHOLD_IMPORT_QUEUE;

export interface ImportJob {
  importId: string;
}
export interface DeliveryJob {
  deliveryId: string;
}
export interface ReminderJob {
  kind: 'overdue-reminders';
}
export interface CheckpointJob {
  kind: 'audit-checkpoint';
}
