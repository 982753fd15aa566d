import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { lineageOf } from '../../common/domain/area';
import type { UserRole } from '../../common/domain/enums';
import { ChangeFeed, InvalidatedCache } from '../../database/change-feed';
import { UserEntity } from '../../database/entities';
import { JobQueue } from '../jobs/job-queue';
import { WEBHOOK_QUEUE, type DeliveryJob } from '../jobs/queue-names';
import { NotificationEntity, WebhookDeliveryEntity, WebhookEntity } from './notifications.entities';

/** What a notification is about; also the webhook event name. */
export type NotificationKind = 'task' | 'deadline_near' | 'deadline_overdue' | 'overdue_digest' | 'import_done' | 'audit_checkpoint';
export const NOTIFICATION_KINDS: NotificationKind[] = ['task', 'deadline_near', 'deadline_overdue', 'overdue_digest', 'import_done', 'audit_checkpoint'];

export interface Notice {
  kind: NotificationKind;
  title: string;
  message: string;
  areaCode: string;
  caseId?: string | null;
  procedure?: string | null;
  data?: Record<string, unknown>;
  /** for every webhook that asks for the event, whatever its area (an audit checkpoint covers them all) */
  everyArea?: boolean;
}

/** Who gets it: users of these roles whose area is the notice's area or above it, or named users. */
export type Audience = { roles: UserRole[]; exceptUserId?: string } | { userIds: string[] };

/** Delivery ids to hand to the queue once the transaction has committed. */
export type Outgoing = string[];

/** The rows of a notice, not yet written, and the deliveries to send after commit. */
export interface PreparedNotice {
  notifications: NotificationEntity[];
  deliveries: WebhookDeliveryEntity[];
  outgoing: Outgoing;
}

export const NO_NOTICE: PreparedNotice = { notifications: [], deliveries: [], outgoing: [] };

/**
 * Writes notifications and webhook deliveries inside the caller's transaction (the outbox):
 * they exist exactly when what caused them was committed. Sending happens after commit, and
 * again from the database if the queue was down.
 */
@Injectable()
export class OutboxService {
  /** who holds which roles at an area and above it; emptied whenever users change (ChangeFeed) */
  private readonly audiences: InvalidatedCache<string[]>;
  /** the active webhooks; emptied whenever webhooks change */
  private readonly hooks: InvalidatedCache<WebhookEntity[]>;

  constructor(
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    feed: ChangeFeed,
  ) {
    this.audiences = new InvalidatedCache(feed, 'users');
    this.hooks = new InvalidatedCache(feed, 'webhooks', 1);
  }

  async recipients(em: EntityManager, areaCode: string, audience: Audience): Promise<string[]> {
    if ('userIds' in audience) return audience.userIds;
    if (!audience.roles.length) return [];
    const roles = [...audience.roles].sort();
    const ids = await this.audiences.get(`${roles.join(',')}@${areaCode}`, async () => {
      const users = await em.find(UserEntity, {
        where: { role: In(roles), areaCode: In(lineageOf(areaCode)), disabled: false },
        select: { id: true },
        order: { id: 'ASC' },
      });
      return users.map((u) => u.id);
    });
    return ids.filter((id) => id !== audience.exceptUserId);
  }

  /** One notice to its audience, plus one delivery per matching webhook, written now. */
  async publish(em: EntityManager, notice: Notice, audience: Audience, now = new Date()): Promise<Outgoing> {
    return this.write(em, await this.prepare(em, notice, audience, now));
  }

  /** Writes prepared rows in the caller's transaction; the deliveries to send after commit. */
  async write(em: EntityManager, prepared: PreparedNotice): Promise<Outgoing> {
    for (let i = 0; i < prepared.notifications.length; i += 500) await em.insert(NotificationEntity, prepared.notifications.slice(i, i + 500));
    if (prepared.deliveries.length) await em.insert(WebhookDeliveryEntity, prepared.deliveries);
    return prepared.outgoing;
  }

  /**
   * The rows `publish` writes, for a caller that writes them together with its own (the
   * engine's last statement of a step): they must be written in the caller's transaction.
   */
  async prepare(em: EntityManager, notice: Notice, audience: Audience, now = new Date()): Promise<PreparedNotice> {
    const userIds = await this.recipients(em, notice.areaCode, audience);
    const notifications = userIds.map((userId) =>
      Object.assign(new NotificationEntity(), {
        id: randomUUID(),
        userId,
        kind: notice.kind,
        title: notice.title.slice(0, 200),
        message: notice.message,
        areaCode: notice.areaCode,
        caseId: notice.caseId ?? null,
        procedure: notice.procedure ?? null,
        data: notice.data ?? {},
        createdAt: now,
        readAt: null,
      }),
    );
    const deliveries = await this.deliveries(em, notice, 'roles' in audience ? audience.roles : [], now);
    return { notifications, deliveries, outgoing: deliveries.map((d) => d.id) };
  }

  private async deliveries(em: EntityManager, notice: Notice, roles: UserRole[], now: Date): Promise<WebhookDeliveryEntity[]> {
    const lineage = lineageOf(notice.areaCode);
    const hooks = (await this.hooks.get('active', () => em.find(WebhookEntity, { where: { active: true }, order: { createdAt: 'ASC' } }))).filter(
      (h) => notice.everyArea || h.areaCode === null || lineage.includes(h.areaCode),
    );
    const wanted = hooks.filter((h) => !h.events.length || h.events.includes(notice.kind));
    return wanted.map((h) => {
      const id = randomUUID();
      const body = JSON.stringify({
        deliveryId: id,
        event: notice.kind,
        occurredAt: now.toISOString(),
        areaCode: notice.areaCode,
        caseId: notice.caseId ?? null,
        procedure: notice.procedure ?? null,
        roles,
        title: notice.title,
        message: notice.message,
        data: notice.data ?? {},
      });
      return Object.assign(new WebhookDeliveryEntity(), {
        id,
        webhookId: h.id,
        event: notice.kind,
        body,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        lastStatusCode: null,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
      });
    });
  }

  /** After commit: hand the deliveries to the queue (if it is down, the reconciler will). */
  send(outgoing: Outgoing): void {
    for (const deliveryId of outgoing) {
      void this.queue.ensure<DeliveryJob>(WEBHOOK_QUEUE, { deliveryId }, {
        jobId: deliveryId,
        attempts: this.config.webhooks.maxAttempts,
        backoffMs: this.config.webhooks.backoffMs,
      });
    }
  }
}
