import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { assertInArea } from '../../common/auth/scope';
import { isAreaCode, isWithin } from '../../common/domain/area';
import { AppError } from '../../common/errors/app-error';
import { UnitOfWork } from '../../database/database.module';
import { ChangeFeed } from '../../database/change-feed';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { checkWebhookUrl } from './webhook-target';
import type { CreateWebhookDto, NotificationListQuery } from './notifications.dto';
import { NotificationEntity, WebhookDeliveryEntity, WebhookEntity } from './notifications.entities';
import { isRowId } from '../../common/domain/row-id';

const view = (n: NotificationEntity) => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  message: n.message,
  areaCode: n.areaCode,
  caseId: n.caseId,
  procedure: n.procedure,
  data: n.data,
  createdAt: n.createdAt.toISOString(),
  read: n.readAt !== null,
  readAt: n.readAt?.toISOString() ?? null,
});

const hookView = (h: WebhookEntity) => ({
  id: h.id,
  url: h.url,
  areaCode: h.areaCode,
  events: h.events,
  active: h.active,
  createdAt: h.createdAt.toISOString(),
  updatedAt: h.updatedAt.toISOString(),
});

/** The caller's notifications, and the admin's webhooks. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get em() {
    return this.uow.manager;
  }

  async list(user: AuthUser, q: NotificationListQuery) {
    const qb = this.em.createQueryBuilder(NotificationEntity, 'n').where('n.userId = :uid', { uid: user.id });
    if (q.unread) qb.andWhere('n.readAt IS NULL');
    const [rows, total] = await qb
      // unread first, newest first
      .orderBy('CASE WHEN n.readAt IS NULL THEN 0 ELSE 1 END', 'ASC')
      .addOrderBy('n.createdAt', 'DESC')
      .addOrderBy('n.id', 'ASC')
      .skip((q.page - 1) * q.pageSize)
      .take(q.pageSize)
      .getManyAndCount();
    const unread = await this.em.countBy(NotificationEntity, { userId: user.id, readAt: IsNull() });
    return { items: rows.map(view), total, unread, page: q.page, pageSize: q.pageSize };
  }

  async markRead(user: AuthUser, id: string) {
    const n = isRowId(id) ? await this.em.findOneBy(NotificationEntity, { id, userId: user.id }) : null;
    if (!n) throw AppError.notFound('通知');
    if (!n.readAt) {
      n.readAt = new Date();
      const readAt = n.readAt;
      await this.uow.transaction((em) => em.update(NotificationEntity, { id, userId: user.id, readAt: IsNull() }, { readAt }));
    }
    return view(n);
  }

  async markAllRead(user: AuthUser) {
    const res = await this.uow.transaction((em) => em.update(NotificationEntity, { userId: user.id, readAt: IsNull() }, { readAt: new Date() }));
    return { updated: res.affected ?? 0 };
  }

  // ------------------------------------------------------------------ webhooks (admin)

  async createWebhook(user: AuthUser, dto: CreateWebhookDto) {
    const areaCode = dto.areaCode ?? user.areaCode;
    if (areaCode !== null) {
      if (!isAreaCode(areaCode)) throw AppError.validation({ areaCode: '不是有效的区划代码' });
      assertInArea(user, areaCode, '行政区划');
    }
    await checkWebhookUrl(dto.url, this.config.webhooks.allowPrivate);
    const now = new Date();
    const hook = await this.uow.transaction((em) =>
      em.save(
      em.create(WebhookEntity, {
        areaCode,
        url: dto.url,
        secret: dto.secret,
        events: [...new Set(dto.events ?? [])],
        active: true,
        createdById: user.id,
        createdAt: now,
        updatedAt: now,
      }),
      ),
    );
    this.feed.changedHere('webhooks');
    return hookView(hook);
  }

  /** An admin of an area sees the webhooks of that area and below; a global admin sees all. */
  private canSee(user: AuthUser, h: WebhookEntity): boolean {
    return user.areaCode === null || (h.areaCode !== null && isWithin(h.areaCode, user.areaCode));
  }

  private async visibleHook(user: AuthUser, id: string): Promise<WebhookEntity> {
    const h = isRowId(id) ? await this.em.findOneBy(WebhookEntity, { id }) : null;
    if (!h || !this.canSee(user, h)) throw AppError.notFound('Webhook');
    return h;
  }

  async listWebhooks(user: AuthUser) {
    const hooks = await this.em.find(WebhookEntity, { order: { createdAt: 'ASC' } });
    return hooks.filter((h) => this.canSee(user, h)).map(hookView);
  }

  /** Deactivates it: nothing more is sent, its pending deliveries fail, the records stay. */
  async removeWebhook(user: AuthUser, id: string) {
    const h = await this.visibleHook(user, id);
    await this.uow.transaction(async (em) => {
      await em.update(WebhookEntity, { id: h.id }, { active: false, updatedAt: new Date() });
      await em.update(WebhookDeliveryEntity, { webhookId: h.id, status: 'pending' }, { status: 'failed', lastError: 'webhook removed' });
    });
    this.feed.changedHere('webhooks');
    return hookView(Object.assign(h, { active: false, updatedAt: new Date() }));
  }

  async deliveries(user: AuthUser, id: string) {
    const h = await this.visibleHook(user, id);
    const rows = await this.em.find(WebhookDeliveryEntity, { where: { webhookId: h.id }, order: { createdAt: 'DESC' }, take: 200 });
    return rows.map((d) => ({
      id: d.id,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    }));
  }
}
