import { createMachine, type AnyStateMachine } from 'xstate';
import type { ModelTree, StateSpec, TransitionSpec } from './ModelTree.js';
import { whenMatches } from './transitionSelection.js';

/** What the model's machine receives: a pattern or runner event with its named values. */
interface ModelEventObject {
  type: string;
  groups: Record<string, string>;
}

/**
 * Builds the real xstate machine from a checked model. Targets are written as absolute `#root.path`
 * references so xstate goes exactly where ModelTree resolved them; `when` becomes an inline guard. Every
 * state reports its entry (re-entries included, which a before/after diff would miss) and every transition
 * reports that xstate took it, so what the model records is what the machine did.
 */
export function compileMachine(
  tree: ModelTree,
  hooks: { entered(state: StateSpec): void; took(transition: TransitionSpec): void },
): AnyStateMachine {
  const transition = (t: TransitionSpec): Record<string, unknown> => {
    const out: Record<string, unknown> = { actions: () => hooks.took(t) };
    if (t.target) out.target = t.target === tree.root ? `#${tree.rootId}` : `#${tree.rootId}.${t.target.path}`;
    if (t.reenter) out.reenter = true;
    const when = t.when;
    if (when) out.guard = ({ event }: { event: ModelEventObject }) => whenMatches(when, event.groups);
    return out;
  };

  const node = (state: StateSpec): Record<string, unknown> => {
    const config: Record<string, unknown> = { entry: () => hooks.entered(state) };
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
      config.after = Object.fromEntries(state.after.map((t) => [String(t.delayMs), transition(t)]));
    }
    return config;
  };

  return createMachine({ id: tree.rootId, ...node(tree.root) } as Parameters<typeof createMachine>[0]);
}

/** The atomic state a snapshot value of the compiled machine names (`{ bootloader: 'copying' }`). */
export function leafOf(root: StateSpec, value: unknown): StateSpec {
  let node = root;
  let v = value;
  while (v !== undefined) {
    if (typeof v === 'string') return node.children.get(v) ?? node;
    const entry = Object.entries(v as Record<string, unknown>)[0];
    if (!entry) return node;
    node = node.children.get(entry[0]) ?? node;
    v = entry[1];
  }
  return node;
}
