import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { E_TIMEOUT, Mutex, withTimeout, type MutexInterface } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { AppError, ErrorCode } from '../common/errors/app-error';
import { takePendingWrites } from './batch-write';

/** The transaction the current async call chain runs in, while its work runs. */
interface OpenTransaction {
  em: EntityManager;
  open: boolean;
}

const current = new AsyncLocalStorage<OpenTransaction>();

/**
 * Thrown when code running inside a transaction asks the pool for a second connection. On
 * PostgreSQL that is how a service freezes: every pooled connection held by a transaction
 * that waits for another one. It is a programming error, so it fails loudly, at once.
 */
export class NestedConnectionError extends Error {
  constructor() {
    super('a query inside a transaction asked the pool for a second connection: use UnitOfWork.manager or the transaction\'s EntityManager');
    this.name = 'NestedConnectionError';
  }
}

/**
 * Runs work in one database transaction, and is the only way services reach the database.
 *
 * - `manager` is the EntityManager of the transaction the caller runs in (found through
 *   AsyncLocalStorage), or the pool's manager outside one. Services query through it, so a
 *   query made anywhere below a transaction — a policy lookup, a view, an adapter — goes
 *   through that transaction's connection.
 * - A second pooled connection requested while a transaction's work runs is refused with
 *   {@link NestedConnectionError} instead of waiting (the pool freeze of issue 10).
 * - A nested `transaction()` joins the open one.
 * - SQLite (the embedded default) has a single connection, so its transactions are serialised
 *   here; waiting longer than `database.acquireTimeoutMs` answers 503 SERVICE_BUSY, like
 *   PostgreSQL's pool acquire timeout.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly mutex: MutexInterface | null;

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.mutex =
      config.database.kind === 'sqlite'
        ? withTimeout(new Mutex(), config.database.acquireTimeoutMs, busy('数据库繁忙（排队超时）'))
        : null;
    if (this.isPostgres) this.guardPool();
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** The current transaction's manager, or the pool's outside a transaction. */
  get manager(): EntityManager {
    const tx = current.getStore();
    return tx?.open ? tx.em : this.dataSource.manager;
  }

  /** True while the caller runs inside a transaction's work. */
  get inTransaction(): boolean {
    return current.getStore()?.open === true;
  }

  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const open = current.getStore();
    if (open?.open) return work(open.em);
    const run = (em: EntityManager) => {
      const tx: OpenTransaction = { em, open: true };
      return current.run(tx, async () => {
        try {
          return await work(em);
        } finally {
          // work spawned inside and still running after commit must not use a released manager
          tx.open = false;
        }
      });
    };
    // PostgreSQL's default isolation, READ COMMITTED: naming it would cost a statement per transaction
    if (!this.mutex) return this.dataSource.transaction(run);
    try {
      return await this.mutex.runExclusive(() => this.dataSource.transaction(run));
    } catch (err) {
      if (err === E_TIMEOUT) throw busy('数据库繁忙（排队超时）');
      throw err;
    }
  }

  /**
   * Wraps the driver's connection acquisition: inside an open transaction, asking for another
   * connection is a bug that would deadlock under load, so it throws instead. Every connection
   * handed out prepares its statements (see {@link preparedStatements}).
   */
  private guardPool(): void {
    const driver = this.dataSource.driver as unknown as { obtainMasterConnection?: () => Promise<[PgClient, unknown]> };
    const original = driver.obtainMasterConnection?.bind(driver);
    if (!original) return;
    const logger = this.logger;
    driver.obtainMasterConnection = async function guarded() {
      if (current.getStore()?.open) {
        const err = new NestedConnectionError();
        logger.error({ err }, err.message);
        throw err;
      }
      const acquired = await original();
      preparedStatements(acquired[0]);
      return acquired;
    };
  }
}

interface PgClient {
  query: (...args: unknown[]) => unknown;
  [PREPARED]?: Set<string>;
}

const PREPARED = Symbol('preparedStatementNames');
/** distinct statements prepared per connection; past it, statements are sent unprepared */
const MAX_PREPARED = 500;

/** statement text → its prepared statement's name, so the text is hashed once per process (issue 21) */
const NAMES = new Map<string, string>();

function statementName(text: string): string {
  let name = NAMES.get(text);
  if (name === undefined) {
    name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`;
    // the hot paths have a few dozen shapes; texts that vary without end must not grow it
    if (NAMES.size >= 2000) NAMES.clear();
    NAMES.set(text, name);
  }
  return name;
}

/**
 * Makes a pooled PostgreSQL connection send each parameterised statement as a named prepared
 * statement (node-postgres parses it once per connection, then only binds and executes): the
 * server no longer parses and plans the same few statement shapes on every request. Names are a
 * hash of the text, so two texts never share one; at most MAX_PREPARED per connection.
 */
function preparedStatements(client: PgClient): void {
  if (client[PREPARED]) return;
  const names = new Set<string>();
  client[PREPARED] = names;
  const query = client.query.bind(client);
  const send = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (typeof text === 'string' && Array.isArray(values) && values.length) {
      const name = statementName(text);
      if (names.has(name) || names.size < MAX_PREPARED) {
        names.add(name);
        return query({ name, text, values }, ...rest);
      }
    }
    return query(text, values, ...rest);
  };
  client.query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    // writes deferred to this statement's round trip that it cannot carry: sent first (batch-write.ts)
    const first = takePendingWrites(client, text);
    return first ? first().then(() => send(text, values, ...rest)) : send(text, values, ...rest);
  };
}

/** 503 SERVICE_BUSY: the request could not get a database connection or a lock in time. */
export function busy(message = '服务繁忙'): AppError {
  return new AppError(ErrorCode.SERVICE_BUSY, `${message}，请稍后重试`, { retryAfterSeconds: 2 });
}
