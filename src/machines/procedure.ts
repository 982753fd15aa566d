/**
 * Shared vocabulary of the procedure machines. Pure: no Nest, no TypeORM, no I/O.
 *
 * A procedure is an XState v5 machine whose transitions carry, as `meta`, everything a
 * person must bring to take them (role, evidence, reason, the JSON Schema of the data), and
 * whose guard is always the one parameterised `allowed` guard: `when` selects the branch
 * from the event data, `rules` names the business rules that must hold. The engine reads the
 * same meta and guard params to enforce, to explain (`availableActions`) and to publish the
 * definition (`GET /procedures/{id}`), so nothing is written twice.
 */
import type { AnyStateMachine } from 'xstate';
import type { ActorRole } from '../common/domain/enums';
import type { PolicyValues } from '../common/policy/policy-keys';

export interface EvidenceRequirement {
  /** every one of these types */
  allOf?: string[];
  /** for each inner list, at least one of its types */
  anyOf?: string[][];
}

export type JsonSchema = Record<string, unknown>;

export interface TransitionMeta {
  title: string;
  titleEn: string;
  roles: ActorRole[];
  evidence?: EvidenceRequirement;
  reasonRequired?: boolean;
  /** JSON Schema of `event.data`; the same for every branch of one event in one state */
  fields?: JsonSchema;
  /** a review or approval step: segregation of duties applies */
  review?: boolean;
  /**
   * With `review`: only the users who took a step from one of these states are kept from this
   * one (rectification: whoever rectified may not accept, the user who assigned may). Without
   * it, every earlier step counts, opening the case included.
   */
  separateFrom?: string[];
}

export interface StateMeta {
  title: string;
  titleEn: string;
}

export interface ActorRef {
  id: string;
  role: ActorRole;
  sector?: string | null;
}

/** What the engine knows that the machine cannot compute itself; passed in with every event. */
export interface MachineEnv {
  now: string;
  policy: PolicyValues;
  facts: Record<string, unknown>;
}

export interface ProcedureEvent {
  type: string;
  data: Record<string, any>;
  reason?: string | null;
  /** the files the event names, with who uploaded them (a machine's rules may judge it) */
  evidence: Array<{ id: string; type: string; uploader?: { role: string | null; sector: string | null } }>;
  actor: ActorRef;
  env: MachineEnv;
}

/** A timer the machine wants pending while it is in its current state. */
export interface TimerRequest {
  key: string;
  event: string;
  dueAt: string;
}

export interface BaseContext {
  timers: TimerRequest[];
}

export interface AllowedParams {
  /** event data fields that select this branch, e.g. `{ conclusion: 'exclude' }` */
  when?: Record<string, string | number | boolean>;
  /** business rules that must all hold */
  rules?: string[];
}

export interface RuleArgs<TContext> {
  context: TContext;
  event: ProcedureEvent;
}

export interface RuleDef<TContext> {
  /** Chinese sentence shown to the user when the rule fails */
  message: string;
  messageEn: string;
  /** the rule reads the event's data, so it cannot be judged before the data is sent */
  usesEventData?: boolean;
  check(args: RuleArgs<TContext>): boolean;
  /** when the rule fails: a message naming the values at fault, and details for the client */
  explain?(args: RuleArgs<TContext>): { message: string; details: Record<string, unknown> } | null;
}

export type RuleSet<TContext> = Record<string, RuleDef<TContext>>;

export function whenMatches(when: AllowedParams['when'], data: Record<string, unknown> | undefined): boolean {
  if (!when) return true;
  return Object.entries(when).every(([k, v]) => data?.[k] === v);
}

export function failingRules<TContext>(
  rules: RuleSet<TContext>,
  names: readonly string[] | undefined,
  args: RuleArgs<TContext>,
): string[] {
  return (names ?? []).filter((name) => {
    const rule = rules[name];
    if (!rule) throw new Error(`unknown rule ${name}`);
    return !rule.check(args);
  });
}

/** The implementation of the `allowed` guard for a rule set. */
export function allowedGuard<TContext>(rules: RuleSet<TContext>) {
  return ({ context, event }: { context: TContext; event: ProcedureEvent }, params: AllowedParams): boolean =>
    whenMatches(params?.when, event.data) && failingRules(rules, params?.rules, { context, event }).length === 0;
}

/**
 * What a rule for opening a case reads: the machine's input, the facts the procedure's adapter
 * loaded about the subject while preparing the case (its one I/O), the policy and the time.
 */
export interface CreationArgs<TInput = any> {
  input: TInput;
  facts: Record<string, any>;
  policy: PolicyValues;
  now: string;
}

/** A rule for opening a case, declared in the definition beside the transition rules (issue 12). */
export interface CreationRuleDef<TInput = any> {
  message: string;
  messageEn: string;
  check(args: CreationArgs<TInput>): boolean;
  /** a message naming the values at fault and details for the refusal (e.g. the open case's id) */
  explain?(args: CreationArgs<TInput>): { message?: string; details: Record<string, unknown> };
}

/** The creation rules that fail, in their declared order. */
export function failingCreationRules(def: Pick<ProcedureDefinition, 'creationRules'>, args: CreationArgs): string[] {
  return Object.entries(def.creationRules ?? {})
    .filter(([, rule]) => !rule.check(args))
    .map(([name]) => name);
}

export interface ProcedureDefinition<TContext extends BaseContext = any, TInput = any> {
  id: string;
  version: number;
  title: string;
  titleEn: string;
  subjectType: 'household' | 'monitoring-object' | 'post' | 'person' | 'project' | 'finding';
  machine: AnyStateMachine;
  rules: RuleSet<TContext>;
  /**
   * A batch's files (uploaded to the batch, not a case) serve the same step of every case of
   * the batch (SF-07: one village meeting behind a whole list); otherwise a file serves one step.
   */
  batchEvidenceShared?: boolean;
  /**
   * The rules for opening a case (monitoring period, measure recorded, already monitored, an
   * open case …): the engine judges them on its one creation path, for every door (API, batch,
   * import, a step that opens a case); `GET /procedures/{id}` lists them.
   */
  creationRules?: Record<string, CreationRuleDef<TInput>>;
  /** for the creation payload: not part of the machine, but the input it starts from */
  readonly _input?: TInput;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export const money = { type: 'number', minimum: 0, maximum: 1e9, multipleOf: 0.01 } as const;
export const opinion = { type: 'string', minLength: 2, maxLength: 2000, title: '意见', description: '意见' } as const;

/**
 * A choice field (issue 20): `enum` validates, `oneOf` labels each value for a form
 * (`{ const, title }`, in the same order). From a label table (`{ id: title }`) or a list of
 * labelled ids (src/common/domain/enums.ts), so a value and its Chinese name are written once.
 */
export function choice<T extends string>(labels: Readonly<Record<T, string>> | ReadonlyArray<{ id: T; title: string }>) {
  const rows: Array<[T, string]> = Array.isArray(labels)
    ? (labels as ReadonlyArray<{ id: T; title: string }>).map((l) => [l.id, l.title])
    : (Object.entries(labels) as Array<[T, string]>);
  return { enum: rows.map(([id]) => id), oneOf: rows.map(([id, title]) => ({ const: id, title })) };
}
