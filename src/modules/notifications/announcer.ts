import { Injectable } from '@nestjs/common';
import { localDateTime } from '../../common/domain/calendar';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { CaseEntity } from '../../database/entities';
import type { ProcedureDefinition } from '../../machines/procedure';
import { eventsOf, isFinal, stateMeta } from '../engine/introspection';
import { type Outgoing, OutboxService, type PreparedNotice } from './outbox.service';

export type AnnouncementKind = 'task' | 'deadline_near' | 'deadline_overdue';

export interface AnnounceArgs {
  def: ProcedureDefinition;
  caseRow: CaseEntity;
  state: string;
  actor: AuthUser;
  now: Date;
  kind?: AnnouncementKind;
}

/** The Chinese texts of a case's notifications. */
function texts(kind: AnnouncementKind, procedure: string, stateTitle: string, deadline: Date | null): { title: string; message: string } {
  const due = deadline ? `（办理时限：${localDateTime(deadline)}）` : '';
  switch (kind) {
    case 'task':
      return { title: `待办：${procedure}·${stateTitle}`, message: `“${procedure}”案件已进入“${stateTitle}”环节，请及时办理${due}。` };
    case 'deadline_near':
      return { title: `即将到期：${procedure}·${stateTitle}`, message: `“${procedure}”案件即将超过办理时限${due}，当前环节“${stateTitle}”，请抓紧办理。` };
    case 'deadline_overdue':
      return { title: `已逾期：${procedure}·${stateTitle}`, message: `“${procedure}”案件已超过办理时限${due}，当前环节“${stateTitle}”，请尽快办结。` };
  }
}

/**
 * Tells whoever may act on a case in its state that their to-do list grew (or that its
 * deadline is near or passed): a notification per user of the state's roles in the case's
 * area and above, and a delivery per matching webhook, in the caller's transaction (the
 * outbox). Nothing when the state is final or has no user event.
 */
@Injectable()
export class Announcer {
  constructor(private readonly outbox: OutboxService) {}

  /** Written now, in the caller's transaction. */
  async announce(em: EntityManager, args: AnnounceArgs): Promise<Outgoing> {
    const prepared = await this.prepare(em, args);
    return prepared ? this.outbox.write(em, prepared) : [];
  }

  /** The rows, for the caller to write with its own (see OutboxService.prepare). */
  async prepare(em: EntityManager, args: AnnounceArgs): Promise<PreparedNotice | null> {
    const { def, caseRow, state, actor, now } = args;
    if (isFinal(def.machine, state)) return null;
    const roles = [...new Set(eventsOf(def.machine, state).flatMap((e) => e.branches[0].meta.roles))].filter((r) => r !== 'system');
    if (!roles.length) return null;
    const kind = args.kind ?? 'task';
    const stateTitle = stateMeta(def.machine, state).title;
    return this.outbox.prepare(
      em,
      {
        kind,
        ...texts(kind, def.title, stateTitle, caseRow.deadlineAt),
        areaCode: caseRow.areaCode,
        caseId: caseRow.id,
        procedure: def.id,
        data: { state, stateTitle, version: caseRow.version, deadline: caseRow.deadlineAt?.toISOString() ?? null },
      },
      { roles: roles as never, exceptUserId: actor.id },
      now,
    );
  }
}
