import { assertWithinColumns } from './column-limits';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

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

interface PendingWrites {
  em: EntityManager;
  batch: WriteBatch;
}

type TxClient = { [PENDING]?: PendingWrites };

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
 * Called by the connection's `query` wrapper (unit-of-work.ts) before any statement: the
 * deferred writes as statements to send first, in the same round trip (pipeline.ts) — or none.
 * `ROLLBACK` drops them.
 */
export function takePendingWrites(client: object, text: unknown): Array<{ text: string; values: unknown[] }> {
  const pending = (client as TxClient)[PENDING];
  if (!pending) return [];
  (client as TxClient)[PENDING] = undefined;
  if (typeof text === 'string' && /^\s*ROLLBACK\b/i.test(text)) return [];
  const st = statementOf(pending.em, pending.batch);
  return st ? [{ text: st.text, values: st.params }] : [];
}

/**
 * Several writes in as few round trips as the engine allows. On PostgreSQL they are one
 * statement: each write a data-modifying CTE (all of them run, in one snapshot), the guarded
 * update's row count the statement's result. On SQLite, which has no such CTEs and no round
 * trips to save, they run one after the other on the transaction's connection. Values are
 * converted exactly as TypeORM would (column transformers, simple-json, dates).
 *
 * Returns how many rows the guarded update changed (1, or 0 when the version moved on); the
 * caller decides what that means, inside its transaction.
 */
export async function writeBatch(em: EntityManager, batch: WriteBatch, opts: { defer?: boolean } = {}): Promise<number> {
  if (em.connection.options.type !== 'postgres') return sequential(em, batch);
  // issue 19: the statement below is raw SQL (no TypeORM listeners): the column lengths are checked here
  if (batch.guarded) assertWithinColumns(em.connection.getMetadata(batch.guarded.target), batch.guarded.set);
  for (const op of batch.inserts ?? []) for (const row of op.rows) assertWithinColumns(em.connection.getMetadata(op.target), row);
  for (const k of batch.keyed ?? []) for (const row of k.rows) assertWithinColumns(em.connection.getMetadata(k.target), row);
  const client = txClient(em);
  const pending = client?.[PENDING];
  if (client && opts.defer && !batch.guarded) {
    const both = pending ? merged(em, pending.batch, batch) : batch;
    if (both) {
      client[PENDING] = { em, batch: both };
      return 0;
    }
  }
  if (client && pending) {
    const both = merged(em, pending.batch, batch);
    if (both) {
      client[PENDING] = undefined;
      batch = both;
    }
    // else the held batch stays held: the connection's wrapper sends it first, in this statement's round trip
  }
  const st = statementOf(em, batch);
  if (!st) return 0;
  const rows: Array<{ n: number }> = await em.query(st.text, st.params);
  return Number(rows[0]?.n ?? 0);
}

/** The batch as one statement of data-modifying CTEs (PostgreSQL), or null when it writes nothing. */
function statementOf(em: EntityManager, batch: WriteBatch): { text: string; params: unknown[] } | null {
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
      return `${quote(col.databaseName)} = ${p(driver.preparePersistentValue(col.getEntityValue(g.set, true), col))}`;
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
    const meta = em.connection.getMetadata(op.target);
    const cols = meta.columns.filter((c) => !c.isVirtual);
    const tuples = op.rows.map((row) => `(${cols.map((c) => p(driver.preparePersistentValue(c.getEntityValue(row, true), c))).join(', ')})`);
    ctes.push(`w${n++} AS (INSERT INTO ${quote(meta.tableName)} (${cols.map((c) => quote(c.databaseName)).join(', ')}) VALUES ${tuples.join(', ')} RETURNING 1)`);
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
      `(${cols.map((c) => p(driver.preparePersistentValue(c.getEntityValue(row, true), c)) + (i === 0 ? `::${driver.normalizeType(c)}` : '')).join(', ')})`,
    );
    const names = cols.map((c) => quote(c.databaseName));
    ctes.push(
      `w${n++} AS (UPDATE ${quote(meta.tableName)} AS t SET ${names.slice(1).map((c) => `${c} = v.${c}`).join(', ')} ` +
        `FROM (VALUES ${tuples.join(', ')}) AS v(${names.join(', ')}) WHERE t.${names[0]} = v.${names[0]} RETURNING 1)`,
    );
  }
  if (!ctes.length) return null;
  const result = batch.guarded ? 'SELECT count(*)::int AS n FROM w0' : 'SELECT 0 AS n';
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
