import { suggestion } from '../core/didYouMean.js';
import type { StateSpec } from './ModelTree.js';

/**
 * Resolves a transition target the way xstate does: `name` or `name.child` is a sibling of the source,
 * `.child` is below the source, `#id` and `#id.child` start at a state's id. At the root, where there are no
 * siblings, a plain name means a top-level state (xstate would insist on `.name`). Returns an error message
 * when the target does not exist.
 */
export function resolveTarget(ids: ReadonlyMap<string, StateSpec>, source: StateSpec, text: string): StateSpec | string {
  if (text === '' || text === '#' || text === '.') return 'empty target: name a state';
  let base: StateSpec;
  let segments: string[];
  if (text.startsWith('#')) {
    const [head, ...rest] = text.slice(1).split('.');
    const found = ids.get(head!);
    if (!found)
      return `no state with id ${JSON.stringify(`#${head}`)}${suggestion(
        text,
        [...ids.keys()].map((id) => `#${id}`),
      )}`;
    base = found;
    segments = rest;
  } else if (text.startsWith('.')) {
    base = source;
    segments = text.slice(1).split('.');
  } else {
    base = source.parent ?? source;
    segments = text.split('.');
  }
  let node = base;
  for (const segment of segments) {
    const next = node.children.get(segment);
    if (!next) {
      const candidates = targetCandidates(ids, source, base, text);
      return `target ${JSON.stringify(text)} is not a state${suggestion(text, candidates)}`;
    }
    node = next;
  }
  return node;
}

/** How each state can be spelled as a target from `source`, for the did-you-mean. */
function targetCandidates(ids: ReadonlyMap<string, StateSpec>, source: StateSpec, base: StateSpec, text: string): string[] {
  const out: string[] = [];
  const walk = (state: StateSpec, prefix: string) => {
    for (const child of state.children.values()) {
      const name = prefix + child.key;
      out.push(name);
      walk(child, `${name}.`);
    }
  };
  if (text.startsWith('#')) {
    for (const [id, state] of ids) {
      out.push(`#${id}`);
      walk(state, `#${id}.`);
    }
  } else if (text.startsWith('.')) walk(source, '.');
  else walk(base, '');
  return out;
}
