/**
 * Building blocks every procedure machine uses: the guard and state helpers, the opinion and
 * return schemas, and the metas of the review outcomes (return, reject) that every review step
 * offers. One definition, so a change of wording or rule reaches every procedure.
 */
import type { AllowedParams, StateMeta, TimerRequest, TransitionMeta } from './procedure';
import { choice, opinion } from './procedure';

export const state = (title: string, titleEn: string): { meta: StateMeta } => ({ meta: { title, titleEn } });
export const allowed = (params: AllowedParams) => ({ type: 'allowed' as const, params });
export const noTimers: TimerRequest[] = [];

export const opinionFields = { type: 'object', additionalProperties: false, required: ['opinion'], properties: { opinion } } as const;
export const optionalOpinionFields = { type: 'object', additionalProperties: false, properties: { opinion } } as const;

/**
 * Marks a choice among the procedure's states (`enum` of state ids): `GET /procedures/{id}` adds
 * its `oneOf` labels from the machine's state titles (see describeProcedure), so a state's name
 * is written once, in the machine.
 */
export const STATE_CHOICE = 'stateChoice';

export const returnFields = (targets: string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['toState'],
    properties: { toState: { enum: targets, [STATE_CHOICE]: true, title: '退回到', description: '退回到的环节' }, opinion },
  }) as const;

/** 退回: to a named earlier step, with reason; a review step, so segregation of duties applies. */
export const returnMeta = (roles: TransitionMeta['roles'], targets: string[], evidence?: TransitionMeta['evidence']): TransitionMeta => ({
  title: '退回',
  titleEn: 'Return',
  roles,
  evidence,
  reasonRequired: true,
  fields: returnFields(targets),
  review: true,
});

/** A negative decision of a review step, with reason. */
export const rejectMeta = (
  roles: TransitionMeta['roles'],
  title: string,
  titleEn: string,
  evidence?: TransitionMeta['evidence'],
): TransitionMeta => ({ title, titleEn, roles, evidence, reasonRequired: true, fields: optionalOpinionFields, review: true });

/** One branch per return target, chosen by `data.toState`; each counts the return. */
export const returnBranches = (targets: string[], meta: TransitionMeta, rules?: string[]) =>
  targets.map((toState) => ({ guard: allowed({ when: { toState }, rules }), target: toState, actions: 'countReturn' as const, meta }));

const appraisalFields = {
  type: 'object',
  additionalProperties: false,
  required: ['result'],
  properties: { result: { ...choice({ passed: '评议通过', failed: '评议未通过' }), title: '评议结果', description: '评议结果' }, opinion },
} as const;

/** 村级民主评议: minutes and sign-in sheet; a failed appraisal needs a reason. */
export const APPRAISAL: Record<'passed' | 'failed', TransitionMeta> = (() => {
  const passed: TransitionMeta = {
    title: '录入村级民主评议',
    titleEn: 'Record village appraisal',
    roles: ['village'],
    evidence: { allOf: ['meeting_minutes', 'sign_in_sheet'] },
    fields: appraisalFields,
  };
  return { passed, failed: { ...passed, reasonRequired: true } };
})();

/** 乡镇审核通过 with an opinion. */
export const TOWNSHIP_APPROVE: TransitionMeta = {
  title: '乡镇审核通过',
  titleEn: 'Township approves',
  roles: ['township'],
  fields: opinionFields,
  review: true,
};
