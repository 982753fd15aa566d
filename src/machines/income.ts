/**
 * 家庭年人均纯收入, computed from income recorded per member and category, never typed in (SF-05).
 * Shared by the verification steps of inclusion and elimination and by monitoring visits.
 *
 * Each line of the survey names its category (工资性 / 生产经营性 / 赡养费 / 其他转移性 / 财产性)
 * and, for wages, the member who earned them (a registry member id of the household) and the
 * employer or place of work. The household's member count is the registry's (the household as
 * it stands), not a typed number. A wage line the registry contradicts — a member recorded as
 * not employed, retired or without labour ability — or one whose "employer" is a member of the
 * family or names family support, is refused with a named rule: support from family (赡养费) is a
 * transfer of its own (seed 000: 20,000 yuan from a daughter entered as wages).
 *
 * Two shapes are accepted, exactly one per survey: the HTTP contract's aggregated one
 * (`members` + `income: { periodStart, periodEnd, wage, businessNet, transfer, property }`) and
 * the per-member `income.lines` extension. The aggregated shape is judged at household level:
 * wages need at least one registry member who can earn them, and the typed member count must be
 * the registry's (the per-capita figure is always divided by the registry's count).
 */
import { choice, round2, type RuleDef } from './procedure';

export const INCOME_CATEGORIES = ['wage', 'business_net', 'family_support', 'transfer', 'property'] as const;
export type IncomeCategory = (typeof INCOME_CATEGORIES)[number];
export const INCOME_CATEGORY_LABELS: Record<IncomeCategory, string> = {
  wage: '工资性收入',
  business_net: '生产经营性净收入',
  family_support: '赡养费（赡养收入，转移性）',
  transfer: '其他转移性收入',
  property: '财产性收入',
};

export interface IncomeLine {
  category: IncomeCategory;
  amount: number;
  /** the registry member the line belongs to (required for wages) */
  memberId?: string;
  /** wages: 工作单位 / 雇主 */
  employer?: string;
  /** wages: 务工地点 */
  workplace?: string;
  /** family support: who pays it (e.g. 女儿) */
  payer?: string;
  note?: string;
}

/** The contract's aggregated income (api-contract.md, RECORD_VERIFICATION). */
export interface AggregatedIncome {
  periodStart: string;
  periodEnd: string;
  wage: number;
  businessNet: number;
  transfer: number;
  property: number;
  /**
   * issue 19 (SF-05): the summed wage attributed to the members who earned it, each with an
   * employer or place of work; required when `wage > 0`, the amounts adding up to `wage`
   */
  wageEarners?: WageEarner[];
}
/** One member's part of the aggregated shape's summed wage. */
export interface WageEarner {
  memberId: string;
  amount: number;
  employer?: string;
  workplace?: string;
}
export interface LinesIncome {
  periodStart: string;
  periodEnd: string;
  lines: IncomeLine[];
}
export const AGGREGATED_FIELDS = ['wage', 'businessNet', 'transfer', 'property'] as const;
export const isLinesIncome = (i: unknown): i is LinesIncome => !!i && typeof i === 'object' && Array.isArray((i as LinesIncome).lines);

export interface IncomeInput {
  /** the contract's aggregated shape: the typed member count (must be the registry's) */
  members?: number;
  income: AggregatedIncome | LinesIncome;
  rigidExpenditure: { medical: number; education: number; other?: number };
  guarantees: { education: boolean; medical: boolean; housing: boolean; water: boolean };
}

/** A member of the household as the registry has it when the survey is recorded. */
export interface RegistryMember {
  id: string;
  name: string;
  relation: string;
  laborAbility: string;
  employment: string;
}

/** What the income rules read: the household's registry members, loaded by the caller (facts). */
export interface IncomeFacts {
  registry?: { householdId: string; version: number | null; members: RegistryMember[] };
}

