/**
 * What a console form needs of a published definition (issue 20), and the check that it is
 * there. A form is generated from `GET /procedures/{id}` alone, so every field of every event's
 * schema — nested objects and array items included — carries a short Chinese `title` (the label),
 * every `enum` a complete `oneOf` of `{ const, title }` (the choices' labels; `enum` stays and
 * validates), every state, role and evidence type a Chinese title. `description` is help text.
 *
 * Pure; used by the unit spec on every definition and by the e2e spec on the HTTP answer, so a
 * new procedure, event or field without its labels fails naming the procedure, event and path.
 */

/** A label a form shows beside an input: Chinese, 2–12 characters. */
export const FIELD_TITLE = { min: 2, max: 12 } as const;
const CHINESE = /[\u4e00-\u9fff]/;

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const chineseTitle = (t: unknown, max = Infinity, min: number = FIELD_TITLE.min): t is string =>
  typeof t === 'string' && CHINESE.test(t) && [...t].length >= min && [...t].length <= max;

/** The problems of one field schema (walking `properties` and `items`; `if`/`then` only narrow fields declared here). */
export function fieldSchemaProblems(schema: unknown, path: string): string[] {
  const out: string[] = [];
  const walk = (s: unknown, p: string) => {
    if (!isObject(s)) return;
    if (Array.isArray(s.enum)) out.push(...choiceProblems(s, p));
    if (isObject(s.properties)) {
      for (const [key, child] of Object.entries(s.properties)) {
        const cp = `${p}.${key}`;
        if (!isObject(child) || !chineseTitle(child.title, FIELD_TITLE.max)) {
          out.push(`${cp}: 缺少简短中文标题 title（${FIELD_TITLE.min}–${FIELD_TITLE.max} 个字），现为 ${JSON.stringify(isObject(child) ? child.title : child)}`);
        }
        walk(child, cp);
      }
    }
    if (isObject(s.items)) walk(s.items, `${p}[]`);
  };
  walk(schema, path);
  return out;
}

/** An `enum` needs `oneOf: [{ const, title }]` naming exactly its values, each once, with a Chinese title. */
function choiceProblems(s: Record<string, any>, p: string): string[] {
  const values: unknown[] = s.enum;
  if (!Array.isArray(s.oneOf)) return [`${p}: 取值 ${JSON.stringify(values)} 缺少 oneOf（每个取值的 const 与中文 title）`];
  const out: string[] = [];
  const consts = s.oneOf.map((o: unknown) => (isObject(o) ? o.const : undefined));
  for (const v of values) if (consts.filter((c: unknown) => c === v).length !== 1) out.push(`${p}: 取值 ${JSON.stringify(v)} 在 oneOf 中应恰好出现一次`);
  for (const c of consts) if (!values.includes(c)) out.push(`${p}: oneOf 中的 ${JSON.stringify(c)} 不是 enum 的取值`);
  for (const o of s.oneOf) {
    // a choice's label may be one character (是 / 否)
    if (!isObject(o) || !chineseTitle(o.title, Infinity, 1)) out.push(`${p}: 取值 ${JSON.stringify(isObject(o) ? o.const : o)} 缺少中文 title`);
    else if (Object.keys(o).some((k) => !['const', 'title', 'description'].includes(k))) out.push(`${p}: oneOf 的 ${JSON.stringify(o.const)} 只应有 const、title（与 description）`);
  }
  return out;
}

/**
 * Every problem of a published definition (`describeProcedure`'s answer), each line naming the
 * procedure, the event (and the state it leaves) and the field path, e.g.
 * `monitoring-inclusion RECORD_VERIFICATION (lead) data.conclusion: …`.
 */
export function definitionLabelProblems(def: any): string[] {
  const out: string[] = [];
  const at = (where: string, list: string[]) => out.push(...list.map((x) => `${def.procedure} ${where}${x}`));
  for (const s of def.states ?? []) if (!chineseTitle(s.title)) at('', [`状态 ${s.id}: 缺少中文标题`]);
  const roles = new Map<string, any>((def.roles ?? []).map((r: any) => [r.id, r]));
  const evidence = new Map<string, any>((def.evidenceTypes ?? []).map((e: any) => [e.id, e]));
  for (const e of def.events ?? []) {
    const where = `${e.type} (${(e.from ?? []).join(',')}) `;
    if (!chineseTitle(e.title)) at(where, ['缺少中文标题']);
    at(where, fieldSchemaProblems(e.fields, 'data'));
    for (const r of e.role ?? []) if (!chineseTitle(roles.get(r)?.title)) at(where, [`角色 ${r}: roles 中缺少中文标题`]);
    const types = [...(e.evidence?.allOf ?? []), ...(e.evidence?.anyOf ?? []).flat()];
    for (const t of types) if (!chineseTitle(evidence.get(t)?.title)) at(where, [`证明材料 ${t}: evidenceTypes 中缺少中文标题`]);
  }
  return out;
}
