import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { E_TIMEOUT, Mutex, withTimeout, type MutexInterface } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { AppError, ErrorCode } from '../common/errors/app-error';
import { SEND_HELD, takePendingWrites } from './batch-write';
import { failedAt, type Part, sendPipelined } from './pipeline';
import { noteRoundTrip } from './statement-log';

/** The transaction the current async call chain runs in, while its work runs. */
interface OpenTransaction {
  em: EntityManager;
  open: boolean;
  /** > 0 while {@link UnitOfWork.together} runs: statements are gathered into one round trip */
  together?: number;
  /** {@link UnitOfWork.read}: the first round trip also commits; later statements run on their own */
  readOnly?: boolean;
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

  /**
   * Issue 21: runs independent statements of the current transaction in one round trip. While
   * `work` runs, every statement it sends (e.g. two reads under `Promise.all`) is gathered and
   * sent when the event loop turns, as one pipeline (pipeline.ts) — in the order they were
   * issued; a failure fails them all (the transaction is lost anyway). Outside a transaction or
   * on SQLite it simply runs `work`.
   */
  async together<T>(work: () => Promise<T>): Promise<T> {
    const tx = current.getStore();
    if (!tx?.open || !this.isPostgres) return work();
    tx.together = (tx.together ?? 0) + 1;
    try {
      return await work();
    } finally {
      tx.together--;
    }
  }

  /**
   * Issue 21: reads that belong together (a case and its files), in one round trip. On
   * PostgreSQL `work` runs in a transaction whose BEGIN, gathered statements and COMMIT go as
   * one pipeline (one snapshot per statement, as in any READ COMMITTED transaction); a statement
   * `work` sends after that round trip runs on the same connection on its own. `work` must only
   * read. Inside an open transaction it joins it; on SQLite it simply runs.
   */
  async read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isPostgres || this.inTransaction) return this.together(() => work(this.manager));
    return this.transaction((em) => {
      current.getStore()!.readOnly = true;
      return this.together(() => work(em));
    });
  }

  /**
   * Issue 21: commits the current transaction now, from inside its work, in the same round trip
   * as what is held (a step's guarded write and its last writes), so that a held write's failure
   * surfaces here — where its caller maps it (VERSION_CONFLICT) — instead of inside TypeORM's
   * COMMIT. Must be the work's last statement: the connection refuses any other statement after
   * it, and TypeORM's own COMMIT that follows is answered without a round trip. Nothing to do
   * outside a PostgreSQL transaction (SQLite commits when the work returns).
   */
  async commitEarly(): Promise<void> {
    const tx = current.getStore();
    if (!tx?.open || !this.isPostgres) return;
    const client = (tx.em.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)?.databaseConnection;
    if (!client?.[PREPARED]) return;
    await (client.query('COMMIT') as Promise<unknown>);
    client[COMMITTED] = true;
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
  _types?: unknown;
  [PREPARED]?: Set<string>;
  [RESET]?: () => void;
  /** set by {@link UnitOfWork.commitEarly}: the transaction is committed, TypeORM's COMMIT is a formality */
  [COMMITTED]?: boolean;
  /** set with COMMITTED by a {@link UnitOfWork.read}: statements after the commit run on their own */
  [AUTOCOMMIT]?: boolean;
}

const PREPARED = Symbol('preparedStatementNames');
const RESET = Symbol('resetHeldStatements');
const COMMITTED = Symbol('committedEarly');
const AUTOCOMMIT = Symbol('autocommitAfterRead');
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

const BEGIN = /^\s*(START TRANSACTION|BEGIN)\s*;?\s*$/i;
const COMMIT = /^\s*COMMIT\s*;?\s*$/i;
const ROLLBACK = /^\s*ROLLBACK\s*;?\s*$/i;

/** What node-postgres would have answered a statement that was not sent (a held BEGIN, an empty transaction's end). */
const answered = (command: string) => Promise.resolve({ command, rows: [], rowCount: null, fields: [] });