export interface IncomeFigures {
  /** which of the two accepted shapes the survey was sent in */
  incomeShape: 'aggregated' | 'lines';
  /** 家庭人口数: the registry's count when recorded */
  members: number;
  byCategory: Record<IncomeCategory, number>;
  /** per member (lines shape); empty for the aggregated shape, which is household level */
  byMember: Array<{ memberId: string; name: string; total: number; wage: number }>;
  totalIncome: number;
  perCapitaNetIncome: number;
  totalRigidExpenditure: number;
  incomeLine: number;
  signals: { incomeBelowLine: boolean; rigidExpenditureHigh: boolean; guaranteeInsecure: boolean };
}

export function computeIncome(
  input: IncomeInput,
  members: RegistryMember[],
  policy: { incomeLine: number; rigidExpenditureRatio: number },
): IncomeFigures {
  const r = input.rigidExpenditure;
  const g = input.guarantees;
  const byCategory = Object.fromEntries(INCOME_CATEGORIES.map((c) => [c, 0])) as Record<IncomeCategory, number>;
  const perMember = new Map<string, { total: number; wage: number }>();
  const lines = isLinesIncome(input.income) ? input.income.lines : null;
  const earners = !lines ? ((input.income as AggregatedIncome).wageEarners ?? []) : [];
  if (!lines) {
    const a = input.income as AggregatedIncome;
    byCategory.wage = round2(a.wage);
    byCategory.business_net = round2(a.businessNet);
    byCategory.transfer = round2(a.transfer);
    byCategory.property = round2(a.property);
    for (const e of earners) {
      const m = perMember.get(e.memberId) ?? { total: 0, wage: 0 };
      m.total = round2(m.total + e.amount);
      m.wage = round2(m.wage + e.amount);
      perMember.set(e.memberId, m);
    }
  }
  for (const l of lines ?? []) {
    byCategory[l.category] = round2(byCategory[l.category] + l.amount);
    if (l.memberId) {
      const m = perMember.get(l.memberId) ?? { total: 0, wage: 0 };
      m.total = round2(m.total + l.amount);
      if (l.category === 'wage') m.wage = round2(m.wage + l.amount);
      perMember.set(l.memberId, m);
    }
  }
  const totalIncome = round2(INCOME_CATEGORIES.reduce((s, c) => s + byCategory[c], 0));
  const count = members.length;
  const perCapitaNetIncome = count > 0 ? round2(totalIncome / count) : 0;
  const totalRigidExpenditure = round2(r.medical + r.education + (r.other ?? 0));
  return {
    incomeShape: lines ? 'lines' : 'aggregated',
    members: count,
    byCategory,
    byMember: !lines && !earners.length ? [] : members.map((m) => ({ memberId: m.id, name: m.name, total: perMember.get(m.id)?.total ?? 0, wage: perMember.get(m.id)?.wage ?? 0 })),
    totalIncome,
    perCapitaNetIncome,
    totalRigidExpenditure,
    incomeLine: policy.incomeLine,
    signals: {
      incomeBelowLine: perCapitaNetIncome < policy.incomeLine,
      rigidExpenditureHigh: totalRigidExpenditure > 0 && totalRigidExpenditure > policy.rigidExpenditureRatio * Math.max(totalIncome, 0),
      guaranteeInsecure: !(g.education && g.medical && g.housing && g.water),
    },
  };
}

// ---------------------------------------------------------------- rules (SF-05)

/** registry employment values under which a member has no wage to record (不务工 / 退休（老年）) */
export const NO_WAGE_EMPLOYMENT = ['none', 'retired'];
/** aggregated shape: registry employment values under which a member earns wages (本地务工 / 外出务工) */
export const WAGE_EMPLOYMENT = ['local', 'outside'];
/** aggregated shape: a registry member who can earn the household's wages */
export const canEarnWages = (m: RegistryMember) => WAGE_EMPLOYMENT.includes(m.employment) && m.laborAbility !== 'none';
/** words in a wage line's employer or workplace that name the family or family support, not an employer */
export const FAMILY_WORDS = ['赡养', '女儿', '儿子', '子女', '女婿', '儿媳', '父母', '父亲', '母亲', '亲属', '家属', '家人', '孙子', '孙女', '兄弟', '姐妹', '姐姐', '妹妹', '哥哥', '弟弟', '小女', '长女', '次女', '长子', '次子', '本人', '自家'];

