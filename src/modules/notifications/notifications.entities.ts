import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { json, timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';

/**
 * A message for one user (站内通知). Written in the same transaction as what caused it (the
 * transition, the deadline timer, the daily reminder): an outbox, so nothing is lost when Redis
 * is down.
 */
@Entity('notifications')
@Index(['userId', 'readAt', 'createdAt'])
export class NotificationEntity extends WithId {
  @Column({ type: 'varchar', length: 36 }) userId: string;
  /** task | deadline_near | deadline_overdue | overdue_digest | import_done */
  @Column({ type: 'varchar', length: 30 }) kind: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'varchar', length: 12 }) areaCode: string;
  @Index() @Column({ type: 'varchar', length: 36, nullable: true }) caseId: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) procedure: string | null;
  @Column(json()) data: Record<string, any>;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) readAt: Date | null;
}

/** An outbound webhook an admin registered for an area (null: every area). */
@Entity('webhooks')
export class WebhookEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'varchar', length: 500 }) url: string;
  /** the HMAC-SHA256 key; never returned by the API */
  @Column({ type: 'varchar', length: 200 }) secret: string;
  /** event kinds to send; empty: all */
  @Column(json()) events: string[];
  @Column({ type: 'boolean', default: true }) active: boolean;
  @Column({ type: 'varchar', length: 36 }) createdById: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/**
 * One event for one webhook. The body is stored as the exact bytes sent, so every retry sends
 * (and signs) the same body; the id is the delivery id receivers deduplicate on.
 */
@Entity('webhook_deliveries')
@Index(['status', 'nextAttemptAt'])
export class WebhookDeliveryEntity extends WithId {
  @Index() @Column({ type: 'varchar', length: 36 }) webhookId: string;
  @Column({ type: 'varchar', length: 40 }) event: string;
  @Column({ type: 'text' }) body: string;
  /** pending → delivered | failed */
  @Column({ type: 'varchar', length: 12 }) status: string;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column(timestamp()) nextAttemptAt: Date;
  /** an attempt in flight holds the delivery until then, so two workers never send it at once */
  @Column(timestamp({ nullable: true })) lockedUntil: Date | null;
  @Column({ type: 'integer', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) deliveredAt: Date | null;
}

/** A periodic job's run for one period (e.g. the overdue reminder of one day): at most once. */
@Entity('job_runs')
export class JobRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 }) name: string;
  @PrimaryColumn({ type: 'varchar', length: 20 }) period: string;
  @Column(timestamp()) ranAt: Date;
  @Column(json()) result: Record<string, unknown>;
}

export const NOTIFICATION_ENTITIES = [NotificationEntity, WebhookEntity, WebhookDeliveryEntity, JobRunEntity];
