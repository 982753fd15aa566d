/**
 * The one check of a date a person states for something done in the field — a measure's date,
 * a monitoring visit's date, a follow-up visit's date (issue 12). Such a date is not in the
 * future, not before the record's start (the monitoring start, or the elimination for a
 * follow-up visit), and not older than `records.maxBackdate` before the moment it is recorded:
 * back-dated records made the stale-monitoring detector and the colour code look better
 * (SF-11, SF-24). Every door calls this function: the monitoring-object endpoints directly,
 * the machines through `recordDateRules`. Pure: no Nest, no I/O.
 */
import { calendarDate } from '../common/domain/calendar';
import { subtractDuration } from '../common/domain/duration';
import { POLICY_KEYS, type PolicyValues } from '../common/policy/policy-keys';
import type { RuleArgs, RuleSet } from './procedure';

export const RECORD_DATE_RULES = {
  future: 'record_date_not_future',
  start: 'record_date_not_before_start',
  backdate: 'record_date_within_backdate',
} as const;
export type RecordDateRule = (typeof RECORD_DATE_RULES)[keyof typeof RECORD_DATE_RULES];

export interface RecordDateInput {
  /** the field as the request names it, e.g. `date`, `visitDate` */
  field: string;
  /** what it is, in Chinese, e.g. 措施日期 */
  label: string;
  /** YYYY-MM-DD, as stated */
  date: string;
  /** the recording time */
  now: Date | string;
  /** ISO-8601 duration, the policy `records.maxBackdate` */
  maxBackdate: string;
  /** the earliest date the record can belong to, with its name */
  start: { date: string; label: string } | null;
}

export interface RecordDateProblem {
  rule: RecordDateRule;
  message: string;
  details: { field: string; date: string; bound: string; boundLabel: string; maxBackdate: string };
}

/** The bound in force; policy versions stored before the key existed fall back to its default. */
export function maxBackdateOf(policy: PolicyValues): string {
  return policy['records.maxBackdate'] ?? POLICY_KEYS['records.maxBackdate'].default;
}

/** The calendar date of an instant in China (the service's zone, REMINDER_TIME_ZONE), YYYY-MM-DD. */
export function beijingDate(at: Date | string): string {
  return calendarDate(at);
}

/** The earliest date that may be stated at `now`: the date `maxBackdate` before it. */
export function earliestRecordDate(now: Date | string, maxBackdate: string): string {
  return beijingDate(subtractDuration(new Date(now), maxBackdate));
}

/** The first problem of a stated date, or null: future, then before the start, then back-dated. */
export function recordDateProblem(c: RecordDateInput): RecordDateProblem | null {
  const today = beijingDate(c.now);
  const name = `${c.label}（${c.field}）${c.date}`;
  const fail = (rule: RecordDateRule, message: string, bound: string, boundLabel: string): RecordDateProblem => ({
    rule,
    message,
    details: { field: c.field, date: c.date, bound, boundLabel, maxBackdate: c.maxBackdate },
  });
  if (c.date > today) return fail(RECORD_DATE_RULES.future, `${name}晚于今天（${today}），不能登记将来的日期`, today, '今天');
  if (c.start && c.date < c.start.date) {
    return fail(RECORD_DATE_RULES.start, `${name}早于${c.start.label}（${c.start.date}），不能登记`, c.start.date, c.start.label);
  }
  const earliest = earliestRecordDate(c.now, c.maxBackdate);
  if (c.date < earliest) {
    return fail(
      RECORD_DATE_RULES.backdate,
      `${name}超过补录期限：最早只能填写 ${earliest}（录入时间前 ${c.maxBackdate}，政策参数 records.maxBackdate）`,
      earliest,
      '补录期限',
    );
  }
  return null;
}

/**
 * The same check as machine rules, one per problem, for an event that carries a stated date.
 * `input` picks the date from the event (null: nothing stated, nothing to check).
 */
export function recordDateRules<C>(input: (args: RuleArgs<C>) => RecordDateInput | null): RuleSet<C> {
  const problem = (args: RuleArgs<C>) => {
    const i = input(args);
    return i ? recordDateProblem(i) : null;
  };
  const rule = (id: RecordDateRule, message: string, messageEn: string) => ({
    message,
    messageEn,
    usesEventData: true,
    check: (args: RuleArgs<C>) => problem(args)?.rule !== id,
    explain: (args: RuleArgs<C>) => {
      const p = problem(args);
      return p ? { message: p.message, details: p.details } : null;
    },
  });
  return {
    [RECORD_DATE_RULES.future]: rule(RECORD_DATE_RULES.future, '登记的日期不能晚于今天', 'A stated date cannot be in the future'),
    [RECORD_DATE_RULES.start]: rule(RECORD_DATE_RULES.start, '登记的日期不能早于记录的起始日期', 'A stated date cannot be before the record starts'),
    [RECORD_DATE_RULES.backdate]: rule(
      RECORD_DATE_RULES.backdate,
      '登记的日期不能早于录入时间前的补录期限（records.maxBackdate）',
      'A stated date cannot be older than records.maxBackdate at recording time',
    ),
  };
}

export const RECORD_DATE_RULE_IDS: RecordDateRule[] = Object.values(RECORD_DATE_RULES);