export const INCOME_RULE_NAMES = [
  'income_household_registered',
  'income_member_of_household',
  'income_wage_names_member_and_employer',
  'income_wage_member_employed',
  'income_wage_not_family_support',
  'members_match_registry',
  'income_wage_attributed',
] as const;
export type IncomeRuleName = (typeof INCOME_RULE_NAMES)[number];

export interface IncomeProblem {
  rule: IncomeRuleName;
  /** index into income.lines; -1 for the household as a whole (always, for the aggregated shape) */
  line: number;
  memberId?: string;
  detail: string;
}

const text = (s: string | undefined) => (s ?? '').replace(/\s+/g, '');

/** Every SF-05 problem of a survey against the household as the registry has it. Pure. */
export function incomeProblems(input: Partial<Pick<IncomeInput, 'income' | 'members'>> | undefined, members: RegistryMember[] | undefined): IncomeProblem[] {
  const income = input?.income as Partial<AggregatedIncome & LinesIncome> | undefined;
  if (!income || typeof income !== 'object') return [];
  const lines = income.lines;
  const aggregated = !Array.isArray(lines) && AGGREGATED_FIELDS.some((f) => typeof income[f] === 'number');
  if (!Array.isArray(lines) && !aggregated) return [];
  if (!members || members.length === 0) return [{ rule: 'income_household_registered', line: -1, detail: '户籍登记中该户没有家庭成员' }];
  if (!Array.isArray(lines)) return aggregatedProblems(input!.members, income as AggregatedIncome, members);
  const out: IncomeProblem[] = [];
  lines.forEach((l, i) => out.push(...lineProblems(l, i, members, `第${i + 1}行`)));
  return out;
}

/** The problems of one income line (or one wage earner of the aggregated shape, as a wage line), `label` naming it. */
function lineProblems(l: IncomeLine, i: number, members: RegistryMember[], label: string): IncomeProblem[] {
  const out: IncomeProblem[] = [];
  const m = l.memberId ? members.find((x) => x.id === l.memberId) : undefined;
  if (l.memberId && !m) return [{ rule: 'income_member_of_household', line: i, memberId: l.memberId, detail: `${label}的成员不是该户现有家庭成员` }];
  if (l.category !== 'wage') return [];
  if (!m || (!text(l.employer) && !text(l.workplace))) {
    return [{ rule: 'income_wage_names_member_and_employer', line: i, memberId: l.memberId, detail: `${label}工资性收入须注明务工成员及工作单位或务工地点` }];
  }
  if (NO_WAGE_EMPLOYMENT.includes(m.employment) || m.laborAbility === 'none') {
    const why = m.laborAbility === 'none' ? '无劳动能力' : m.employment === 'retired' ? '退休（老年）' : '未务工';
    out.push({ rule: 'income_wage_member_employed', line: i, memberId: m.id, detail: `${label}：户籍登记中${m.name}为“${why}”，不能录入工资性收入` });
  }
  const where = `${text(l.employer)}|${text(l.workplace)}`;
  const family = members.find((x) => x.name && where.includes(text(x.name)));
  const word = FAMILY_WORDS.find((w) => where.includes(w));
  if (family || word) {
    out.push({
      rule: 'income_wage_not_family_support',
      line: i,
      memberId: m.id,
      detail: `${label}：工资性收入的工作单位为${family ? `家庭成员${family.name}` : `“${word}”`}，家庭成员或子女给付的赡养费应录入“赡养费”类别`,
    });
  }
  return out;
}

const EMPLOYMENT_TITLES: Record<string, string> = { local: '本地务工', outside: '外出务工', none: '未务工', student: '在校生', retired: '退休（老年）' };

/**
 * The contract's aggregated shape, judged at household level (SF-05): the typed member count must
 * be the registry's, and wages need a registry member who can earn them (务工 local/outside, with
 * labour ability) — seed 000's 20,000 yuan of 赡养费 typed as wages for an aged householder whose
 * household has no working member is refused; as transfer income it passes.
 */
