import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { UnitOfWork } from '../../database/database.module';
import { every } from '../jobs/periodic';
import { postToWebhook } from './webhook-target';
import { JobQueue, type JobContext } from '../jobs/job-queue';
import { WEBHOOK_QUEUE, type DeliveryJob } from '../jobs/queue-names';
import { WebhookDeliveryEntity, WebhookEntity } from './notifications.entities';

export const SIGNATURE_HEADER = 'X-Approvals-Signature';
export const DELIVERY_HEADER = 'X-Approvals-Delivery';
export const EVENT_HEADER = 'X-Approvals-Event';

/** Bull's exponential back-off, which the in-process queue follows too: (2^n − 1) × base after the n-th failure. */
export function retryDelayMs(baseMs: number, failedAttempts: number): number {
  return (2 ** failedAttempts - 1) * baseMs;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body): what a receiver recomputes to trust a delivery. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * Sends webhook deliveries (Bull jobs, job id = delivery id) with retries and exponential
 * back-off, and re-queues from the database whatever the queue lost. The delivery row is
 * leased for the attempt, so two workers never send it at once; a delivered row is never sent
 * again. Receivers deduplicate on the delivery id all the same (at-least-once on a crash
 * between their answer and our commit).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private tick: { stop(): void } | null = null;
  private reconciling = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process<DeliveryJob>(WEBHOOK_QUEUE, 4, (job, ctx) => this.deliver(job.deliveryId, ctx));
    this.tick = every(this.config.timers.reconcileIntervalMs, () => this.reconcile());
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  /** One attempt. Throws when the receiver failed and attempts remain, so the queue retries. */
  async deliver(deliveryId: string, _ctx?: JobContext): Promise<'delivered' | 'retry' | 'failed' | 'skipped'> {
    const { maxAttempts, backoffMs, timeoutMs } = this.config.webhooks;
    const now = new Date();
    // every write is its own transaction: on SQLite that serialises it with the engine's
    const write = (work: (em: EntityManager) => Promise<unknown>) => this.uow.transaction(work);
    const claimed = await this.uow.transaction((em) =>
      em
        .createQueryBuilder()
        .update(WebhookDeliveryEntity)
        .set({ lockedUntil: new Date(now.getTime() + timeoutMs + 30_000), attempts: () => '"attempts" + 1' })
        .where('id = :id AND status = :pending AND ("lockedUntil" IS NULL OR "lockedUntil" < :now)', { id: deliveryId, pending: 'pending', now })
        .execute(),
    );
    if (!claimed.affected) return 'skipped';
    const d = await this.uow.manager.findOneByOrFail(WebhookDeliveryEntity, { id: deliveryId });
    const hook = await this.uow.manager.findOneBy(WebhookEntity, { id: d.webhookId });
    if (!hook?.active) {
      await write((em) => em.update(WebhookDeliveryEntity, { id: d.id }, { status: 'failed', lockedUntil: null, lastError: 'webhook removed' }));
      return 'failed';
    }
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await postToWebhook(
        hook.url,
        {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'rural-approvals-webhooks/1',
          [EVENT_HEADER]: d.event,
          [DELIVERY_HEADER]: d.id,
          [SIGNATURE_HEADER]: signBody(hook.secret, d.body),
        },
        d.body,
        { timeoutMs, allowPrivate: this.config.webhooks.allowPrivate },
      );
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = (err as Error).message;
    }
    if (!error) {
      await write((em) =>
        em.update(WebhookDeliveryEntity, { id: d.id }, {
          status: 'delivered',
          deliveredAt: new Date(),
          lastStatusCode: statusCode,
          lastError: null,
          lockedUntil: null,
        }),
      );
      this.logger.log({ deliveryId: d.id, webhookId: hook.id, attempt: d.attempts }, 'webhook delivered');
      return 'delivered';
    }
    const exhausted = d.attempts >= maxAttempts;
    await write((em) =>
      em.update(WebhookDeliveryEntity, { id: d.id }, {
        status: exhausted ? 'failed' : 'pending',
        lastStatusCode: statusCode,
        lastError: error.slice(0, 1000),
        lockedUntil: null,
        nextAttemptAt: new Date(Date.now() + retryDelayMs(backoffMs, d.attempts)),
      }),
    );
    this.logger.warn({ deliveryId: d.id, webhookId: hook.id, attempt: d.attempts, error, exhausted }, 'webhook delivery failed');
    if (exhausted) return 'failed';
    throw new Error(`delivery ${d.id} attempt ${d.attempts} failed: ${error}`);
  }

  /** Pending deliveries the queue may have lost (Redis down or flushed, a crash): queue them again. */
  async reconcile(): Promise<number> {
    if (this.reconciling) return 0;
    this.reconciling = true;
    try {
      const now = new Date();
      const horizon = new Date(now.getTime() + this.config.timers.reconcileIntervalMs * 2);
      // read in a transaction of its own: on SQLite it then never sees another's uncommitted rows
      const due = await this.uow.transaction((em) =>
        em
          .createQueryBuilder(WebhookDeliveryEntity, 'd')
          .select(['d.id', 'd.attempts', 'd.nextAttemptAt'])
          .where('d.status = :pending AND d.nextAttemptAt <= :horizon', { pending: 'pending', horizon })
          .andWhere('(d.lockedUntil IS NULL OR d.lockedUntil < :now)', { now })
          .orderBy('d.nextAttemptAt', 'ASC')
          .take(1000)
          .getMany(),
      );
      for (const d of due) {
        const ok = await this.queue.ensure<DeliveryJob>(WEBHOOK_QUEUE, { deliveryId: d.id }, {
          jobId: d.id,
          delayMs: d.nextAttemptAt.getTime() - now.getTime(),
          attempts: Math.max(1, this.config.webhooks.maxAttempts - d.attempts),
          backoffMs: this.config.webhooks.backoffMs,
        });
        if (!ok) break; // the queue is down: the next tick tries again
      }
      return due.length;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'webhook reconcile failed; will retry');
      return 0;
    } finally {
      this.reconciling = false;
    }
  }
}
