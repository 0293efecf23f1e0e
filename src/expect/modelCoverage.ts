import type { Coverage } from './Expectation.js';
import { cuttableStates } from './modelSpec.js';
import type { ModelTree, StateSpec } from './ModelTree.js';
import { formatWhen } from './transitionSelection.js';

/** A case's coverage of its model: the states it visited and how often it took each transition (`counts`, by index). */
export function modelCoverage(tree: ModelTree, counts: readonly number[], visited: ReadonlySet<StateSpec>): Coverage {
  const states = tree.states.filter((s) => !s.fail);
  return {
    states: states.map((s) => s.path),
    visited: states.filter((s) => visited.has(s)).map((s) => s.path),
    cuttable: cuttableStates(tree),
    transitions: tree.transitions.map((t) => {
      const from = t.source.path || '*';
      const entry: Coverage['transitions'][number] = {
        from,
        event: t.event,
        to: t.target ? t.target.path || '*' : from,
        count: counts[t.index]!,
      };
      if (t.when) entry.when = formatWhen(t.when);
      return entry;
    }),
  };
}