function aggregatedProblems(typed: number | undefined, income: AggregatedIncome, members: RegistryMember[]): IncomeProblem[] {
  const out: IncomeProblem[] = [];
  if (typeof typed === 'number' && typed !== members.length) {
    out.push({
      rule: 'members_match_registry',
      line: -1,
      detail: `填写的家庭人口数为${typed}人，户籍登记为${members.length}人；家庭成员有变化的，请先登记家庭成员变更`,
    });
  }
  const earners = Array.isArray(income.wageEarners) ? income.wageEarners : [];
  if ((income.wage ?? 0) > 0 && !earners.length && !members.some(canEarnWages)) {
    const who = members
      .map((m) => `${m.name}（${m.laborAbility === 'none' ? '无劳动能力' : (EMPLOYMENT_TITLES[m.employment] ?? m.employment)}）`)
      .join('、');
    out.push({
      rule: 'income_wage_member_employed',
      line: -1,
      detail: `工资性收入${income.wage}元，但户籍登记中该户没有务工且有劳动能力的成员（${who}）；子女给付的赡养费应录入转移性收入`,
    });
  }
  // issue 19: the summed wage is attributed to the members who earned it (each judged as a wage
  // line: a current member, working, with an employer or place that is not the family), adding up to the sum
  const fen = (x: number) => Math.round((x ?? 0) * 100);
  const attributed = earners.reduce((sum, e) => sum + fen(e.amount), 0);
  if ((income.wage ?? 0) > 0 && !earners.length) {
    out.push({ rule: 'income_wage_attributed', line: -1, detail: `工资性收入${income.wage}元未逐人注明（wageEarners：务工成员、金额及工作单位或务工地点）` });
  } else if (attributed !== fen(income.wage)) {
    out.push({ rule: 'income_wage_attributed', line: -1, detail: `逐人注明的工资性收入合计${attributed / 100}元，与填写的工资性收入${income.wage ?? 0}元不一致` });
  }
  earners.forEach((e, i) => out.push(...lineProblems({ category: 'wage', ...e }, i, members, `工资明细第${i + 1}项`)));
  return out;
}

const RULE_TEXT: Record<IncomeRuleName, { message: string; messageEn: string }> = {
  income_household_registered: {
    message: '户籍登记中该户没有家庭成员，不能核算人均纯收入（SF-05）',
    messageEn: 'The household has no registered members: per-capita income cannot be computed (SF-05)',
  },
  income_member_of_household: {
    message: '收入明细中的成员必须是该户户籍登记的现有家庭成员（SF-05）',
    messageEn: "Every income line's member must be a current registry member of the household (SF-05)",
  },
  income_wage_names_member_and_employer: {
    message: '工资性收入须逐人录入，注明务工成员及工作单位或务工地点（SF-05）',
    messageEn: 'Wages are recorded per member, with an employer or place of work (SF-05)',
  },
  income_wage_member_employed: {
    message: '工资性收入须由户籍登记为务工且有劳动能力的成员取得，户籍登记为未务工、退休或无劳动能力的成员不能录入工资性收入；如情况已变化，请先登记成员务工状况变更（SF-05）',
    messageEn: 'No wages for a member the registry records as not employed, retired or without labour ability; record the change in the registry first (SF-05)',
  },
  income_wage_not_family_support: {
    message: '家庭成员或子女给付的赡养费不是工资性收入，应录入“赡养费”类别（SF-05）',
    messageEn: 'Support from family is not a wage: record it as family support (SF-05)',
  },
  members_match_registry: {
    message: '填写的家庭人口数与户籍登记人数不一致，人均纯收入按户籍登记人数核算（SF-05）',
    messageEn: 'The typed member count differs from the registry: per-capita income uses the registry count; record the household change first (SF-05)',
  },
  income_wage_attributed: {
    message: '按汇总录入的工资性收入须逐人注明务工成员、金额及工作单位或务工地点（wageEarners），合计须等于工资性收入；不能归属到成员的汇总工资不予接受（SF-05）',
    messageEn: 'A summed wage must be attributed to the members who earned it (wageEarners: member, amount, employer or place of work), adding up to the sum (SF-05)',
  },
};

