/**
 * The checks every transition passes, in the order the contract gives them. Each returns the
 * AppError a person would get, or null; the engine throws the first, availableActions
 * reports them without throwing.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { EVIDENCE_TYPES, ROLE_LABELS, titleOf } from '../../common/domain/enums';
import type { AuthUser } from '../../common/auth/auth-user';
import { DEFAULT_PLACEHOLDERS, textProblem, type TextRule } from '../../common/domain/reason';
import {
  type CreationArgs,
  type EvidenceRequirement,
  failingCreationRules,
  failingRules,
  type JsonSchema,
  type ProcedureDefinition,
  type RuleArgs,
  type RuleSet,
  type TransitionMeta,
  whenMatches,
} from '../../machines/procedure';
import type { Branch } from './introspection';
import { incomeShapeProblems } from '../../machines/income';

const ajv = new Ajv({ allErrors: true, strict: false, multipleOfPrecision: 8 });
addFormats(ajv);
/**
 * `incomeShape: true` on a survey object: exactly one income shape (SF-05), the contract's
 * aggregated one or the lines extension; each problem is reported on the field it concerns.
 */
const incomeShapeKeyword = Object.assign(
  function incomeShape(this: unknown, schema: boolean, data: unknown, _parent?: unknown, cxt?: { instancePath: string }): boolean {
    if (!schema) return true;
    const problems = incomeShapeProblems(data);
    incomeShapeKeyword.errors = problems.map((p) => ({
      keyword: 'incomeShape',
      instancePath: (cxt?.instancePath ?? '') + p.path.slice(0, -1).map((x) => `/${x}`).join(''),
      schemaPath: '#/incomeShape',
      params: { missingProperty: p.path[p.path.length - 1] },
      message: p.message,
    }));
    return problems.length === 0;
  },
  { errors: [] as Partial<ErrorObject>[] },
);
ajv.addKeyword({ keyword: 'incomeShape', type: 'object', schemaType: 'boolean', errors: true, validate: incomeShapeKeyword as never });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

