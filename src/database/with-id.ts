import { randomUUID } from 'node:crypto';
import { BeforeInsert, PrimaryColumn } from 'typeorm';

/**
 * Ids are UUID strings in a varchar(36) on both engines, so an id compares with every
 * column that refers to it (some of which hold non-UUID actors such as `system`).
 * In its own file so that entity files of procedure modules, which entities.ts lists in
 * ENTITIES, can extend it without a require cycle.
 */
export abstract class WithId {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