export const incomeRuleText = (rule: IncomeRuleName): string => RULE_TEXT[rule].message;

/** The SF-05 rules as machine rules; they read `event.env.facts.registry` (see IncomeFacts). */
export function incomeRules<TContext>(): Record<IncomeRuleName, RuleDef<TContext>> {
  const problemsOf = (event: { data: Record<string, any>; env: { facts: Record<string, unknown> } }, rule: IncomeRuleName) =>
    incomeProblems(event.data as Partial<IncomeInput>, (event.env.facts as IncomeFacts).registry?.members).filter((p) => p.rule === rule);
  return Object.fromEntries(
    INCOME_RULE_NAMES.map((rule) => [
      rule,
      {
        ...RULE_TEXT[rule],
        usesEventData: true,
        check: ({ event }) => problemsOf(event, rule).length === 0,
        explain: ({ event }) => {
          const found = problemsOf(event, rule);
          if (!found.length) return null;
          return {
            message: `${RULE_TEXT[rule].message}：${found.map((p) => p.detail).join('；')}`,
            details: { lines: found.map((p) => ({ line: p.line, memberId: p.memberId ?? null, detail: p.detail })) },
          };
        },
      } satisfies RuleDef<TContext>,
    ]),
  ) as Record<IncomeRuleName, RuleDef<TContext>>;
}

const money = { type: 'number', minimum: 0, maximum: 1e9, multipleOf: 0.01 } as const;
const date = { type: 'string', format: 'date' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;

/** JSON Schema of one income line. */
export const incomeLineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'amount'],
  properties: {
    category: {
      ...choice(INCOME_CATEGORY_LABELS),
      title: '收入类别',
      description: 'wage 工资性 / business_net 生产经营性净收入 / family_support 赡养费 / transfer 其他转移性 / property 财产性',
    },
    amount: { type: 'number', minimum: -1e9, maximum: 1e9, multipleOf: 0.01, title: '金额（元）', description: '金额（元）；仅生产经营性净收入可为负数' },
    memberId: { ...uuid, title: '家庭成员', description: '家庭成员（户籍成员 id；工资性收入必填）' },
    employer: { type: 'string', maxLength: 100, title: '工作单位', description: '工作单位或雇主（工资性收入：与务工地点至少填一项）' },
    workplace: { type: 'string', maxLength: 100, title: '务工地点', description: '务工地点' },
    payer: { type: 'string', maxLength: 100, title: '赡养费给付人', description: '赡养费给付人' },
    note: { type: 'string', maxLength: 500, title: '备注' },
  },
  // only 生产经营性净收入 may be negative (a loss)
  if: { properties: { category: { not: { const: 'business_net' } } } },
  then: { properties: { amount: { minimum: 0 } } },
} as const;

/**
 * Exactly one income shape per survey (checked by the `incomeShape` schema keyword, see
 * src/modules/engine/requirements.ts): the contract's aggregated shape (`members` and the four
 * sums) or the `lines` extension (no `members`: the registry's count). Paths are relative to the
 * survey object; an empty list means the shape is sound (types are the schema's business).
 */
export function incomeShapeProblems(body: unknown): Array<{ path: string[]; message: string }> {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const income = b.income as Record<string, unknown> | undefined;
  const MEMBERS = '必填（按汇总录入时须填写家庭人口数，须与户籍登记人数一致）';
  // no income at all: the schema's `required` names income alone (the shape, and so whether members is needed, is not known yet)
  if (!income || typeof income !== 'object' || Array.isArray(income)) return [];
  const sums = AGGREGATED_FIELDS.filter((f) => f in income);
  const hasLines = 'lines' in income;
  const out: Array<{ path: string[]; message: string }> = [];
  const EITHER = '收入须按汇总（wage、businessNet、transfer、property 四项）或按明细（lines）录入，二者选一';
  if (hasLines && sums.length) {
    for (const f of [...sums, 'lines']) out.push({ path: ['income', f], message: `${EITHER}，不能同时填写` });
  } else if (!hasLines && !sums.length) {
    for (const f of [...AGGREGATED_FIELDS, 'lines']) out.push({ path: ['income', f], message: `必填：${EITHER}` });
  } else if (!hasLines) {
    for (const f of AGGREGATED_FIELDS.filter((x) => !sums.includes(x))) out.push({ path: ['income', f], message: '必填（按汇总录入时四项收入均须填写）' });
  }
  if (!hasLines && !('members' in b)) out.push({ path: ['members'], message: MEMBERS });
  if (hasLines && 'wageEarners' in income) out.push({ path: ['income', 'wageEarners'], message: '按明细（lines）录入时工资性收入逐行注明成员，不能填写 wageEarners' });
  if (hasLines && !sums.length && 'members' in b) out.push({ path: ['members'], message: '按明细（lines）录入时家庭人口数取自户籍登记，不能填写' });
  return out;
}