function fieldOf(e: ErrorObject, prefix: string): string {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const prop =
    (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
    (e.params as { additionalProperty?: string }).additionalProperty;
  return [prefix, base, prop].filter(Boolean).join('.') || 'body';
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return '必填';
    case 'incomeShape':
      return e.message ?? '不符合要求';
    case 'additionalProperties':
      return '不允许的字段';
    case 'enum':
      return `取值应为：${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    case 'format':
      return `格式应为 ${(e.params as { format: string }).format}`;
    case 'type':
      return `类型应为 ${(e.params as { type: string }).type}`;
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'multipleOf':
    case 'pattern':
    case 'uniqueItems':
    case 'const':
      return `不符合要求（${e.keyword}: ${JSON.stringify(e.params)}）`;
    default:
      return e.message ?? '不符合要求';
  }
}

/** Validates a body against a JSON Schema outside an event (e.g. a monitoring visit); throws 400. */
export function validateSchema(schema: JsonSchema, data: unknown, prefix = ''): void {
  const err = schemaError(schema, data, prefix);
  if (err) throw err;
}

export function checkData(meta: TransitionMeta, data: unknown): AppError | null {
  return schemaError(meta.fields ?? { type: 'object' }, data, 'data');
}

function schemaError(schema: JsonSchema, data: unknown, prefix: string): AppError | null {
  const validate = validatorFor(schema);
  if (validate(data)) return null;
  const fields: Record<string, string> = {};
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue;
    fields[fieldOf(e, prefix)] ??= messageOf(e);
  }
  return AppError.validation(fields, `数据不符合要求：${Object.keys(fields).join('、')}`);
}

/** Top-level required fields of the step's data: what a form must ask for. */
export function requiredFields(meta: TransitionMeta): string[] {
  return ((meta.fields?.required as string[] | undefined) ?? []).slice();
}

export function checkRole(meta: TransitionMeta, role: string): AppError | null {
  if (meta.roles.includes(role as never)) return null;
  const names = meta.roles.map((r) => titleOf(ROLE_LABELS, r)).join('、');
  return new AppError(ErrorCode.ROLE_REQUIRED, `“${meta.title}”需要由${names}办理`, { requiredRoles: meta.roles });
}

/**
 * Segregation of duties (SF-25): whoever performed one step of a case may not perform a
 * later review or approval step. Acting again at the same step (a county user who returned
 * the case and now approves it) is the same step, not a later one.
 */
export function checkSeparation(
  meta: TransitionMeta,
  actor: AuthUser,
  currentState: string,
  history: Array<{ actorId: string; fromState: string | null; toState: string }>,
): AppError | null {
  if (!meta.review) return null;
  const counts = (h: { fromState: string | null; toState: string }) =>
    meta.separateFrom ? h.fromState !== null && meta.separateFrom.includes(h.fromState) : (h.fromState ?? h.toState) !== currentState;
  const earlier = history.find((h) => h.actorId === actor.id && counts(h));
  if (!earlier) return null;
  return new AppError(ErrorCode.SEPARATION_OF_DUTIES, '您已办理过本案件的前一环节，不能再审核或审批本案件（审批分离）', {
    performedStep: earlier.fromState ?? earlier.toState,
  });
}

/**
 * The branch an event takes: among the branches whose `when` matches the data, the first whose
 * rules hold (a countersign's last approval moves on, the others stay); if none holds, the
 * first matching one, whose failing rules are then reported.
 */
export function selectBranch<C>(rules: RuleSet<C>, branches: Branch[], args: RuleArgs<C>): Branch | null {
  const matching = branches.filter((b) => whenMatches(b.params.when, args.event.data));
  return matching.find((b) => failingRules(rules, b.params.rules, args).length === 0) ?? matching[0] ?? null;
}

export interface MissingEvidence {
  allOf: string[];
  oneOf: string[][];
}

export function missingEvidence(req: EvidenceRequirement | undefined, have: Iterable<string>): MissingEvidence {
  const types = new Set(have);
  return {
    allOf: (req?.allOf ?? []).filter((t) => !types.has(t)),
    oneOf: (req?.anyOf ?? []).filter((set) => !set.some((t) => types.has(t))),
  };
}

export function checkEvidence(meta: TransitionMeta, have: Iterable<string>): AppError | null {
  const missing = missingEvidence(meta.evidence, have);
  if (!missing.allOf.length && !missing.oneOf.length) return null;
  const parts = [
    ...missing.allOf.map((t) => titleOf(EVIDENCE_TYPES, t)),
    ...missing.oneOf.map((set) => set.map((t) => titleOf(EVIDENCE_TYPES, t)).join('或')),
  ];
  return new AppError(ErrorCode.EVIDENCE_MISSING, `缺少必需的证明材料：${parts.join('、')}`, {
    missingEvidence: [...missing.allOf, ...missing.oneOf.flat()],
    missingAllOf: missing.allOf,
    missingOneOf: missing.oneOf,
  });
}

/** The reason of a negative outcome, by the one text rule (a bare number: that minimum length, the default placeholders). */
export function checkReason(meta: TransitionMeta, reason: unknown, rule: TextRule | number): AppError | null {
  if (!meta.reasonRequired) return null;
  const r = typeof rule === 'number' ? { minLength: rule, placeholders: DEFAULT_PLACEHOLDERS } : rule;
  const problem = textProblem(reason, r, '理由');
  return problem ? new AppError(ErrorCode.REASON_REQUIRED, problem, { fields: { reason: problem } }) : null;
}

/**
 * A review opinion (`data.opinion`), wherever a step takes one and it is given (required or not),
 * by the same text rule with the opinion's minimum length.
 */
export function checkOpinion(data: unknown, rule: TextRule): AppError | null {
  const value = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).opinion : undefined;
  if (value === undefined) return null;
  const problem = textProblem(value, rule, '意见');
  return problem ? new AppError(ErrorCode.REASON_REQUIRED, problem, { fields: { 'data.opinion': problem } }) : null;
}

export function checkRules<C>(rules: RuleSet<C>, branch: Branch, args: Parameters<typeof failingRules<C>>[2]): AppError | null {
  const failing = failingRules(rules, branch.params.rules, args);
  if (!failing.length) return null;
  const explained = failing.map((id) => ({ id, ...(rules[id].explain?.(args) ?? { message: rules[id].message, details: {} }) }));
  return new AppError(ErrorCode.RULE_VIOLATED, explained.map((r) => r.message).join('；'), {
    ...explained[0].details,
    rule: failing[0],
    rules: explained.map(({ id, message }) => ({ id, message })),
  });
}

/**
 * The definition's creation rules (issue 12), judged on the engine's creation path: null when
 * all hold, else RULE_VIOLATED naming every failing rule (the first in `rule`, with its details).
 */
export function creationRefusal(def: Pick<ProcedureDefinition, 'creationRules'>, args: CreationArgs): AppError | null {
  const failing = failingCreationRules(def, args);
  if (!failing.length) return null;
  const explained = failing.map((id) => {
    const rule = def.creationRules![id];
    const x = rule.explain?.(args);
    return { id, message: x?.message ?? rule.message, details: x?.details ?? {} };
  });
  return new AppError(ErrorCode.RULE_VIOLATED, explained.map((r) => r.message).join('；'), {
    ...explained[0].details,
    rule: failing[0],
    rules: explained.map(({ id, message }) => ({ id, message })),
  });
}
