import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { type HouseholdEntity, HouseholdMemberEntity, type TimerEntity } from '../../database/entities';
import type { RecordLedgerEntity } from '../audit/audit.entities';
import type { Outgoing } from '../notifications/outbox.service';
import { appendHistory, type HouseholdChange, memberState } from './history';
import type { ChangeKind } from './registry.dto';
import type { Consequence, RegistryWatch } from './registry-watch';

/** the kinds after which the person is no longer a member (registry.dto's LEAVING) */
export type LeavingKind = Extract<ChangeKind, 'death' | 'marriage_out' | 'moved_away'>;

export const LEAVING_TITLES: Record<LeavingKind, string> = { death: '死亡', marriage_out: '婚出', moved_away: '迁出' };

/**
 * A member leaves the household (death, marriage out, moving away) — the one path every door
 * takes: the API's member change (`POST /households/{id}/members/{memberId}/changes`) and a full
 * export's re-import that no longer lists the member (issue 19). In the caller's transaction, on a
 * household the caller has locked and moved to its next version (`household.version`): the
 * member is removed, the history entry written (kept there), and the standing rules judged by
 * RegistryWatch.afterChange with the leaving kind — the consequences are the same whoever
 * recorded the departure.
 */
export async function recordMemberLeft(
  em: EntityManager,
  watch: RegistryWatch,
  args: {
    household: HouseholdEntity;
    members: HouseholdMemberEntity[];
    member: HouseholdMemberEntity;
    kind: LeavingKind;
    date: string;
    reason: string;
    evidence: HouseholdChange['evidence'];
    source: string;
    actor: AuthUser;
    now: Date;
  },
): Promise<{ after: HouseholdMemberEntity[]; entry: RecordLedgerEntity; consequences: Consequence[]; outgoing: Outgoing; timers: TimerEntity[] }> {
  const { household, members, member, actor, now } = args;
  await em.delete(HouseholdMemberEntity, { id: member.id });
  const after = members.filter((m) => m.id !== member.id);
  const change: HouseholdChange = {
    change: 'member_left',
    date: args.date,
    reason: `${LEAVING_TITLES[args.kind]}：${args.reason}`,
    memberId: member.id,
    before: { member: memberState(member) },
    after: { kind: args.kind, member: null },
    evidence: args.evidence,
    source: args.source,
  };
  const entry = await appendHistory(em, household, after, household.version, change, actor, now);
  const judged = await watch.afterChange(em, { household, before: members, after, change, kind: args.kind, actor, now });
  return { after, entry, ...judged };
}
