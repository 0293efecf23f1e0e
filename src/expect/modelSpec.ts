import type { ModelTree, StateSpec } from './ModelTree.js';

/** States the model marks `cuttable: true`, parents before children; fail states are never among them. */
export function cuttableStates(tree: ModelTree): string[] {
  return tree.states.filter((s) => s.cuttable && !s.fail).map((s) => s.path);
}

/** Every name `wait:` and `cut: { when }` may use (see resolveStateName); fail states are not among them. */
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
      for (const below of tree.states)
        if (below.path.startsWith(`${state.path}.`)) candidates.add(`${prefix}${below.path.slice(state.path.length)}`);
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
