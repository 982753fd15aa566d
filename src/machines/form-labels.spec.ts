/**
 * Issue 20 (the definitions carry what a console form needs): every published definition of
 * every procedure has a short Chinese title on every field and a complete `oneOf` on every
 * enum; the labels change nothing of what the engine accepts or how it refuses.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeProcedure, eventsOf, stateIds } from '../modules/engine/introspection';
import { checkData } from '../modules/engine/requirements';
import { definitionLabelProblems, fieldSchemaProblems } from './form-labels';
import type { JsonSchema, ProcedureDefinition } from './procedure';

/** Every procedure definition exported by a machine file (a new `*.machine.ts` is found without listing it here). */
async function allDefinitions(): Promise<ProcedureDefinition[]> {
  const files = readdirSync(join(process.cwd(), 'src/machines')).filter((f) => f.endsWith('.machine.ts'));
  const defs = new Map<string, ProcedureDefinition>();
  for (const f of files) {
    const mod: Record<string, unknown> = await import(`./${f.replace(/\.ts$/, '')}`);
    for (const v of Object.values(mod)) {
      const d = v as ProcedureDefinition;
      if (d && typeof d === 'object' && typeof d.id === 'string' && typeof d.version === 'number' && d.machine && d.rules) defs.set(`${d.id}@${d.version}`, d);
    }
  }
  return [...defs.values()];
}

/** Every path (data.a.b[].c) of a schema that holds an enum, with the enum. */
function enumPaths(schema: any, path = 'data'): Array<{ path: string; values: unknown[] }> {
  if (!schema || typeof schema !== 'object') return [];
  const here = Array.isArray(schema.enum) ? [{ path, values: schema.enum as unknown[] }] : [];
  const props = Object.entries(schema.properties ?? {}).flatMap(([k, s]) => enumPaths(s, `${path}.${k}`));
  return [...here, ...props, ...(schema.items && !Array.isArray(schema.items) ? enumPaths(schema.items, `${path}[]`) : [])];
}

/** Event data holding `value` at `path` (one item per array on the way), and the field name the engine reports. */
function dataAt(path: string, value: unknown): { data: unknown; field: string } {
  const steps = path.split('.').slice(1).flatMap((p) => (p.endsWith('[]') ? [p.slice(0, -2), 0] : [p]));
  let data: unknown = value;
  for (const s of [...steps].reverse()) data = typeof s === 'number' ? [data] : { [s]: data };
  return { data, field: ['data', ...steps].join('.') };
}

