/**
 * Reads a procedure machine as data: which transitions leave a state for an event, their
 * meta and guard params. Used by enforcement, availableActions and the published definition.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { EVIDENCE_TYPES, ROLE_LABELS } from '../../common/domain/enums';
import type { AllowedParams, JsonSchema, ProcedureDefinition, StateMeta, TransitionMeta } from '../../machines/procedure';
import { STATE_CHOICE } from '../../machines/steps';

export interface Branch {
  meta: TransitionMeta;
  params: AllowedParams;
  target: string | null;
}

export function stateNode(machine: AnyStateMachine, state: string): AnyStateNode | undefined {
  return machine.root.states[state];
}

export function stateMeta(machine: AnyStateMachine, state: string): StateMeta {
  return (stateNode(machine, state)?.meta as StateMeta | undefined) ?? { title: state, titleEn: state };
}

export function isFinal(machine: AnyStateMachine, state: string): boolean {
  return stateNode(machine, state)?.type === 'final';
}

function toBranch(t: AnyTransitionDefinition): Branch {
  const guard = t.guard as { type?: string; params?: AllowedParams } | undefined;
  if (!t.meta || guard?.type !== 'allowed') {
    throw new Error(`transition ${t.eventType} from ${t.source.key} lacks meta or the allowed guard`);
  }
  return { meta: t.meta as TransitionMeta, params: guard.params ?? {}, target: t.target?.[0]?.key ?? null };
}

export function branchesFor(machine: AnyStateMachine, state: string, event: string): Branch[] {
  const node = stateNode(machine, state);
  return (node?.on[event] ?? []).map(toBranch);
}

/** Every event a state accepts, each with its branches, in definition order. */
export function eventsOf(machine: AnyStateMachine, state: string): Array<{ type: string; branches: Branch[] }> {
  const node = stateNode(machine, state);
  if (!node) return [];
  return Object.entries(node.on).map(([type, ts]) => ({ type, branches: (ts as AnyTransitionDefinition[]).map(toBranch) }));
}

export function stateIds(machine: AnyStateMachine): string[] {
  return Object.keys(machine.root.states);
}

/**
 * A field schema as published: a choice among the procedure's states (a return's `toState`,
 * marked STATE_CHOICE) gets its `oneOf` labels from the machine's state titles, so a state is
 * named in one place. Everything else is the schema the engine validates with.
 */
function publishedFields(schema: JsonSchema, machine: AnyStateMachine): JsonSchema {
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (!s || typeof s !== 'object') return s;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (!(k === STATE_CHOICE && v === true)) out[k] = walk(v);
    const o = s as Record<string, unknown>;
    if (o[STATE_CHOICE] === true && Array.isArray(o.enum)) {
      out.oneOf = o.enum.map((id) => ({ const: id, title: stateMeta(machine, String(id)).title }));
    }
    return out;
  };
  return walk(schema) as JsonSchema;
}

/** `GET /procedures/{id}`: the definition a front-end renders forms and buttons from. */
export function describeProcedure(def: ProcedureDefinition) {
  const machine = def.machine;
  const events: Array<Record<string, unknown>> = [];
  const roles = new Set<string>();
  const evidenceTypes = new Set<string>();
  for (const from of stateIds(machine)) {
    for (const { type, branches } of eventsOf(machine, from)) {
      const meta = branches[0].meta;
      for (const r of meta.roles) roles.add(r);
      for (const t of [...(meta.evidence?.allOf ?? []), ...(meta.evidence?.anyOf ?? []).flat()]) evidenceTypes.add(t);
      const targets = [...new Set(branches.map((b) => b.target ?? from))];
      events.push({
        type,
        title: meta.title,
        titleEn: meta.titleEn,
        from: [from],
        to: targets[0],
        toOptions: targets.length > 1 ? targets : undefined,
        role: meta.roles,
        evidence: { allOf: meta.evidence?.allOf ?? [], anyOf: meta.evidence?.anyOf ?? [] },
        reasonRequired: branches.every((b) => b.meta.reasonRequired === true),
        reasonRequiredWhen: branches.some((b) => b.meta.reasonRequired) && !branches.every((b) => b.meta.reasonRequired)
          ? branches.filter((b) => b.meta.reasonRequired).map((b) => b.params.when ?? {})
          : undefined,
        review: meta.review === true,
        // a review that keeps out only the users of these states (rectification: whoever rectified)
        ...(meta.separateFrom ? { separateFrom: meta.separateFrom } : {}),
        rules: [...new Set(branches.flatMap((b) => b.params.rules ?? []))].map((id) => ({
          id,
          message: def.rules[id].message,
          messageEn: def.rules[id].messageEn,
        })),
        fields: publishedFields(meta.fields ?? { type: 'object' }, machine),
      });
    }
  }
  return {
    procedure: def.id,
    version: def.version,
    title: def.title,
    titleEn: def.titleEn,
    initial: String(machine.root.initial?.target?.[0]?.key ?? ''),
    states: stateIds(machine).map((id) => ({ id, ...stateMeta(machine, id), final: isFinal(machine, id) })),
    events,
    // the titles of the roles and evidence types the events name (issue 20: a form labels them from here)
    roles: ROLE_LABELS.filter((r) => roles.has(r.id)),
    evidenceTypes: EVIDENCE_TYPES.filter((t) => evidenceTypes.has(t.id)),
    // the rules for opening a case, judged by the engine on its one creation path (issue 12)
    creationRules: Object.entries(def.creationRules ?? {}).map(([id, r]) => ({ id, message: r.message, messageEn: r.messageEn })),
  };
}

/** A Mermaid state diagram, generated from the same machine. */
export function mermaidOf(def: ProcedureDefinition): string {
  const machine = def.machine;
  const lines = ['stateDiagram-v2', `  %% ${def.title} (${def.id} v${def.version})`];
  for (const id of stateIds(machine)) lines.push(`  ${id}: ${stateMeta(machine, id).title}`);
  lines.push(`  [*] --> ${String(machine.root.initial?.target?.[0]?.key)}`);
  for (const from of stateIds(machine)) {
    for (const { type, branches } of eventsOf(machine, from)) {
      for (const target of new Set(branches.map((b) => b.target ?? from))) {
        lines.push(`  ${from} --> ${target}: ${type} ${branches[0].meta.title}`);
      }
    }
    if (isFinal(machine, from)) lines.push(`  ${from} --> [*]`);
  }
  return lines.join('\n') + '\n';
}
