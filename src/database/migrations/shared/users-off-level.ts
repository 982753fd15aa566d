import type { QueryRunner } from 'typeorm';
import { roleLevelProblem } from '../../../common/domain/area';

/**
 * Issue 12 (SF-25): users whose role does not belong at their area's level (a village user on a
 * county code acts for every village of it). The migration does not change them — an admin
 * must — it names them in the log, and the service refuses new ones.
 */
export async function listUsersOffLevel(q: QueryRunner): Promise<void> {
  const users: Array<{ id: string; username: string; role: string; areaCode: string | null }> = await q.query(
    `SELECT "id", "username", "role", "areaCode" FROM "users" WHERE "areaCode" IS NOT NULL`,
  );
  const off = users.filter((u) => roleLevelProblem(u.role, u.areaCode!) !== null);
  for (const u of off) {
    console.warn(`[migration RoleLevels] user ${u.username} (${u.id}) is a ${u.role} on ${u.areaCode}: ${roleLevelProblem(u.role, u.areaCode!)} — move or disable them (PATCH /admin/users/${u.id})`);
  }
}
