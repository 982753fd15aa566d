import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/**
 * Issue 21: hand-written SQL for the hot reads, with entities made exactly as TypeORM makes
 * them. Building a query (QueryBuilder's select expressions, property-name replacement, escaping)
 * and mapping its rows back cost ~10 % of a step's CPU in TypeORM; a hot read's text is written
 * once, its select list comes from the entity's metadata (so a new column is read without
 * touching the query), and each column's value goes through the driver's `prepareHydratedValue`
 * — the column transformers (sealed phones), JSON, dates — as it would through QueryBuilder.
 */
interface Shape {
  meta: EntityMetadata;
  /** `"a"."col" AS "a_col", …` */
  select: string;
  /** per column: the row's key, the property */
  columns: Array<{ key: string; column: EntityMetadata['columns'][number] }>;
  primaryKeys: string[];
}

const SHAPES = new WeakMap<EntityMetadata, Map<string, Shape>>();

function shape(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string): Shape {
  const meta = em.connection.getMetadata(target);
  let byAlias = SHAPES.get(meta);
  if (!byAlias) SHAPES.set(meta, (byAlias = new Map()));
  let s = byAlias.get(alias);
  if (!s) {
    const columns = meta.columns.filter((c) => !c.isVirtual).map((column) => ({ key: `${alias}_${column.databaseName}`, column }));
    s = {
      meta,
      select: columns.map(({ key, column }) => `"${alias}"."${column.databaseName}" AS "${key}"`).join(', '),
      columns,
      primaryKeys: meta.primaryColumns.map((c) => `${alias}_${c.databaseName}`),
    };
    byAlias.set(alias, s);
  }
  return s;
}

/** The select list of every column of the entity under `alias`, for {@link hydrate}. */
export function columnsOf(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string): string {
  return shape(em, target, alias).select;
}

/** The same list for an UPDATE's or INSERT's RETURNING (the table unaliased): `"col" AS "a_col", …`, for {@link hydrate}. */
export function returningOf(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string): string {
  return shape(em, target, alias).columns.map(({ key, column }) => `"${column.databaseName}" AS "${key}"`).join(', ');
}

/** The entity selected with {@link columnsOf} under `alias`, or null when the row has none (an outer join's miss). */
export function hydrate<T>(em: EntityManager, target: EntityTarget<T & ObjectLiteral>, alias: string, row: Record<string, unknown>): T | null {
  const s = shape(em, target, alias);
  if (s.primaryKeys.some((k) => row[k] === null || row[k] === undefined)) return null;
  const driver = em.connection.driver;
  const entity = s.meta.create(undefined, { fromDeserializer: true }) as Record<string, unknown>;
  for (const { key, column } of s.columns) {
    const value = row[key];
    if (value === undefined) continue;
    entity[column.propertyName] = driver.prepareHydratedValue(value, column);
  }
  return entity as T;
}

/** The driver's placeholder for the n-th parameter (1-based): `$n` on PostgreSQL, `?` on SQLite (in order). */
export function placeholder(em: EntityManager): (n: number) => string {
  return em.connection.options.type === 'postgres' ? (n) => `$${n}` : () => '?';
}
