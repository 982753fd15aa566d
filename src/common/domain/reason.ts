/**
 * Every negative outcome needs a written reason; a reason of a few characters or a
 * placeholder is refused (domain/procedures.md, "What every step has").
 */
const PLACEHOLDERS = new Set([
  '无', '没有', '暂无', '同意', '不同意', '不符合', '不符合条件', '不合格', '其他', '其它', '略', '见附件', '详见附件',
  '退回', '驳回', '撤回', '原因', '理由', '测试', 'test', 'testing', 'xxx', 'none', 'null', 'n/a', 'na', 'todo', 'tbd',
]);

export function reasonProblem(reason: unknown, minLength: number): string | null {
  if (typeof reason !== 'string' || reason.trim() === '') return '请填写理由';
  const text = reason.trim();
  const compact = text.replace(/[\s\p{P}\p{S}]/gu, '');
  if (PLACEHOLDERS.has(compact.toLowerCase()) || PLACEHOLDERS.has(text.toLowerCase())) {
    return '理由不能是“无”“同意”“见附件”之类的套话，请写明具体情况';
  }
  if (/^(.)\1*$/u.test(compact) || /^\p{Nd}*$/u.test(compact)) return '理由不能只由重复字符、数字或标点组成';
  if ([...compact].length < minLength) return `理由过短，请至少写${minLength}个字，说明具体情况`;
  return null;
}
