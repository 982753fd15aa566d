import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOneActiveTenureIndex, dropOneActiveTenureIndex } from '../shared/one-active-tenure';

/** Issue 12 (SF-14): at most one active tenure per person, a partial unique index; existing doubles are named in the log. */
export class OnePostPerPerson1764400000200 implements MigrationInterface {
  name = 'OnePostPerPerson1764400000200';

  public async up(q: QueryRunner): Promise<void> {
    await createOneActiveTenureIndex(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropOneActiveTenureIndex(q);
  }
}
