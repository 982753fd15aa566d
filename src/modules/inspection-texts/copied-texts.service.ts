import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { narrowArea } from '../../common/auth/scope';
import { compactText } from '../../common/domain/reason';
import { subtractDuration } from '../../common/domain/duration';
import { AuditEntryEntity, CaseEntity } from '../../database/entities';
import { UnitOfWork } from '../../database/unit-of-work';
import { NATIONAL, PoliciesService } from '../policies/policies.service';

/**
 * The free texts the one text rule judges (issue 12), where the audit trail keeps them: the
 * entry's reason, and these fields of its data (a step's event data, or a case's creation data).
 */
export const JUDGED_TEXT_FIELDS = ['opinion', 'capJustification', 'concentrationJustification', 'justification', 'linkageMechanism'] as const;

export interface CopiedTextQuery {
  areaCode?: string;
  minCases?: number;
  minLength?: number;
  since?: string;
}

export interface CopiedTextOccurrence {
  caseId: string;
  procedure: string;
  areaCode: string;
  field: string;
  seq: number;
  event: string;
  actorUsername: string;
  at: string;
}

export interface CopiedText {
  /** the text as first written (in time) */
  text: string;
  /** distinct cases it appears in */
  cases: number;
  caseIds: string[];
  areas: string[];
  fields: string[];
  occurrences: CopiedTextOccurrence[];
}

interface Row {
  caseId: string;
  seq: number | string;
  event: string;
  reason: string | null;
  data: string | Record<string, unknown> | null;
  at: string | Date;
  actorUsername: string;
  areaCode: string;
  procedure: string;
}

/**
 * The same text pasted into many cases of an area (issue 12): reasons, opinions and written
 * justifications compared without spaces, punctuation and case, grouped, and every group found in
 * at least `minCases` cases reported with its cases and their areas. A pattern to look at, not a
 * verdict: a township that approves fifty cases with the same sentence may be doing paper work.
 */
@Injectable()
export class CopiedTextsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PoliciesService,
  ) {}

  async find(user: AuthUser, q: CopiedTextQuery) {
    const like = narrowArea(user, q.areaCode);
    const policy = (await this.policies.effective(q.areaCode ?? user.areaCode ?? NATIONAL)).values;
    const minCases = q.minCases ?? policy['inspection.copiedTextMinCases'] ?? 3;
    const minLength = q.minLength ?? policy['inspection.copiedTextMinLength'] ?? 10;
    const since = q.since ? new Date(q.since) : subtractDuration(new Date(), policy['inspection.copiedTextWindow'] ?? 'P1Y');

    const qb = this.uow.manager
      .createQueryBuilder(AuditEntryEntity, 'a')
      .innerJoin(CaseEntity, 'c', 'c.id = a.caseId')
      .select('a.caseId', 'caseId')
      .addSelect('a.seq', 'seq')
      .addSelect('a.event', 'event')
      .addSelect('a.reason', 'reason')
      .addSelect('a.data', 'data')
      .addSelect('a.at', 'at')
      .addSelect('a.actorUsername', 'actorUsername')
      .addSelect('c.areaCode', 'areaCode')
      .addSelect('c.procedure', 'procedure')
      .where('a.at >= :since', { since });
    if (like) qb.andWhere('c.areaCode LIKE :like', { like });
    // data is JSON kept as text on both engines: narrow by the field names, parse below
    const named = JUDGED_TEXT_FIELDS.map((f, i) => `a.data LIKE :f${i}`).join(' OR ');
    qb.andWhere(`(a.reason IS NOT NULL OR ${named})`, Object.fromEntries(JUDGED_TEXT_FIELDS.map((f, i) => [`f${i}`, `%"${f}"%`])));
    const rows: Row[] = await qb.orderBy('a.at', 'ASC').addOrderBy('a.caseId').addOrderBy('a.seq').getRawMany();

    const groups = new Map<string, { text: string; occurrences: CopiedTextOccurrence[] }>();
    const add = (row: Row, field: string, value: unknown) => {
      if (typeof value !== 'string') return;
      const key = compactText(value);
      if ([...key].length < minLength) return;
      const g = groups.get(key) ?? { text: value.trim(), occurrences: [] };
      g.occurrences.push({
        caseId: row.caseId,
        procedure: row.procedure,
        areaCode: row.areaCode,
        field,
        seq: Number(row.seq),
        event: row.event,
        actorUsername: row.actorUsername,
        at: new Date(row.at instanceof Date ? row.at : `${String(row.at).replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(String(row.at)) ? '' : 'Z'}`).toISOString(),
      });
      groups.set(key, g);
    };
    for (const row of rows) {
      add(row, 'reason', row.reason);
      const data = typeof row.data === 'string' ? safeParse(row.data) : row.data;
      if (data) for (const f of JUDGED_TEXT_FIELDS) add(row, f, data[f]);
    }

    const items: CopiedText[] = [];
    for (const g of groups.values()) {
      const caseIds = [...new Set(g.occurrences.map((o) => o.caseId))];
      if (caseIds.length < minCases) continue;
      items.push({
        text: g.text,
        cases: caseIds.length,
        caseIds,
        areas: [...new Set(g.occurrences.map((o) => o.areaCode))].sort(),
        fields: [...new Set(g.occurrences.map((o) => o.field))].sort(),
        occurrences: g.occurrences,
      });
    }
    items.sort((a, b) => b.cases - a.cases || a.text.localeCompare(b.text));
    return { areaCode: q.areaCode ?? user.areaCode, minCases, minLength, since: since.toISOString(), items };
  }
}

function safeParse(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
