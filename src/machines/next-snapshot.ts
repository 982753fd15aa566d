import { type AnyActorScope, type AnyStateMachine, createActor } from 'xstate';

/**
 * A machine's next snapshot for an event, as xstate's `transition(machine, snapshot, event)`
 * computes it, without its cost: `transition()` builds a throwaway actor for every call (the
 * machine's initial snapshot computed again, two actor systems made) — ~22 µs, twenty times the
 * step's own transition (issue 21). The procedures' machines invoke and spawn nothing and keep no
 * state in their actor, so one inert scope per machine serves every call: a call runs to its end
 * before another starts (the transition is synchronous) and leaves nothing in the scope. Its
 * actions are not executed, as with `transition()` (the engine stores the snapshot; effects are
 * the adapters'). `monitoring-inclusion.machine.spec.ts` holds both equal to xstate's own functions.
 */
const SCOPES = new WeakMap<AnyStateMachine, AnyActorScope>();

function scopeOf(machine: AnyStateMachine): AnyActorScope {
  let scope = SCOPES.get(machine);
  if (!scope) {
    const self = createActor(machine);
    scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => undefined,
      defer: () => undefined,
      stopChild: () => undefined,
      emit: () => undefined,
      actionExecutor: () => undefined,
    } as unknown as AnyActorScope;
    SCOPES.set(machine, scope);
  }
  return scope;
}

export function nextSnapshot<M extends AnyStateMachine>(machine: M, snapshot: ReturnType<M['resolveState']>, event: Parameters<M['transition']>[1]): ReturnType<M['transition']> {
  return machine.transition(snapshot, event, scopeOf(machine)) as ReturnType<M['transition']>;
}

/** A machine's first snapshot for `input`, as xstate's `initialTransition(machine, input)` computes it (same scope as above). */
export function initialSnapshot<M extends AnyStateMachine>(machine: M, input: unknown): ReturnType<M['getInitialSnapshot']> {
  return machine.getInitialSnapshot(scopeOf(machine), input) as ReturnType<M['getInitialSnapshot']>;
}