/**
 * JSON Schema parts of an income survey, shared by every step that records one. The object
 * they are spread into carries `incomeShape: true` (see incomeShapeProblems).
 */
export const incomeSchema = {
  members: { type: 'integer', minimum: 1, maximum: 30, title: '家庭人口数', description: '家庭人口数（按汇总录入时必填，须与户籍登记人数一致；按明细录入时不填，取户籍登记人数）' },
  income: {
    type: 'object',
    additionalProperties: false,
    required: ['periodStart', 'periodEnd'],
    title: '家庭收入',
    description: '收入：按汇总（wage、businessNet、transfer、property，接口约定的格式）或按明细（lines，逐人逐类）录入，二者选一；合计与人均由系统计算',
    properties: {
      periodStart: { ...date, title: '核算期间起' },
      periodEnd: { ...date, title: '核算期间止' },
      wage: { ...money, title: '工资性收入', description: '工资性收入（汇总）' },
      businessNet: { type: 'number', minimum: -1e9, maximum: 1e9, multipleOf: 0.01, title: '生产经营性净收入', description: '生产经营性净收入（汇总）' },
      transfer: { ...money, title: '转移性收入', description: '转移性收入（汇总，含赡养费）' },
      property: { ...money, title: '财产性收入', description: '财产性收入（汇总）' },
      lines: { type: 'array', maxItems: 200, items: incomeLineSchema, title: '收入明细', description: '收入明细：逐人逐类录入；合计与人均由系统计算' },
      wageEarners: {
        type: 'array',
        maxItems: 30,
        title: '工资收入归属',
        description: '按汇总录入时工资性收入的归属：逐人注明务工成员、金额及工作单位或务工地点，合计须等于 wage（工资性收入大于 0 时必填）',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['memberId', 'amount'],
          title: '务工成员',
          properties: {
            memberId: { ...uuid, title: '务工成员', description: '务工成员（户籍成员 id）' },
            amount: { ...money, title: '工资收入', description: '该成员的工资性收入（元）' },
            employer: { type: 'string', maxLength: 100, title: '工作单位', description: '工作单位或雇主（与务工地点至少填一项）' },
            workplace: { type: 'string', maxLength: 100, title: '务工地点', description: '务工地点' },
          },
        },
      },
    },
  },
  rigidExpenditure: {
    type: 'object',
    additionalProperties: false,
    required: ['medical', 'education'],
    title: '刚性支出',
    properties: {
      medical: { ...money, title: '医疗自付', description: '医疗自付' },
      education: { ...money, title: '教育支出', description: '教育支出' },
      other: { ...money, title: '其他刚性支出', description: '其他刚性支出' },
    },
  },
  guarantees: {
    type: 'object',
    additionalProperties: false,
    required: ['education', 'medical', 'housing', 'water'],
    title: '三保障和饮水安全',
    properties: {
      education: { type: 'boolean', title: '义务教育有保障', description: '义务教育有保障' },
      medical: { type: 'boolean', title: '基本医疗有保障', description: '基本医疗有保障' },
      housing: { type: 'boolean', title: '住房安全有保障', description: '住房安全有保障' },
      water: { type: 'boolean', title: '饮水安全有保障', description: '饮水安全有保障' },
    },
  },
} as const;
