import { isRunnerEvent } from './runnerEvents.js';
import { lineage, type StateSpec, type TransitionSpec, type WhenValue } from './ModelTree.js';

/**
 * Group values are compared as strings. A number in `when:` has already lost its spelling to YAML (`1.0`
 * arrives as 1), so it matches any group value that reads as the same number (`1`, `1.0`, `1.00`).
 */
export function whenMatches(when: ReadonlyArray<[string, WhenValue[]]>, groups: Readonly<Record<string, string>>): boolean {
  for (const [group, values] of when) {
    const actual = groups[group];
    if (actual === undefined) return false;
    const ok = values.some((v) => (typeof v === 'number' ? actual.trim() !== '' && Number(actual) === v : String(v) === actual));
    if (!ok) return false;
  }
  return true;
}

/** The transition xstate takes for an event: the deepest state that has one whose `when` holds, first in file order. */
export function selectTransition(leaf: StateSpec, type: string, groups: Readonly<Record<string, string>>): TransitionSpec | undefined {
  for (const node of lineage(leaf)) {
    const list = node.on.get(type);
    if (!list) continue;
    for (const t of list) if (!t.when || whenMatches(t.when, groups)) return t;
  }
  return undefined;
}

/** Events the model accepts in `leaf` without failing: pattern events first, then runner events. */
export function expectedEvents(leaf: StateSpec): string[] {
  const patterns: string[] = [];
  const runner: string[] = [];
  for (const node of lineage(leaf)) {
    for (const [event, list] of node.on) {
      if (!list.some((t) => !t.target?.fail)) continue;
      const into = isRunnerEvent(event) ? runner : patterns;
      if (!into.includes(event)) into.push(event);
    }
  }
  return [...patterns, ...runner];
}

/** `version=1.0.0|1.0.1` */
export function formatWhen(when: ReadonlyArray<[string, WhenValue[]]>): string {
  return when.map(([group, values]) => `${group}=${values.map(String).join('|')}`).join(' ');
}
