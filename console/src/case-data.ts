/**
 * The case's data for a person (issue 20): the definition's words instead of keys, choices by
 * their titles, nested objects as nested lists, instants in Beijing time, ids hidden (or named).
 *
 * A key's label comes from, in this order: the schema of its parent (a nested object's own
 * `properties`), the event schema whose data the key holds (the event whose fields cover most of
 * the object's keys), any property of the procedure's event schemas with that name (nested and
 * array items too), a choice of the procedure with that value (`byCategory.business_net`), then
 * the small table CONTEXT_WORDS below for what the service computes and no schema names — the one
 * place for it. Pure: unit-tested in case-data.spec.ts.
 */
import { labelOf, optionsOf } from './schema';

type Schema = Record<string, any>;

/** A lead's channel: the creation payload has no schema in the definition (the contract's channels). */
export const LEAD_CHANNELS = [
  { value: 'cadre_visit', label: '干部走访排查' },
  { value: 'self_report', label: '农户自主申报' },
  { value: 'department_alert', label: '部门筛查预警' },
];

/** Context keys (and their choices) no event schema names: the service's own records and figures. */
export const CONTEXT_WORDS: Record<string, { label: string; choices?: Record<string, string> }> = {
  householdId: { label: '农户' },
  channel: {
    label: '线索来源',
    choices: { ...Object.fromEntries(LEAD_CHANNELS.map((c) => [c.value, c.label])), follow_up: '跟踪回访发现', registry_change: '档案变更触发' },
  },
  riskDescription: { label: '风险情况' },
  urgent: { label: '紧急' },
  verification: { label: '入户核实' },
  appraisal: { label: '民主评议' },
  notice: { label: '公示' },
  approval: { label: '县级审定' },
  returns: { label: '退回次数' },
  exclusionProposed: { label: '拟不纳入' },
  townshipOpinion: { label: '乡镇审核意见' },
  outcomeReason: { label: '办结理由' },
  registryVersion: { label: '档案版本' },
  registryChange: { label: '档案变更' },
  incomeShape: { label: '收入录入方式', choices: { aggregated: '按类别汇总', lines: '按收入明细' } },
  byCategory: { label: '分类收入' },
  byMember: { label: '分成员收入' },
  totalIncome: { label: '家庭纯收入' },
  perCapitaNetIncome: { label: '人均纯收入' },
  totalRigidExpenditure: { label: '刚性支出合计' },
  incomeLine: { label: '监测收入线' },
  signals: { label: '风险信号' },
  incomeBelowLine: { label: '收入低于监测线' },
  rigidExpenditureHigh: { label: '刚性支出较大' },
  guaranteeInsecure: { label: '三保障或饮水不安全' },
  suddenHardship: { label: '突发严重困难' },
  recordedBy: { label: '录入人' },
  recordedAt: { label: '录入时间' },
  startsAt: { label: '开始时间' },
  endsAt: { label: '结束时间' },
  name: { label: '姓名' },
  total: { label: '合计' },
};

export interface DataRow {
  key: string;
  label: string;
  /** a scalar shown as text */
  value?: string;
  /** a nested object or a list of objects */
  children?: DataRow[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An instant as Beijing time, `yyyy-MM-dd HH:mm`. */
export function beijingMinute(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** What the procedure's event schemas say: each property name's schema (first titled one), each choice's title. */
function indexOf(def: any): { byName: Map<string, Schema>; choices: Map<string, string>; events: Schema[] } {
  const byName = new Map<string, Schema>();
  const choices = new Map<string, string>();
  const walk = (s: Schema | undefined) => {
    if (!s || typeof s !== 'object') return;
    for (const o of optionsOf(s.items ?? s)) if (o.label !== o.value && !choices.has(o.value)) choices.set(o.value, o.label);
    for (const [k, c] of Object.entries<Schema>(s.properties ?? {})) {
      if (c && (!byName.has(k) || (!byName.get(k)!.title && c.title))) byName.set(k, c);
      walk(c);
    }
    if (s.items) walk(s.items);
  };
  const events: Schema[] = (def?.events ?? []).map((e: any) => e.fields).filter(Boolean);
  events.forEach(walk);
  return { byName, choices, events };
}

/** The event schema whose data an object holds: the one naming most of its keys. */
function holderOf(value: Record<string, unknown>, events: Schema[]): Schema | null {
  let best: Schema | null = null;
  let score = 0;
  for (const s of events) {
    const n = Object.keys(value).filter((k) => s.properties?.[k]).length;
    if (n > score) [best, score] = [s, n];
  }
  return best;
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The rows of the case data; `names` maps ids the page knows (users, the household) to names. */
export function caseDataRows(data: Record<string, unknown> | null | undefined, def: any, names: Record<string, string> = {}): DataRow[] {
  const ix = indexOf(def);

  const labelFor = (key: string, schema: Schema | null): string => {
    if (schema) return labelOf(schema, key);
    const named = ix.byName.get(key) ?? ix.byName.get(camel(key));
    if (named?.title) return named.title;
    if (ix.choices.has(key)) return ix.choices.get(key)!;
    if (CONTEXT_WORDS[key]) return CONTEXT_WORDS[key].label;
    return named ? labelOf(named, key) : key;
  };

  const scalar = (key: string, v: unknown, schema: Schema | null): string | null => {
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (typeof v === 'number') return String(v);
    const s = String(v);
    if (UUID.test(s)) return names[s] ?? null;
    if (INSTANT.test(s)) return beijingMinute(s);
    if (schema && (schema.enum || schema.oneOf)) {
      const o = optionsOf(schema).find((x) => x.value === s);
      if (o) return o.label;
    }
    return CONTEXT_WORDS[key]?.choices?.[s] ?? s;
  };

  const rows = (obj: Record<string, unknown>, parent: Schema | null): DataRow[] =>
    Object.entries(obj)
      .map(([key, v]) => one(key, v, parent?.properties?.[key] ?? null))
      .filter((x): x is DataRow => !!x);

  /** `schema`: what the parent's schema says of the key; else the procedure's schemas by the key's name. */
  const one = (key: string, v: unknown, schema: Schema | null): DataRow | null => {
    if (v === null || v === undefined || v === '') return null;
    const s: Schema | null = schema ?? ix.byName.get(key) ?? ix.byName.get(camel(key)) ?? null;
    const label = labelFor(key, schema);
    if (Array.isArray(v)) {
      if (!v.length) return { key, label, value: '无' };
      if (v.every((x) => x === null || typeof x !== 'object')) {
        const shown = v.map((x) => scalar(key, x, s?.items ?? null)).filter((x): x is string => x !== null);
        return shown.length ? { key, label, value: shown.join('、') } : null;
      }
      const children = v
        .map((x, i): DataRow | null => {
          if (!x || typeof x !== 'object') return one(`${i + 1}`, x, s?.items ?? null);
          const o = x as Record<string, unknown>;
          return { key: `${i}`, label: `第 ${i + 1} 项`, children: rows(o, s?.items?.properties ? s.items : holderOf(o, ix.events)) };
        })
        .filter((x): x is DataRow => !!x);
      return { key, label, children };
    }
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const children = rows(o, s?.properties ? s : holderOf(o, ix.events));
      return children.length ? { key, label, children } : null;
    }
    const value = scalar(key, v, s);
    return value === null ? null : { key, label, value };
  };

  return rows(data ?? {}, null);
}
