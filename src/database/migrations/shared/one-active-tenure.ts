import type { QueryRunner } from 'typeorm';

/** The tenure statuses that hold a place (the hiring adapter's ACTIVE). */
export const ACTIVE_TENURE_WHERE = `"status" IN ('contracted', 'on_duty')`;
export const ONE_ACTIVE_TENURE_INDEX = 'UQ_welfare_post_tenures_active_member';

/**
 * Issue 12 (SF-14): one person holds at most one post at a time, as a partial unique index on
 * active tenures per person, so two county approvals of the same person for two posts at the
 * same instant cannot both commit (on PostgreSQL both read "no post yet" before either wrote).
 *
 * People who already hold several posts are not changed and do not stop the migration: each is
 * named in the log (person, tenures, cases, posts, villages), their earliest active tenure is in
 * the index and the later ones are left out of it by id, so the person can take no further post;
 * the township must end the extra ones (TERMINATE on their hiring cases).
 */
export async function createOneActiveTenureIndex(q: QueryRunner): Promise<string[]> {
  const rows: Array<{ id: string; memberId: string; caseId: string; postId: string; areaCode: string }> = await q.query(
    `SELECT "id", "memberId", "caseId", "postId", "areaCode" FROM "welfare_post_tenures" WHERE ${ACTIVE_TENURE_WHERE} ORDER BY "memberId", "createdAt", "id"`,
  );
  const byMember = new Map<string, typeof rows>();
  for (const r of rows) byMember.set(r.memberId, [...(byMember.get(r.memberId) ?? []), r]);
  const leftOut: string[] = [];
  for (const [memberId, held] of byMember) {
    if (held.length < 2) continue;
    const [kept, ...extra] = held;
    leftOut.push(...extra.map((t) => t.id));
    console.warn(
      `[migration OnePostPerPerson] person ${memberId} holds ${held.length} posts at once (SF-14): ` +
        held.map((t) => `tenure ${t.id} (case ${t.caseId}, post ${t.postId}, area ${t.areaCode})`).join('; ') +
        ` — kept ${kept.id} in the one-post index; end the others (TERMINATE on cases ${extra.map((t) => t.caseId).join(', ')})`,
    );
  }
  const quoted = leftOut.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ');
  const where = leftOut.length ? `${ACTIVE_TENURE_WHERE} AND "id" NOT IN (${quoted})` : ACTIVE_TENURE_WHERE;
  await q.query(`CREATE UNIQUE INDEX "${ONE_ACTIVE_TENURE_INDEX}" ON "welfare_post_tenures" ("memberId") WHERE ${where}`);
  return leftOut;
}

export async function dropOneActiveTenureIndex(q: QueryRunner): Promise<void> {
  await q.query(`DROP INDEX "${ONE_ACTIVE_TENURE_INDEX}"`);
}
