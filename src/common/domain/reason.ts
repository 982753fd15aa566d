/**
 * The one text-quality rule (issue 12): every free text a person writes to justify a step —
 * a reason for a negative outcome, a review opinion, a written justification (SF-08, SF-12) and
 * the 联农带农 mechanism of an industry project (SF-20) — is judged by `textProblem`, with
 * parameters that are policies: a minimum length per kind of text (`reasons.minLength`,
 * `reasons.opinionMinLength`, `reasons.justificationMinLength`) and one placeholder list
 * (`reasons.placeholders`). A text of a few characters, a placeholder ("无", "同意", "见附件"),
 * or only a repeated character or phrase, digits and punctuation is refused (domain/procedures.md, "What
 * every step has").
 */

/** The national default of `reasons.placeholders`: texts that say nothing. */
export const DEFAULT_PLACEHOLDERS: readonly string[] = [
  '无', '没有', '暂无', '同意', '不同意', '不符合', '不符合条件', '不合格', '其他', '其它', '略', '见附件', '详见附件',
  '退回', '驳回', '撤回', '原因', '理由', '测试', 'test', 'testing', 'xxx', 'none', 'null', 'n/a', 'na', 'todo', 'tbd',
];

export type TextKind = 'reason' | 'opinion' | 'justification';

/** National defaults of the minimum lengths (characters, without spaces and punctuation). */
export const DEFAULT_MIN_LENGTH: Record<TextKind, number> = { reason: 6, opinion: 4, justification: 15 };

const MIN_LENGTH_KEY: Record<TextKind, string> = {
  reason: 'reasons.minLength',
  opinion: 'reasons.opinionMinLength',
  justification: 'reasons.justificationMinLength',
};

/** What a text is called in a message. */
export const TEXT_LABEL: Record<TextKind, string> = { reason: '理由', opinion: '意见', justification: '说明' };

export interface TextRule {
  minLength: number;
  placeholders: readonly string[];
}

/** The text without spaces, punctuation and symbols, lower-cased: what is compared and counted. */
export function compactText(text: string): string {
  return text.replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
}

/**
 * The rule's parameters for one kind of text, from a case's policy values; a key absent from an
 * older stored policy falls back to the national default.
 */
export function textRuleFor(policy: Record<string, unknown> | null | undefined, kind: TextKind): TextRule {
  const min = policy?.[MIN_LENGTH_KEY[kind]];
  const list = policy?.['reasons.placeholders'];
  return {
    minLength: Number.isInteger(min) ? (min as number) : DEFAULT_MIN_LENGTH[kind],
    placeholders: Array.isArray(list) ? (list as string[]) : DEFAULT_PLACEHOLDERS,
  };
}

/** Null when the text passes; else why not, in Chinese. `label` names the text (理由, 意见, 超设理由…). */
export function textProblem(value: unknown, rule: TextRule, label = '理由'): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `请填写${label}`;
  const compact = compactText(value);
  const whole = value.trim().toLowerCase();
  if (rule.placeholders.some((p) => compactText(p) === compact || p.trim().toLowerCase() === whole)) {
    return `${label}不能是“无”“同意”“见附件”之类的套话，请写明具体情况`;
  }
  // one character, digits only, or one short piece said again and again ("见附件见附件见附件…")
  if (compact === '' || /^(.{1,8}?)\1+$/u.test(compact) || /^(.)$/u.test(compact) || /^\p{Nd}*$/u.test(compact)) {
    return `${label}不能只由重复字符、数字或标点组成`;
  }
  if ([...compact].length < rule.minLength) return `${label}过短，请至少写${rule.minLength}个字，说明具体情况`;
  return null;
}

/** `textProblem` for a text of a kind, with the parameters of the given policy values. */
export function textProblemOf(value: unknown, policy: Record<string, unknown> | null | undefined, kind: TextKind, label = TEXT_LABEL[kind]): string | null {
  return textProblem(value, textRuleFor(policy, kind), label);
}

/** The reason rule with a given minimum length and the default placeholders (kept for callers that have no policy). */
export function reasonProblem(reason: unknown, minLength: number): string | null {
  return textProblem(reason, { minLength, placeholders: DEFAULT_PLACEHOLDERS });
}
