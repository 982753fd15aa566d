import type { MigrationInterface, QueryRunner } from 'typeorm';
import { narrowStepWriteIndexes, restoreStepWriteIndexes } from '../shared/step-write-indexes';

/** Issue 21: fewer index entries per step (see the shared file). */
export class StepWriteIndexes1766000000000 implements MigrationInterface {
  name = 'StepWriteIndexes1766000000000';

  public async up(q: QueryRunner): Promise<void> {
    await narrowStepWriteIndexes(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    await restoreStepWriteIndexes(q, 'sqlite');
  }
}