/** A statement of a pipeline; a held write's waiter is told its own outcome. */
type Settled = Part & { settle?: (err: unknown, result?: unknown) => void };

/** A statement waiting for its round trip while {@link UnitOfWork.together} gathers them. */
interface Gathered {
  part: Part;
  resolve: (r: unknown) => void;
  reject: (e: unknown) => void;
  /** gathered in a {@link UnitOfWork.read}: the transaction's first round trip also commits */
  readOnly: boolean;
}

/**
 * Makes a pooled PostgreSQL connection
 * - send each parameterised statement as a named prepared statement (node-postgres parses it
 *   once per connection, then only binds and executes): the server no longer parses and plans
 *   the same few statement shapes on every request. Names are a hash of the text, so two texts
 *   never share one; at most MAX_PREPARED per connection;
 * - (issue 21) spend as few round trips as the statements allow: `BEGIN` is held and sent in
 *   the same round trip as the transaction's first statement (pipeline.ts); writes deferred by
 *   batch-write.ts ride with the next statement, `COMMIT` included; statements gathered by
 *   {@link UnitOfWork.together} go as one. A transaction that sent nothing sends nothing at its
 *   end. Errors are those of the statement that failed; nothing after it runs.
 */
function preparedStatements(client: PgClient): void {
  if (client[PREPARED]) return client[RESET]?.();
  const names = new Set<string>();
  client[PREPARED] = names;
  const send = client.query.bind(client);
  const query = (...args: unknown[]) => {
    noteRoundTrip();
    return send(...args);
  };
  let beginHeld = false;
  let gathered: Gathered[] = [];

  const part = (text: string, values?: unknown[]): Part => {
    if (values?.length) {
      const name = statementName(text);
      if (names.has(name) || names.size < MAX_PREPARED) {
        names.add(name);
        return { text, values, name };
      }
    }
    return { text, values };
  };
  /** a statement sent alone, prepared when it has parameters */
  const sendOwn = (text: unknown, values: unknown, rest: unknown[]) => {
    if (typeof text !== 'string' || rest.length || (values !== undefined && !Array.isArray(values))) return query(text, values, ...rest);
    const p = part(text, values as unknown[] | undefined);
    return query(p.name ? { name: p.name, text, values } : text, values);
  };
  /** what is held for the next round trip: BEGIN, then deferred writes (each may await its own result) */
  const held = (text: string): Settled[] => {
    const parts: Settled[] = beginHeld ? [{ text: 'BEGIN' }] : [];
    beginHeld = false;
    for (const w of takePendingWrites(client, text)) parts.push({ ...part(w.text, w.values), settle: w.settle });
    return parts;
  };
  /** one round trip; each held part's waiter gets its own result, or the error that stopped the pipeline */
  const pipeline = (parts: Settled[]) =>
    sendPipelined(client, parts, query).then(
      (results) => {
        parts.forEach((p, i) => p.settle?.(null, results[i]));
        return results;
      },
      (err) => {
        // the parts before the failed one ran: their waiters get their results
        const stop = failedAt(err);
        parts.forEach((p, i) => (stop && i < stop.index ? p.settle?.(null, stop.results[i]) : p.settle?.(err)));
        throw err;
      },
    );
  const flushGathered = () => {
    const batch = gathered;
    gathered = [];
    if (!batch.length) return;
    const parts = [...held(batch[0].part.text), ...batch.map((g) => g.part)];
    const skip = parts.length - batch.length;
    // a read's first round trip: BEGIN, the reads, COMMIT (nothing is written, nothing is held)
    const commit = batch[0].readOnly && skip === 1 && parts[0].text === 'BEGIN';
    if (commit) parts.push({ text: 'COMMIT' });
    pipeline(parts).then(
      (results) => {
        if (commit) {
          client[COMMITTED] = true;
          client[AUTOCOMMIT] = true;
        }
        batch.forEach((g, i) => g.resolve(results[skip + i]));
      },
      (err) => batch.forEach((g) => g.reject(err)),
    );
  };

  // a connection handed out again starts clean: a transaction that ended without COMMIT or
  // ROLLBACK (its start failed) sent nothing, so what it held is simply forgotten
  client[RESET] = () => {
    client[COMMITTED] = false;
    client[AUTOCOMMIT] = false;
    beginHeld = false;
    for (const g of gathered.splice(0)) g.reject(new Error('the transaction ended before this statement was sent'));
    takePendingWrites(client, 'ROLLBACK');
  };
  // what is held, sent now (batch-write.ts sendHeld): each held write's waiter gets its outcome
  (client as { [SEND_HELD]?: () => Promise<void> })[SEND_HELD] = () => {
    flushGathered();
    const before = held('');
    return before.length ? pipeline(before).then(() => undefined, () => undefined) : Promise.resolve();
  };

  client.query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (client[COMMITTED]) {
      if (typeof text === 'string' && (COMMIT.test(text) || ROLLBACK.test(text))) {
        client[COMMITTED] = false;
        client[AUTOCOMMIT] = false;
        return answered(COMMIT.test(text) ? 'COMMIT' : 'ROLLBACK');
      }
      // a read's later statement: the connection is out of its transaction, the statement runs on its own
      if (client[AUTOCOMMIT]) return sendOwn(text, values, rest);
      return Promise.reject(new Error('a statement after the transaction was committed early (UnitOfWork.commitEarly must be the work\'s last statement)'));
    }
    if (typeof text !== 'string' || rest.length || (values !== undefined && !Array.isArray(values))) {
      // not a plain statement (a stream, a callback, a config object): whatever is held goes
      // first, in order, on its own (pg's queue keeps the order; its waiters get its outcome)
      flushGathered();
      const before = held('');
      if (before.length) pipeline(before).catch(() => undefined);
      return query(text, values, ...rest);
    }
    const vals = values as unknown[] | undefined;
    if (BEGIN.test(text) && !vals?.length && !beginHeld) {
      beginHeld = true;
      return answered('BEGIN');
    }
    if (ROLLBACK.test(text)) {
      for (const g of gathered.splice(0)) g.reject(new Error('the transaction was rolled back before this statement was sent'));
      takePendingWrites(client, text);
      if (beginHeld) {
        beginHeld = false;
        return answered('ROLLBACK');
      }
      return query(text);
    }
    if (current.getStore()?.together && !COMMIT.test(text)) {
      return new Promise((resolve, reject) => {
        if (!gathered.length) setImmediate(flushGathered);
        gathered.push({ part: part(text, vals), resolve, reject, readOnly: current.getStore()?.readOnly === true });
      });
    }
    flushGathered();
    if (COMMIT.test(text) && beginHeld) {
      // nothing was sent in this transaction, unless writes were held for this COMMIT
      const parts = held(text);
      if (parts.length === 1) return answered('COMMIT');
      return pipeline([...parts, { text }]).then((r) => r[r.length - 1]);
    }
    const before = held(text);
    if (!vals?.length && !COMMIT.test(text)) {
      // an unparameterised text may hold several statements, which one pipeline part cannot: what is held goes first
      if (!before.length) return query(text, vals);
      const first = pipeline(before);
      const main = query(text, vals) as Promise<unknown>;
      return first.then(() => main, (err) => {
        main.catch(() => undefined);
        throw err;
      });
    }
    if (!before.length) {
      const p = part(text, vals);
      return query(p.name ? { name: p.name, text, values: vals } : text, vals);
    }
    return pipeline([...before, part(text, vals)]).then((r) => r[r.length - 1]);
  };
}

/** 503 SERVICE_BUSY: the request could not get a database connection or a lock in time. */
export function busy(message = '服务繁忙'): AppError {
  return new AppError(ErrorCode.SERVICE_BUSY, `${message}，请稍后重试`, { retryAfterSeconds: 2 });
}
