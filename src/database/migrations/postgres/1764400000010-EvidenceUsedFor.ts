import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addEvidenceUsedFor, dropEvidenceUsedFor } from '../shared/evidence-used-for';

/** Issue 12 (item 2): the event that first used a file, for the single-use rule. */
export class EvidenceUsedFor1764400000010 implements MigrationInterface {
  name = 'EvidenceUsedFor1764400000010';

  public async up(q: QueryRunner): Promise<void> {
    await addEvidenceUsedFor(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropEvidenceUsedFor(q);
  }
}
