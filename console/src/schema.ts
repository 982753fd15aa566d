/**
 * The form of a step, from the event's JSON Schema in GET /procedures/{id} (issue 20): no page
 * per step. A field's label is its `title` when the definition gives one, else its
 * `description`, else its name; a choice's labels come from `oneOf: [{ const, title }]`, else from
 * the "value 标题" pairs of the description, else the values themselves.
 */
export type FieldKind = 'text' | 'textarea' | 'number' | 'date' | 'checkbox' | 'select' | 'multi' | 'json';

export interface FieldDef {
  path: string;
  label: string;
  hint: string;
  kind: FieldKind;
  required: boolean;
  options: Array<{ value: string; label: string }>;
  group: string;
  integer: boolean;
}

type Schema = Record<string, any>;

export function labelOf(schema: Schema, name: string): string {
  if (typeof schema.title === 'string' && schema.title) return schema.title;
  if (typeof schema.description === 'string' && schema.description) {
    // the short head of a long description: up to its first colon or bracket
    const head = schema.description.split(/[：:（(；;]/)[0].trim();
    return head || schema.description;
  }
  return name;
}

export function optionsOf(schema: Schema): Array<{ value: string; label: string }> {
  if (Array.isArray(schema.oneOf) && schema.oneOf.every((o: Schema) => o && 'const' in o)) {
    return schema.oneOf.map((o: Schema) => ({ value: String(o.const), label: o.title ? String(o.title) : String(o.const) }));
  }
  const values: unknown[] = Array.isArray(schema.enum) ? schema.enum : [];
  const desc = typeof schema.description === 'string' ? schema.description : '';
  return values.map((v) => {
    const m = desc.match(new RegExp(`(?:^|[\\s：:/，,；;])${String(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+([^/，,；;\\s]+)`));
    return { value: String(v), label: m ? m[1] : String(v) };
  });
}

function isEnum(schema: Schema): boolean {
  return Array.isArray(schema.enum) || (Array.isArray(schema.oneOf) && schema.oneOf.length > 0 && schema.oneOf.every((o: Schema) => o && 'const' in o));
}

/** Flattens an event's schema into the fields of its form (nested objects become groups). */
export function fieldsOf(schema: Schema | undefined, prefix = '', group = '', parentRequired = true): FieldDef[] {
  if (!schema || schema.type !== 'object' || !schema.properties) return [];
  const required: string[] = Array.isArray(schema.required) ? schema.required : [];
  const out: FieldDef[] = [];
  for (const [name, raw] of Object.entries<Schema>(schema.properties)) {
    const s = raw ?? {};
    const path = prefix ? `${prefix}.${name}` : name;
    const label = labelOf(s, name);
    const req = parentRequired && required.includes(name);
    const base = { path, label, hint: typeof s.description === 'string' && s.description !== label ? s.description : '', required: req, options: [], group, integer: s.type === 'integer' };
    if (s.type === 'object' && s.properties) {
      out.push(...fieldsOf(s, path, group ? `${group} · ${label}` : label, req));
    } else if (isEnum(s)) {
      out.push({ ...base, kind: 'select', options: optionsOf(s) });
    } else if (s.type === 'array' && s.items && isEnum(s.items)) {
      out.push({ ...base, kind: 'multi', options: optionsOf({ ...s.items, description: s.items.description ?? s.description }) });
    } else if (s.type === 'boolean') {
      out.push({ ...base, kind: 'checkbox' });
    } else if (s.type === 'number' || s.type === 'integer') {
      out.push({ ...base, kind: 'number' });
    } else if (s.type === 'string' && s.format === 'date') {
      out.push({ ...base, kind: 'date' });
    } else if (s.type === 'string') {
      out.push({ ...base, kind: (s.maxLength ?? 0) > 200 ? 'textarea' : 'text' });
    } else {
      out.push({ ...base, kind: 'json', hint: `${base.hint}（JSON）`.trim() });
    }
  }
  return out;
}

export type Values = Record<string, string | boolean | string[]>;

export function initialValues(fields: FieldDef[]): Values {
  return Object.fromEntries(fields.map((f) => [f.path, f.kind === 'checkbox' ? false : f.kind === 'multi' ? [] : '']));
}

/** The event's `data` from the form: typed values, empty optional fields left out. */
export function dataOf(fields: FieldDef[], values: Values): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.path];
    let out: unknown;
    if (f.kind === 'checkbox') {
      if (!v && !f.required) continue;
      out = Boolean(v);
    } else if (f.kind === 'multi') {
      if (!(v as string[]).length && !f.required) continue;
      out = v;
    } else {
      if (v === '' || v === undefined) continue;
      if (f.kind === 'number') out = Number(v);
      else if (f.kind === 'json') {
        try {
          out = JSON.parse(String(v));
        } catch {
          out = v;
        }
      } else out = v;
    }
    const parts = f.path.split('.');
    let at = data;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]] = out;
  }
  return data;
}

/** Choices that name a state of the procedure (a RETURN's `toState`) read as the state's title when the schema gives none. */
export function withStateTitles(fields: FieldDef[], def: { states?: Array<{ id: string; title: string }> } | null | undefined): FieldDef[] {
  const titles = new Map((def?.states ?? []).map((s) => [s.id, s.title]));
  return fields.map((f) => ({ ...f, options: f.options.map((o) => (o.label === o.value && titles.has(o.value) ? { ...o, label: titles.get(o.value)! } : o)) }));
}
