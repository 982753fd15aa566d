/**
 * 公示 (public notice), the same in every procedure: a notice step records the notice text,
 * starts now, lasts at least the policy's period, takes objections while it runs and is closed
 * by the `system` actor once it is over (SF-22). The close is a timer the engine keeps.
 */
import { addDuration } from '../common/domain/duration';
import type { PolicyKey } from '../common/policy/policy-keys';
import type { ActorRole } from '../common/domain/enums';
import type { ProcedureEvent, RuleSet, TimerRequest, TransitionMeta } from './procedure';
import { opinion } from './procedure';

export interface Notice {
  text: string;
  startsAt: string;
  endsAt: string;
}

export interface WithNotice {
  notice: Notice | null;
  timers: TimerRequest[];
}

export function noticeRules<C extends WithNotice>(periodKey: PolicyKey): RuleSet<C> {
  return {
    notice_not_yet_published: {
      message: '本阶段公示已发布，不能重复发布',
      messageEn: 'The notice of this stage has already been published',
      check: ({ context }) => context.notice === null,
    },
    notice_min_period: {
      message: '公示结束时间不得早于规定的最短公示期',
      messageEn: 'The notice cannot end before the minimum notice period',
      usesEventData: true,
      check: ({ event }) => {
        const requested = event.data.endsAt as string | undefined;
        if (!requested) return true;
        return new Date(requested) >= addDuration(new Date(event.env.now), event.env.policy[periodKey] as string);
      },
    },
    notice_open: {
      message: '只能在公示期内提出异议',
      messageEn: 'Objections can only be raised while the notice is running',
      check: ({ context, event }) => context.notice !== null && new Date(event.env.now) < new Date(context.notice.endsAt),
    },
    notice_period_over: {
      message: '公示期未满，不能结束公示（SF-22）',
      messageEn: 'The notice period is not over yet (SF-22)',
      check: ({ context, event }) => context.notice !== null && new Date(event.env.now) >= new Date(context.notice.endsAt),
    },
  };
}

/** The context change of PUBLISH_NOTICE: the notice, and the timer that will close it. */
export function publishNotice(event: ProcedureEvent, periodKey: PolicyKey): WithNotice {
  const startsAt = event.env.now;
  const endsAt = event.data.endsAt
    ? new Date(event.data.endsAt).toISOString()
    : addDuration(new Date(startsAt), event.env.policy[periodKey] as string).toISOString();
  return { notice: { text: event.data.text, startsAt, endsAt }, timers: [{ key: 'notice', event: 'CLOSE_NOTICE', dueAt: endsAt }] };
}

export const noticeFields = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 10, maxLength: 5000, title: '公示内容', description: '公示内容' },
    endsAt: { type: 'string', format: 'date-time', title: '公示结束时间', description: '公示结束时间，默认按最短公示期计算' },
  },
} as const;

const optionalOpinion = { type: 'object', additionalProperties: false, properties: { opinion } } as const;

export function noticeMetas(publishers: ActorRole[], objectors: ActorRole[]): Record<'publish' | 'object' | 'close', TransitionMeta> {
  return {
    publish: { title: '发布公示', titleEn: 'Publish notice', roles: publishers, evidence: { allOf: ['notice_photo'] }, fields: noticeFields },
    object: {
      title: '提出异议',
      titleEn: 'Raise objection',
      roles: objectors,
      evidence: { allOf: ['objection_record'] },
      reasonRequired: true,
      fields: optionalOpinion,
    },
    close: { title: '公示期满', titleEn: 'Close notice', roles: ['system'], fields: optionalOpinion },
  };
}
