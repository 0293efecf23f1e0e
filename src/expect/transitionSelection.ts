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

/**
 * What the `when:` guards passed over on the way to the transition taken (or to none) wanted and did not get,
 * group by group: `version=1.1.0, wanted 1.0.0 or 1.0.1`. Empty when no guard was passed over.
 */
export function unmetGuards(leaf: StateSpec, type: string, groups: Readonly<Record<string, string>>): string {
  const wanted = new Map<string, string[]>();
  const format = () =>
    [...wanted].map(([group, values]) => `${group}=${groups[group] ?? '(no value)'}, wanted ${values.join(' or ')}`).join('; ');
  for (const node of lineage(leaf)) {
    for (const t of node.on.get(type) ?? []) {
      if (!t.when || whenMatches(t.when, groups)) return format();
      for (const [group, values] of t.when) {
        if (whenMatches([[group, values]], groups)) continue;
        const list = wanted.get(group) ?? [];
        for (const v of values.map(String)) if (!list.includes(v)) list.push(v);
        wanted.set(group, list);
      }
    }
  }
  return format();
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