describe('trust: issue 20 — the definitions carry what a form needs', () => {
  let defs: ProcedureDefinition[];
  beforeAll(async () => {
    defs = await allDefinitions();
  });

  it('trust: every field of every event of every procedure has a short Chinese title, every enum a complete oneOf, every role and evidence type a title', () => {
    // the procedures the service registers today; a new machine file is walked too
    expect(defs.map((d) => d.id)).toEqual(
      expect.arrayContaining([
        'monitoring-inclusion',
        'risk-elimination',
        'welfare-post-setting',
        'welfare-post-hiring',
        'project-intake',
        'project-implementation',
        'project-payment',
        'rectification',
      ]),
    );
    const problems = defs.flatMap((d) => definitionLabelProblems(describeProcedure(d)));
    // one line per problem: procedure, event (from state), field path
    expect(problems.join('\n')).toBe('');
    for (const d of defs) {
      const published = describeProcedure(d);
      expect(published.events.length).toBeGreaterThan(0);
      expect(published.roles.length).toBeGreaterThan(0);
    }
  });

  it('trust: the check names the procedure, event and field path of what lacks a label, and an incomplete oneOf', () => {
    const def = {
      procedure: 'p',
      states: [{ id: 's', title: '起始' }],
      roles: [{ id: 'village', title: '村级经办' }],
      evidenceTypes: [],
      events: [
        {
          type: 'GO',
          title: '办理',
          from: ['s'],
          role: ['village', 'county'],
          evidence: { allOf: ['household_survey'], anyOf: [] },
          fields: {
            type: 'object',
            properties: {
              a: { type: 'string', description: '只有说明的字段' },
              b: { type: 'object', title: '对象', properties: { c: { type: 'array', title: '列表', items: { type: 'object', properties: { d: { enum: ['x', 'y'], title: '选择' } } } } } },
              e: { enum: ['x', 'y'], title: '选择二', oneOf: [{ const: 'x', title: '甲' }, { const: 'z', title: '丙' }] },
              f: { type: 'string', title: '这是一个超过十二个字的很长的字段标题' },
            },
          },
        },
      ],
    };
    const problems = definitionLabelProblems(def);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^p GO \(s\) data\.a: 缺少简短中文标题/),
        expect.stringMatching(/^p GO \(s\) data\.b\.c\[\]\.d: 取值 \["x","y"\] 缺少 oneOf/),
        expect.stringMatching(/^p GO \(s\) data\.e: 取值 "y" 在 oneOf 中应恰好出现一次/),
        expect.stringMatching(/^p GO \(s\) data\.e: oneOf 中的 "z" 不是 enum 的取值/),
        expect.stringMatching(/^p GO \(s\) data\.f: 缺少简短中文标题/),
        expect.stringMatching(/^p GO \(s\) 角色 county/),
        expect.stringMatching(/^p GO \(s\) 证明材料 household_survey/),
      ]),
    );
    expect(problems).toHaveLength(7);
    expect(fieldSchemaProblems({ type: 'object', properties: { a: { type: 'string', title: '姓名' } } }, 'data')).toEqual([]);
  });

  it('trust: a return names its target states by their titles, from the machine (the labels of toState)', () => {
    const inclusion = describeProcedure(defs.find((d) => d.id === 'monitoring-inclusion')!);
    const ret = inclusion.events.find((e) => e.type === 'RETURN' && (e.from as string[])[0] === 'township_review')!;
    const toState = (ret.fields as any).properties.toState;
    expect(toState).toEqual({
      enum: ['household_verification', 'village_appraisal'],
      oneOf: [
        { const: 'household_verification', title: '入户核实' },
        { const: 'village_appraisal', title: '村级民主评议' },
      ],
      title: '退回到',
      description: '退回到的环节',
    });
    const verify = inclusion.events.find((e) => e.type === 'RECORD_VERIFICATION')!;
    expect((verify.fields as any).properties.conclusion).toMatchObject({
      title: '核实结论',
      enum: ['include', 'exclude'],
      oneOf: [
        { const: 'include', title: '建议纳入' },
        { const: 'exclude', title: '建议不纳入' },
      ],
    });
    expect(inclusion.roles).toContainEqual({ id: 'village', title: '村级经办', titleEn: 'Village' });
    expect(inclusion.evidenceTypes).toContainEqual({ id: 'household_survey', title: '入户核查表', titleEn: 'Household survey' });
  });

  it('trust: every published event schema compiles in a strict JSON Schema validator (a console may validate with it); only the declared incomeShape keyword is not standard', () => {
    // strictTypes off: `then` narrows a field declared with its type (riskTypes minItems) without repeating it
    const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
    addFormats(ajv);
    ajv.addKeyword('incomeShape');
    for (const d of defs) {
      for (const e of describeProcedure(d).events) {
        expect({ at: `${d.id} ${String(e.type)} (${(e.from as string[]).join(',')})`, compiles: (() => {
          try {
            ajv.compile(e.fields as JsonSchema);
            return true;
          } catch (err) {
            return (err as Error).message;
          }
        })() }).toEqual({ at: `${d.id} ${String(e.type)} (${(e.from as string[]).join(',')})`, compiles: true });
      }
    }
  });

  it('trust: the labels change no validation — every enum field of every event refuses a value outside it with the same message and accepts each of its values', () => {
    let checked = 0;
    for (const d of defs) {
      for (const from of stateIds(d.machine)) {
        for (const { type, branches } of eventsOf(d.machine, from)) {
          const meta = branches[0].meta;
          for (const { path, values } of enumPaths(meta.fields as JsonSchema)) {
            const bad = dataAt(path, '__not_a_choice__');
            const err = checkData(meta, bad.data);
            expect({ at: `${d.id} ${type} (${from}) ${bad.field}`, message: (err?.details?.fields as Record<string, string> | undefined)?.[bad.field] }).toEqual({
              at: `${d.id} ${type} (${from}) ${bad.field}`,
              message: `取值应为：${values.join(', ')}`,
            });
            for (const v of values) {
              const good = dataAt(path, v);
              expect({ at: `${d.id} ${type} (${from}) ${good.field}=${String(v)}`, message: (checkData(meta, good.data)?.details?.fields as Record<string, string> | undefined)?.[good.field] }).toEqual({
                at: `${d.id} ${type} (${from}) ${good.field}=${String(v)}`,
                message: undefined,
              });
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
