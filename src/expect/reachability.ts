import { entryLeaf, lineage, type ModelTree, type StateSpec } from './ModelTree.js';

/** States the model can be in, starting from its initial state, following every transition; failures end a path. */
export function reachableStates(tree: ModelTree): Set<StateSpec> {
  const leaves = new Set<StateSpec>();
  const queue = [entryLeaf(tree.root)];
  while (queue.length > 0) {
    const leaf = queue.pop()!;
    if (leaves.has(leaf)) continue;
    leaves.add(leaf);
    // A top-level final state ends the model: nothing, not even a root-level transition, leaves it.
    if (leaf.fail || (leaf.final && leaf.parent === tree.root)) continue;
    for (const node of lineage(leaf)) {
      const outgoing = [...[...node.on.values()].flat(), ...node.after];
      for (const t of outgoing) if (t.target) queue.push(entryLeaf(t.target));
    }
  }
  const reached = new Set<StateSpec>();
  for (const leaf of leaves) for (const node of lineage(leaf)) reached.add(node);
  return reached;
}
