import type { MigrationInterface, QueryRunner } from 'typeorm';
import { listUsersOffLevel } from '../shared/users-off-level';

/** Issue 12: names the users whose role does not belong at their area's level. */
export class RoleLevels1764300000004 implements MigrationInterface {
  name = 'RoleLevels1764300000004';

  public async up(q: QueryRunner): Promise<void> {
    await listUsersOffLevel(q);
  }

  public async down(): Promise<void> {
    // nothing was changed
  }
}
