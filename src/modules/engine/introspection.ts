/**
 * Reads a procedure machine as data: which transitions leave a state for an event, their
 * meta and guard params. Used by enforcement, availableActions and the published definition.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import type { AllowedParams, ProcedureDefinition, StateMeta, TransitionMeta } from '../../machines/procedure';

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

/** `GET /procedures/{id}`: the definition a front-end renders forms and buttons from. */
export function describeProcedure(def: ProcedureDefinition) {
  const machine = def.machine;
  const events: Array<Record<string, unknown>> = [];
  for (const from of stateIds(machine)) {
    for (const { type, branches } of eventsOf(machine, from)) {
      const meta = branches[0].meta;
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
        fields: meta.fields ?? { type: 'object' },
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
