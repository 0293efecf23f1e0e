import type { ModelContext, ModelIssue, ModelTree, StateSpec } from './ModelTree.js';
import { parseModel } from './parseModel.js';

export type { ModelContext, ModelIssue } from './ModelTree.js';

/**
 * Load-time checks of an `expect.model` block: structure, initial states at every level, transition
 * targets (with did-you-mean), event names (patterns or runner events), `after` delays, `when` groups,
 * and that every state (a final one included) can be reached from the initial state.
 * Paths are inside the model; the loader maps them to file:line:col.
 */
export function checkModel(model: unknown, extra: ModelContext): ModelIssue[] {
  return parseModel(model, extra).issues;
}

/** Every name `wait:` and `cut: { when }` may use (see resolveStateName); fail states are not among them. */
export function stateNames(model: unknown): string[] {
  const { tree } = parseModel(model, { patternNames: [] });
  return tree ? namesOf(tree) : [];
}

export function namesOf(tree: ModelTree): string[] {
  const candidates = new Set<string>();
  for (const state of tree.states) {
    candidates.add(state.path);
    candidates.add(state.key);
  }
  for (const [id, state] of tree.ids) {
    if (state === tree.root) continue;
    for (const prefix of [`#${id}`, id]) {
      candidates.add(prefix);
      for (const below of tree.states) if (below.path.startsWith(`${state.path}.`)) candidates.add(`${prefix}${below.path.slice(state.path.length)}`);
    }
  }
  return [...candidates].filter((name) => resolveStateName(tree, name) !== undefined);
}

/**
 * What a state name in a step means, first rule that applies:
 * 1. a dotted path from the top (`bootloader.copying`);
 * 2. an id, with or without `#`, optionally followed by a path below it (`#boot.copying`);
 * 3. a bare state name that is unique in the model (`copying`).
 * Fail states are never a valid name: reaching one ends the case.
 */
export function resolveStateName(tree: ModelTree, name: string): StateSpec | undefined {
  const found = byPath(tree.root, name) ?? byId(tree, name) ?? byUniqueKey(tree, name);
  return found && found !== tree.root && !found.fail ? found : undefined;
}

function byPath(from: StateSpec, path: string): StateSpec | undefined {
  let node: StateSpec | undefined = from;
  for (const segment of path.split('.')) {
    node = node.children.get(segment);
    if (!node) return undefined;
  }
  return node;
}

function byId(tree: ModelTree, name: string): StateSpec | undefined {
  const [head, ...rest] = (name.startsWith('#') ? name.slice(1) : name).split('.');
  const state = tree.ids.get(head!);
  if (!state) return undefined;
  return rest.length === 0 ? state : byPath(state, rest.join('.'));
}

function byUniqueKey(tree: ModelTree, name: string): StateSpec | undefined {
  const matches = tree.states.filter((s) => s.key === name);
  return matches.length === 1 ? matches[0] : undefined;
}
