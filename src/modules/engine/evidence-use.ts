import type { EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { type CaseEntity, EvidenceEntity } from '../../database/entities';
import { columnsOf, hydrate, placeholder } from '../../database/raw-rows';
import type { ProcedureDefinition } from '../../machines/procedure';

/**
 * Issue 12 (item 2, SF-07 / SF-16 / SF-21): a file serves one step. One place says which
 * stored files a step may use, read by the engine when it judges an event and by the case view
 * when it lists what the caller may send, so the two always agree:
 *
 * - a file already used by a step serves no other step — except a batch's files (uploaded to
 *   the batch, not a case) in a procedure that declares `batchEvidenceShared`: they serve the
 *   same step of every case of that batch (the village meeting behind a whole list) and no other;
 * - a file whose content (SHA-256), as the same type, another step already used serves no step:
 *   one attendance sheet for every month, one case's appraisal minutes for another's, the
 *   proposal minutes again as the appraisal minutes are refused however often they are uploaded;
 * - within one event, every file is a different content (one file as minutes, photos and sign-in
 *   sheet is refused).
 *
 * Who uploaded a file (role, sector) travels with the event, so a machine's own rules can
 * judge it (a department's opinion is uploaded by that department, SF-21).
 */
export interface EvidenceRow extends EvidenceEntity {
  /** the uploader's role and sector, read with the file */
  uploader: { role: string | null; sector: string | null };
  /** another file of the same content and type has already served a step */
  reusedElsewhere: boolean;
}

/**
 * The case's files, the loose files of its batch and the files `named` (which may be loose
 * uploads of the caller), oldest first, each with its uploader and whether its content was used
 * elsewhere: one query.
 */
export async function loadEvidence(
  em: EntityManager,
  caseRow: Pick<CaseEntity, 'id' | 'batchId'> | { id: string; batchId: 'read' },
  named: string[] = [],
): Promise<EvidenceRow[]> {
  // issue 21: written out (raw-rows.ts) instead of built by QueryBuilder on every step
  const $ = placeholder(em);
  const select =
    `SELECT ${columnsOf(em, EvidenceEntity, 'e')}, "u"."role" AS "uploader_role", "u"."sector" AS "uploader_sector", ` +
    `CASE WHEN EXISTS (SELECT 1 FROM "evidence" o WHERE o."sha256" = "e"."sha256" AND o."type" = "e"."type" AND o."id" <> "e"."id" AND o."usedInSeq" IS NOT NULL) THEN 1 ELSE 0 END AS "reused" ` +
    `FROM "evidence" "e" LEFT JOIN "users" "u" ON "u"."id" = "e"."uploadedById" WHERE `;
  const params: unknown[] = [caseRow.id];
  const where = [`"e"."caseId" = ${$(1)}`];
  if (caseRow.batchId !== 'read' && caseRow.batchId) {
    params.push(caseRow.batchId);
    where.push(`("e"."batchId" = ${$(2)} AND "e"."caseId" IS NULL)`);
  }
  if (named.length) where.push(`"e"."id" IN (${named.map((id) => $(params.push(id))).join(', ')})`);
  let sql = select + where.join(' OR ');
  if (caseRow.batchId === 'read') {
    // 'read': the case is being read in the same round trip, so its batch is found in SQL — in a
    // branch of its own: inside the OR above, a prepared statement's generic plan (PostgreSQL
    // plans a named statement once after five runs) scanned the whole table (A/B of 2026-12-07:
    // 0.7–1.1 ms and ~100 blocks per call instead of 0.08 ms and 13); the branches never meet
    // (a loose file has no case; the files named are left to the first)
    // placeholders in the text's order (SQLite's are positional)
    sql += ` UNION ALL ${select}"e"."batchId" = (SELECT c."batchId" FROM "cases" c WHERE c."id" = ${$(params.push(caseRow.id))}) AND "e"."caseId" IS NULL`;
    if (named.length) sql += ` AND "e"."id" NOT IN (${named.map((id) => $(params.push(id))).join(', ')})`;
    sql += ` ORDER BY "e_uploadedAt" ASC, "e_id" ASC`;
  } else {
    sql += ` ORDER BY "e"."uploadedAt" ASC, "e"."id" ASC`;
  }
  const rows: Array<Record<string, unknown>> = await em.query(sql, params);
  return rows.map((r) =>
    Object.assign(hydrate(em, EvidenceEntity, 'e', r)!, {
      uploader: { role: (r.uploader_role as string | null) ?? null, sector: (r.uploader_sector as string | null) ?? null },
      reusedElsewhere: Number(r.reused ?? 0) === 1,
    }),
  );
}

/** Whether a stored file may serve `event` on this case (see the rules above). */
export function usableFor(e: EvidenceRow, caseRow: CaseEntity, def: ProcedureDefinition, event: string): boolean {
  if (e.reusedElsewhere) return false;
  if (e.usedInSeq === null) return true;
  return !!def.batchEvidenceShared && e.caseId === null && e.batchId !== null && e.batchId === caseRow.batchId && e.usedFor === event;
}

/** The types of the case's files that may serve `event` now: what the case view offers. */
export function usableTypes(rows: EvidenceRow[], caseRow: CaseEntity, def: ProcedureDefinition, event: string): string[] {
  return rows.filter((e) => usableFor(e, caseRow, def, event)).map((e) => e.type);
}

/** The files an event names, judged: EVIDENCE_REUSED when one of them may not serve it. */
export function checkEvidenceUse(named: EvidenceRow[], caseRow: CaseEntity, def: ProcedureDefinition, event: string): AppError | null {
  const seen = new Map<string, string>();
  const sameContent: string[] = [];
  for (const e of named) {
    const first = seen.get(e.sha256);
    if (first) sameContent.push(first, e.id);
    else seen.set(e.sha256, e.id);
  }
  if (sameContent.length) {
    return new AppError(ErrorCode.EVIDENCE_REUSED, '同一次办理中的各项证明材料须是不同的文件，同一份文件不能充当多项材料', {
      rule: 'evidence_distinct_in_step',
      reusedEvidenceIds: [...new Set(sameContent)],
    });
  }
  const used = named.filter((e) => !usableFor(e, caseRow, def, event));
  if (used.length) {
    return new AppError(ErrorCode.EVIDENCE_REUSED, '证明材料已在其他环节使用过，不能重复使用，请上传本环节的材料', {
      rule: 'evidence_single_use',
      reusedEvidenceIds: used.map((e) => e.id),
      reusedTypes: [...new Set(used.map((e) => e.type))],
    });
  }
  return null;
}

/**
 * The case's files as they stand after a step used `used` (for the response's view, without
 * reading them again): the used files are marked, and other files of the same content and type
 * can no longer serve a step.
 */
export function afterUse(rows: EvidenceRow[], used: EvidenceRow[]): EvidenceRow[] {
  const taken = new Set(used.map((e) => `${e.sha256}:${e.type}`));
  const ids = new Set(used.map((e) => e.id));
  for (const e of rows) if (!ids.has(e.id) && taken.has(`${e.sha256}:${e.type}`)) e.reusedElsewhere = true;
  return rows;
}
