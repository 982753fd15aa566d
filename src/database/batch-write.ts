import { assertWithinColumns } from './column-limits';
import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Rows to insert into one entity's table. */
export interface InsertOp {
  target: EntityTarget<ObjectLiteral>;
  rows: ObjectLiteral[];
}

/** An UPDATE of one row by id, only while it still has the version the caller read. */
export interface GuardedUpdate {
  target: EntityTarget<ObjectLiteral>;
  id: string;
  version: number;
  set: ObjectLiteral;
}

/** An UPDATE of rows by id, each column set to a SQL expression of the row (and parameters). */
export interface ExpressionUpdate {
  target: EntityTarget<ObjectLiteral>;
  ids: string[];
  /** column property → SQL expression; `:name` placeholders are taken from `params` */
  set: Record<string, string>;
  params: Record<string, unknown>;
}

/** An UPDATE of rows found by a key column, each row to its own values. */
export interface KeyedUpdate {
  target: EntityTarget<ObjectLiteral>;
  /** the property rows are found by */
  key: string;
  /** the properties written */
  set: string[];
  rows: ObjectLiteral[];
}

export interface WriteBatch {
  guarded?: GuardedUpdate;
  updates?: ExpressionUpdate[];
  inserts?: InsertOp[];
  keyed?: KeyedUpdate[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Issue 21: writes deferred to the transaction's next statement. A batch of inserts and keyed
 * updates that nothing in the step reads back (a record-ledger append: the record, its entry,
 * the head moved on) is held on the transaction's connection and sent as CTEs of the next
 * `writeBatch` (the step's last statement), one round trip fewer. Any other statement on that
 * connection — a read, `COMMIT` — carries it: the connection's wrapper (unit-of-work.ts) sends
 * it first in the same round trip (pipeline.ts), so every statement still sees it and `COMMIT`
 * commits it only if it succeeded; `ROLLBACK` drops it. PostgreSQL only: SQLite has no round
 * trips to save.
 */
const PENDING = Symbol.for('approvals.pendingWrites');

/**
 * What is held on a transaction's connection, in the order it was written: deferred batches
 * (nothing waits for them; a later deferred batch joins the last one when their tables differ)
 * and held statements (a guarded step write whose row count a caller awaits, see {@link holdBatch}).
 */
type Pending =
  | { em: EntityManager; batch: WriteBatch; settle?: undefined }
  | { em: EntityManager; statement: { text: string; params: unknown[] }; settle: (err: unknown, result?: unknown) => void };

type TxClient = { [PENDING]?: Pending[] };

/** A statement the connection's wrapper sends first; `settle` receives its own result (or the pipeline's error). */
export interface HeldPart {
  text: string;
  values: unknown[];
  settle?: (err: unknown, result?: unknown) => void;
}

/** The pg client of the transaction `em` runs in, or null outside one. */
function txClient(em: EntityManager): TxClient | null {
  const qr = em.queryRunner as unknown as { isTransactionActive?: boolean; isReleased?: boolean; databaseConnection?: TxClient } | undefined;
  return qr?.isTransactionActive && !qr.isReleased && qr.databaseConnection ? qr.databaseConnection : null;
}

const tablesOf = (em: EntityManager, b: WriteBatch) =>
  new Set([b.guarded?.target, ...(b.updates ?? []).map((u) => u.target), ...(b.inserts ?? []).map((i) => i.target), ...(b.keyed ?? []).map((k) => k.target)]
    .filter((t) => t !== undefined)
    .map((t) => em.connection.getMetadata(t!).tableName));

/** Two batches as one statement, only when they touch different tables (one snapshot sees neither's writes). */
function merged(em: EntityManager, first: WriteBatch, then: WriteBatch): WriteBatch | null {
  if (first.guarded && then.guarded) return null;
  const a = tablesOf(em, first);
  for (const t of tablesOf(em, then)) if (a.has(t)) return null;
  return {
    guarded: first.guarded ?? then.guarded,
    updates: [...(first.updates ?? []), ...(then.updates ?? [])],
    inserts: [...(first.inserts ?? []), ...(then.inserts ?? [])],
    keyed: [...(first.keyed ?? []), ...(then.keyed ?? [])],
  };
}

/**
 * Called by the connection's `query` wrapper (unit-of-work.ts) before any statement: what is
 * held, as statements to send first, in order, in the same round trip (pipeline.ts) — or none.
 * `ROLLBACK` drops them (a held statement's waiter is told the transaction ended). Each is
 * written to the statement log as it goes (TypeORM never saw it).
 */
export function takePendingWrites(client: object, text: unknown): HeldPart[] {
  const pending = (client as TxClient)[PENDING];
  if (!pending?.length) return [];
  (client as TxClient)[PENDING] = undefined;
  if (typeof text === 'string' && /^\s*ROLLBACK\b/i.test(text)) {
    for (const p of pending) p.settle?.(new Error('the transaction was rolled back before this write was sent'));
    return [];
  }
  const parts: HeldPart[] = [];
  for (const p of pending) {
    const st = p.settle ? p.statement : statementOf(p.em, p.batch);
    if (!st) continue;
    p.em.connection.logger.logQuery(st.text, st.params);
    parts.push({ text: st.text, values: st.params, settle: p.settle });
  }
  return parts;
}

/** Column lengths, checked here because the statements are raw SQL (no TypeORM listeners; issue 19). */
function assertBatchWithinColumns(em: EntityManager, batch: WriteBatch): void {
  if (batch.guarded) assertWithinColumns(em.connection.getMetadata(batch.guarded.target), batch.guarded.set);
  for (const op of batch.inserts ?? []) for (const row of op.rows) assertWithinColumns(em.connection.getMetadata(op.target), row);
  for (const k of batch.keyed ?? []) for (const row of k.rows) assertWithinColumns(em.connection.getMetadata(k.target), row);
}

/** Whether a write can be held on `em`'s connection (a PostgreSQL transaction's); elsewhere holdBatch writes at once. */
export function canHold(em: EntityManager): boolean {
  return em.connection.options.type === 'postgres' && txClient(em) !== null;
}

/** The connection wrapper's "send what is held now" (unit-of-work.ts sets it on each pooled connection). */
export const SEND_HELD = Symbol.for('approvals.sendHeld');

/**
 * Sends what is held on `em`'s connection now, in one round trip, so that every held write's
 * waiter learns its outcome — for a step that failed in Node after holding its write (issue
 * 21): nothing else would send it, and its waiter would wait forever. The round trip's own error
 * is left to the waiters.
 */
export async function sendHeld(em: EntityManager): Promise<void> {
  const client = txClient(em) as { [SEND_HELD]?: () => Promise<void> } | null;
  await client?.[SEND_HELD]?.();
}

/** Raised by a held guarded write whose row was not at the version it was judged on (see {@link holdBatch}). */
export const VERSION_MOVED = 'version_moved';

/**
 * Issue 21: a guarded step write held for the transaction's next round trip — whatever the
 * step sends next (an effect's statement) or `COMMIT` carries it, first. Resolves with the
 * guarded update's row count once it has run; since `COMMIT` may carry it, the statement itself
 * fails (a cast error naming {@link VERSION_MOVED}) when the row was not at the version, so that
 * nothing after it — `COMMIT` included — runs. The caller must await the promise before its
 * transaction ends; it rejects with the pipeline's error when this or an earlier held write
 * failed. Outside a PostgreSQL transaction it is {@link writeBatch}.
 */
export function holdBatch(em: EntityManager, batch: WriteBatch): Promise<number> {
  const client = canHold(em) ? txClient(em) : null;
  if (!client || !batch.guarded) return writeBatch(em, batch);
  assertBatchWithinColumns(em, batch);
  const st = statementOf(em, batch, { failWhenMoved: true });
  if (!st) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const settle = (err: unknown, result?: unknown) => (err ? reject(err) : resolve(Number((result as { rows?: Array<{ n: number }> })?.rows?.[0]?.n ?? 0)));
    (client[PENDING] ??= []).push({ em, statement: st, settle });
  });
}

/**
 * Several writes in as few round trips as the engine allows. On PostgreSQL they are one
 * statement: each write a data-modifying CTE (all of them run, in one snapshot), the guarded
 * update's row count the statement's result. On SQLite, which has no such CTEs and no round
 * trips to save, they run one after the other on the transaction's connection. Values are
 * converted exactly as TypeORM would (column transformers, simple-json, dates): the property's
 * value through `preparePersistentValue`, which applies the transformer once (issue 21: it was
 * applied twice — harmless for sealed phones, which are sealed once, but twice the work).
 *
 * Returns how many rows the guarded update changed (1, or 0 when the version moved on); the
 * caller decides what that means, inside its transaction.
 */
export async function writeBatch(em: EntityManager, batch: WriteBatch, opts: { defer?: boolean } = {}): Promise<number> {
  if (em.connection.options.type !== 'postgres') return sequential(em, batch);
  assertBatchWithinColumns(em, batch);
  const client = txClient(em);
  const pending = client?.[PENDING];
  const last = pending?.[pending.length - 1];
  if (client && opts.defer && !batch.guarded) {
    // joins the last held batch when their tables differ; else held after it
    const both = last && !last.settle ? merged(em, last.batch, batch) : null;
    if (both) pending![pending!.length - 1] = { em, batch: both };
    else (client[PENDING] ??= []).push({ em, batch });
    return 0;
  }
  if (client && last && !last.settle && pending!.length === 1) {
    const both = merged(em, last.batch, batch);
    if (both) {
      client[PENDING] = undefined;
      batch = both;
    }
  }
  // whatever else is held goes first, in this statement's round trip (the connection's wrapper)
  const st = statementOf(em, batch);
  if (!st) return 0;
  const rows: Array<{ n: number }> = await em.query(st.text, st.params);
  return Number(rows[0]?.n ?? 0);
}

/** An entity's stored columns and its `INSERT INTO "t" ("a", …)`, worked out once per entity. */
const INSERT_SHAPES = new WeakMap<EntityMetadata, { cols: ColumnMetadata[]; head: string }>();

function insertShape(meta: EntityMetadata): { cols: ColumnMetadata[]; head: string } {
  let shape = INSERT_SHAPES.get(meta);
  if (!shape) {
    const cols = meta.columns.filter((c) => !c.isVirtual);
    shape = { cols, head: `INSERT INTO ${quote(meta.tableName)} (${cols.map((c) => quote(c.databaseName)).join(', ')})` };
    INSERT_SHAPES.set(meta, shape);
  }
  return shape;
}

/**
 * The batch as one statement of data-modifying CTEs (PostgreSQL), or null when it writes
 * nothing. `failWhenMoved`: the statement fails when the guarded update changed no row.
 */
function statementOf(em: EntityManager, batch: WriteBatch, opts: { failWhenMoved?: boolean } = {}): { text: string; params: unknown[] } | null {
  const driver = em.connection.driver;
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const ctes: string[] = [];
  let n = 0;
  if (batch.guarded) {
    const g = batch.guarded;
    const meta = em.connection.getMetadata(g.target);
    const sets = Object.keys(g.set).map((prop) => {
      const col = meta.findColumnWithPropertyName(prop);
      if (!col) throw new Error(`${meta.name} has no column ${prop}`);
      return `${quote(col.databaseName)} = ${p(driver.preparePersistentValue(col.getEntityValue(g.set), col))}`;
    });
    ctes.push(`w${n++} AS (UPDATE ${quote(meta.tableName)} SET ${sets.join(', ')} WHERE "id" = ${p(g.id)} AND "version" = ${p(g.version)} RETURNING 1)`);
  }
  for (const u of batch.updates ?? []) {
    if (!u.ids.length) continue;
    const meta = em.connection.getMetadata(u.target);
    const named = (sql: string) => sql.replace(/:(\w+)/g, (_, k: string) => p(u.params[k]));
    const sets = Object.entries(u.set).map(([prop, expr]) => `${quote(meta.findColumnWithPropertyName(prop)!.databaseName)} = ${named(expr)}`);
    ctes.push(`w${n++} AS (UPDATE ${quote(meta.tableName)} SET ${sets.join(', ')} WHERE "id" = ANY(${p(u.ids)}::varchar[]) RETURNING 1)`);
  }
  for (const op of batch.inserts ?? []) {
    if (!op.rows.length) continue;
    const { cols, head } = insertShape(em.connection.getMetadata(op.target));
    const tuples = op.rows.map((row) => `(${cols.map((c) => p(driver.preparePersistentValue(c.getEntityValue(row), c))).join(', ')})`);
    ctes.push(`w${n++} AS (${head} VALUES ${tuples.join(', ')} RETURNING 1)`);
  }
  for (const k of batch.keyed ?? []) {
    if (!k.rows.length) continue;
    const meta = em.connection.getMetadata(k.target);
    const cols = [k.key, ...k.set].map((prop) => {
      const col = meta.findColumnWithPropertyName(prop);
      if (!col) throw new Error(`${meta.name} has no column ${prop}`);
      return col;
    });
    // the first row's values carry the types; VALUES would otherwise guess them as text
    const tuples = k.rows.map((row, i) =>
      `(${cols.map((c) => p(driver.preparePersistentValue(c.getEntityValue(row), c)) + (i === 0 ? `::${driver.normalizeType(c)}` : '')).join(', ')})`,
    );
    const names = cols.map((c) => quote(c.databaseName));
    ctes.push(
      `w${n++} AS (UPDATE ${quote(meta.tableName)} AS t SET ${names.slice(1).map((c) => `${c} = v.${c}`).join(', ')} ` +
        `FROM (VALUES ${tuples.join(', ')}) AS v(${names.join(', ')}) WHERE t.${names[0]} = v.${names[0]} RETURNING 1)`,
    );
  }
  if (!ctes.length) return null;
  // a cast of a value known only when the statement runs: the error stops the round trip (holdBatch)
  const result = !batch.guarded
    ? 'SELECT 0 AS n'
    : opts.failWhenMoved
      ? `SELECT CASE WHEN count(*) = 1 THEN 1 ELSE ('${VERSION_MOVED}:' || count(*))::int END AS n FROM w0`
      : 'SELECT count(*)::int AS n FROM w0';
  return { text: `WITH ${ctes.join(', ')} ${result}`, params };
}

async function sequential(em: EntityManager, batch: WriteBatch): Promise<number> {
  let affected = 0;
  if (batch.guarded) {
    const g = batch.guarded;
    const res = await em.createQueryBuilder().update(g.target).set(g.set).where('id = :id AND version = :version', { id: g.id, version: g.version }).execute();
    affected = res.affected ?? 0;
  }
  for (const u of batch.updates ?? []) {
    if (!u.ids.length) continue;
    const meta = em.connection.getMetadata(u.target);
    const set = Object.fromEntries(Object.entries(u.set).map(([prop, expr]) => [prop, () => expr]));
    await em.createQueryBuilder().update(u.target).set(set).where(`${quote(meta.primaryColumns[0].databaseName)} IN (:...batchIds)`, { batchIds: u.ids }).setParameters(u.params).execute();
  }
  for (const op of batch.inserts ?? []) {
    for (let i = 0; i < op.rows.length; i += 200) await em.insert(op.target, op.rows.slice(i, i + 200));
  }
  for (const k of batch.keyed ?? []) {
    for (const row of k.rows) await em.update(k.target, { [k.key]: row[k.key] }, Object.fromEntries(k.set.map((prop) => [prop, row[prop]])));
  }
  return affected;
}
