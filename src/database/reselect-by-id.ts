/**
 * Issue 19 (item 4): rows re-read after an INSERT are matched back to their entities by id, on
 * both engines.
 *
 * TypeORM writes the values a database fills in (column defaults, generated columns) back into the
 * inserted entities. PostgreSQL answers them in the INSERT's RETURNING, row by row. SQLite (no
 * RETURNING in TypeORM's driver) re-reads the inserted rows with `WHERE id IN (…)` and merges the
 * i-th row read into the i-th entity — but SQLite returns them in index (id) order, not in the
 * order of the VALUES. An upsert of several households then swapped their ids and versions in
 * memory, and the rules judged after a monthly re-import ran on another household's members (an
 * SF-15 task lost). Here the re-read rows are merged into the entity with the same primary key.
 *
 * Installed once, by importing this module (data-source-options.ts does).
 */
import type { ObjectLiteral } from 'typeorm';
import { ReturningResultsEntityUpdator } from 'typeorm/query-builder/ReturningResultsEntityUpdator.js';

interface UpdatorInternals {
  queryRunner: { dataSource: { driver: { isReturningSqlSupported(kind: string): boolean } }; manager: any };
  expressionMap: { mainAlias: { metadata: any } };
}

const INSTALLED = Symbol.for('approvals.reselectById');
const proto = ReturningResultsEntityUpdator.prototype as unknown as Record<string | symbol, unknown> & { insert(this: UpdatorInternals, result: any, entities: ObjectLiteral[]): Promise<void> };

/** The key of an entity (or a row read back) by its primary columns, as text. */
const keyOf = (metadata: any, row: ObjectLiteral): string => JSON.stringify(metadata.primaryColumns.map((c: any) => String(c.getEntityValue(row) ?? '')));

if (!proto[INSTALLED]) {
  const original = proto.insert;
  proto[INSTALLED] = true;
  proto.insert = async function insert(this: UpdatorInternals, insertResult: any, entities: ObjectLiteral[]): Promise<void> {
    const driver = this.queryRunner.dataSource.driver;
    const metadata = this.expressionMap.mainAlias.metadata;
    if (driver.isReturningSqlSupported('insert')) return original.call(this, insertResult, entities);
    const columns: any[] = metadata.getInsertionReturningColumns().filter((c: any) => !c.isGenerated);
    if (!columns.length) return original.call(this, insertResult, entities);
    // the original without its positional re-read: it asks for the columns synchronously, before its first await
    const own = metadata.getInsertionReturningColumns;
    metadata.getInsertionReturningColumns = () => [];
    let done: Promise<void>;
    try {
      done = original.call(this, insertResult, entities);
    } finally {
      metadata.getInsertionReturningColumns = own;
    }
    await done;
    const first = insertResult.generatedMaps.length - entities.length;
    const ids = entities.map((e) => metadata.getEntityIdMap(e));
    if (ids.some((id) => !id)) throw new Error(`${metadata.name}: an inserted entity has no id to re-read it by`);
    const rows: ObjectLiteral[] = [];
    for (let k = 0; k < ids.length; k += 500) {
      rows.push(
        ...(await this.queryRunner.manager
          .createQueryBuilder()
          .select(metadata.primaryColumns.map((c: any) => `${metadata.targetName}.${c.propertyPath}`))
          .addSelect(columns.map((c: any) => `${metadata.targetName}.${c.propertyPath}`))
          .from(metadata.target, metadata.targetName)
          .where(ids.slice(k, k + 500))
          .setOption('create-pojo')
          .getMany()),
      );
    }
    const byKey = new Map(rows.map((r) => [keyOf(metadata, r), r]));
    entities.forEach((entity, i) => {
      const read = byKey.get(keyOf(metadata, entity));
      if (!read) return;
      this.queryRunner.manager.merge(metadata.target, insertResult.generatedMaps[first + i], read);
      this.queryRunner.manager.merge(metadata.target, entity, read);
    });
  };
}

export const reselectById = true;
