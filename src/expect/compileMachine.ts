import { createMachine, type AnyStateMachine } from 'xstate';
import { whenMatches, type ModelTree, type StateSpec, type TransitionSpec } from './ModelTree.js';

/** What the model's machine receives: a pattern or runner event with its named values. */
export interface ModelEventObject {
  type: string;
  groups: Record<string, string>;
}

export interface CompiledModel {
  machine: AnyStateMachine;
  /** xstate's event type for each delayed transition (`xstate.after.3000.model.booting`) -> the transition. */
  afterEvents: Map<string, TransitionSpec>;
}

/**
 * Builds the real xstate machine from a checked model. Targets are written as absolute `#root.path`
 * references so xstate goes exactly where ModelTree resolved them; `when` becomes an inline guard; every
 * state reports its entry through `onEntry` (re-entries included, which a before/after diff would miss).
 */
export function compileMachine(tree: ModelTree, onEntry: (state: StateSpec) => void): CompiledModel {
  const afterEvents = new Map<string, TransitionSpec>();

  const transition = (t: TransitionSpec): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (t.target) out.target = t.target === tree.root ? `#${tree.rootId}` : `#${tree.rootId}.${t.target.path}`;
    if (t.reenter) out.reenter = true;
    const when = t.when;
    if (when) out.guard = ({ event }: { event: ModelEventObject }) => whenMatches(when, event.groups);
    return out;
  };

  const node = (state: StateSpec): Record<string, unknown> => {
    const config: Record<string, unknown> = { entry: () => onEntry(state) };
    if (state.id && state !== tree.root) config.id = state.id;
    if (state.final) config.type = 'final';
    if (state.tags.length > 0) config.tags = state.tags;
    if (state.children.size > 0) {
      config.initial = state.initial!.key;
      config.states = Object.fromEntries([...state.children.values()].map((child) => [child.key, node(child)]));
    }
    if (state.on.size > 0) {
      config.on = Object.fromEntries([...state.on].map(([event, list]) => [event, list.map(transition)]));
    }
    if (state.after.length > 0) {
      // xstate names a state that has no id `<root id>.<path>`; its delayed events carry that name.
      const xstateId = state.id ?? [tree.rootId, ...state.path.split('.')].join('.');
      config.after = Object.fromEntries(
        state.after.map((t) => {
          afterEvents.set(`xstate.after.${t.delayMs}.${xstateId}`, t);
          return [String(t.delayMs), transition(t)];
        }),
      );
    }
    return config;
  };

  const config = { id: tree.rootId, ...node(tree.root) };
  return { machine: createMachine(config as Parameters<typeof createMachine>[0]), afterEvents };
}
