import type { EntityMetadata, EntitySubscriberInterface, InsertEvent, ObjectLiteral, UpdateEvent } from 'typeorm';
import { AppError, ErrorCode } from '../common/errors/app-error';

/**
 * Issue 19: a value longer than its column is refused, never cut — on both engines.
 *
 * PostgreSQL refuses a value longer than a varchar(n) with an error that names no column; SQLite
 * does not check the length at all and stores the whole value (so the two engines disagreed, and
 * code paths "helped" with `.slice`). Every DTO, import row check and machine schema names its
 * own limit first; this is the net under all of them: every INSERT and UPDATE through TypeORM
 * (entity saves, query-builder inserts, upserts and updates) is checked against the entities'
 * varchar lengths, counted in characters as PostgreSQL counts them, and a longer value is a
 * `400 VALIDATION_FAILED` naming the field (`details.fields`) and its limit.
 */

/** The varchar columns of an entity with their lengths (characters). */
export function limitedColumns(metadata: EntityMetadata): Array<{ property: string; length: number }> {
  let found = LIMITED.get(metadata);
  if (!found) {
    found = metadata.columns
      .filter((c) => (c.type === 'varchar' || c.type === 'character varying' || c.type === String) && Number(c.length) > 0)
      .map((c) => ({ property: c.propertyPath, length: Number(c.length) }));
    LIMITED.set(metadata, found);
  }
  return found;
}
const LIMITED = new WeakMap<EntityMetadata, Array<{ property: string; length: number }>>();

const chars = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** The fields of `values` longer than their columns: field → Chinese message (empty when none). */
export function tooLong(metadata: EntityMetadata, values: ObjectLiteral | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!values) return out;
  for (const { property, length } of limitedColumns(metadata)) {
    const v = property.includes('.') ? property.split('.').reduce<any>((o, k) => o?.[k], values) : values[property];
    if (typeof v === 'string' && v.length > length && chars(v) > length) out[property] = `长度不能超过 ${length} 个字符（提交了 ${chars(v)} 个），未保存，不做截断`;
  }
  return out;
}

/** Throws the named refusal when a value of `values` is longer than its column. */
export function assertWithinColumns(metadata: EntityMetadata, values: ObjectLiteral | undefined): void {
  const fields = tooLong(metadata, values);
  if (Object.keys(fields).length) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `提交的数据超过字段长度上限：${Object.keys(fields).join('、')}`, { fields, rule: 'value_within_column_length' });
  }
}

export class ColumnLimitSubscriber implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<ObjectLiteral>): void {
    assertWithinColumns(event.metadata, event.entity);
  }

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    if (event.metadata) assertWithinColumns(event.metadata, event.entity as ObjectLiteral | undefined);
  }
}
