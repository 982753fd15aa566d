import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';

/** The channel the `notify_change` triggers (migration CacheInvalidation) publish on. */
export const CHANGE_CHANNEL = 'approvals_changes';

/** Tables whose rows are cached in memory; a trigger announces every committed change. */
export type ChangeTopic = 'users' | 'webhooks' | 'policy_versions';

/**
 * Cross-instance cache invalidation on PostgreSQL: a dedicated connection (outside the pool)
 * LISTENs on {@link CHANGE_CHANNEL}; statement-level triggers on the cached tables NOTIFY at
 * commit, whoever wrote (this service, another instance, a DBA's psql). While the listening
 * connection is down — and on SQLite, where reads cost no round trip — `live` is false and
 * every cache reads through to the database, so a change is never missed.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  private client: Client | null = null;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly caches = new Set<InvalidatedCache<unknown>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** True while every change is being heard: only then may caches serve. */
  get live(): boolean {
    return this.listening;
  }

  register<V>(cache: InvalidatedCache<V>): void {
    this.caches.add(cache as InvalidatedCache<unknown>);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.kind === 'postgres') await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.down();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.config.database.kind !== 'postgres') return;
    const client = new Client({ connectionString: this.config.database.url, connectionTimeoutMillis: this.config.database.acquireTimeoutMs });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel === CHANGE_CHANNEL) this.invalidate(msg.payload as ChangeTopic);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    this.client = client;
    // whatever changed while nobody listened is unknown: start empty
    this.invalidateAll();
    this.listening = true;
  }

  private lost(client: Client, err: Error): void {
    if (this.client && this.client !== client) return;
    const was = this.listening;
    this.down();
    if (this.stopped) return;
    if (was) this.logger.warn({ err: err.message }, 'change feed lost; caches bypassed until it is back');
    if (!this.retry) {
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.connect();
      }, 1_000);
      this.retry.unref();
    }
  }

  private down(): void {
    this.listening = false;
    this.invalidateAll();
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      c.on('error', () => undefined);
      void c.end().catch(() => undefined);
    }
  }

  /**
   * This instance just committed a change: drop its own copies now rather than when the
   * notification comes back a few milliseconds later (other instances hear the trigger).
   */
  changedHere(topic: ChangeTopic): void {
    this.invalidate(topic);
  }

  private invalidate(topic: ChangeTopic): void {
    for (const c of this.caches) if (c.topic === topic) c.clear();
  }

  private invalidateAll(): void {
    for (const c of this.caches) c.clear();
  }
}

/**
 * A read-through cache of rows of one table, emptied whenever the table changes (any
 * instance). A load that raced with a change is not kept.
 */
export class InvalidatedCache<V> {
  private readonly entries = new Map<string, V>();
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    readonly topic: ChangeTopic,
    private readonly maxEntries = 10_000,
  ) {
    feed.register(this);
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (!this.feed.live) return load();
    if (this.entries.has(key)) return this.entries.get(key)!;
    const seen = this.generation;
    const value = await load();
    if (seen === this.generation && this.feed.live) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
