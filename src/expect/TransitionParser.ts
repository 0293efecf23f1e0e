import { formatDuration } from '../core/duration.js';
import { suggestion } from '../core/didYouMean.js';
import type { IssuePath, ModelContext, StateSpec, TransitionSpec, WhenValue } from './ModelTree.js';
import { DELAYED_KEYS, delayOf, isMapping, isScalar, quote, type Raw, TRANSITION_KEYS } from './modelSyntax.js';
import { resolveTarget } from './resolveTarget.js';
import { isRunnerEvent, RUNNER_EVENT_TYPES, runnerEventGroupNames } from './runnerEvents.js';

/**
 * Parses a state's `on:` and `after:` into transitions once every state and id is known: event names (patterns or
 * runner events), alternatives and their `when` groups, delays, and targets (with did-you-mean). Each transition
 * is numbered by its place in `transitions`, the list the tree keeps; problems go to `issue` as parseModel's do.
 */
export class TransitionParser {
  private readonly events: Set<string>;

  constructor(
    private readonly context: ModelContext,
    private readonly ids: ReadonlyMap<string, StateSpec>,
    private readonly transitions: TransitionSpec[],
    private readonly issue: (path: IssuePath, message: string, key?: boolean) => void,
  ) {
    this.events = new Set([...context.patternNames, ...RUNNER_EVENT_TYPES]);
  }

  transitionsOf(state: StateSpec, raw: Raw): void {
    if (raw.on !== undefined) {
      if (!isMapping(raw.on)) this.issue([...state.where, 'on'], 'on is a mapping of event name to target');
      else {
        for (const [event, value] of Object.entries(raw.on)) {
          const where = [...state.where, 'on', event];
          if (!this.events.has(event)) {
            const known = [...this.context.patternNames, ...RUNNER_EVENT_TYPES];
            this.issue(
              where,
              `unknown event ${quote(event)}: not a pattern name (${this.context.patternNames.join(', ') || 'none'}) nor a runner event (${RUNNER_EVENT_TYPES.join(', ')})${suggestion(event, known)}`,
              true,
            );
            continue;
          }
          const list = this.eventTransitions(state, event, value, where);
          if (list.length > 0) state.on.set(event, list);
        }
      }
    }
    if (raw.after !== undefined && state.parent) {
      if (!isMapping(raw.after)) this.issue([...state.where, 'after'], 'after is a mapping of delay (3000, 500ms, 3s) to target');
      else {
        const seen = new Map<number, string>();
        for (const [key, value] of Object.entries(raw.after)) {
          const where = [...state.where, 'after', key];
          const ms = delayOf(key);
          if (ms === undefined) {
            this.issue(where, `after delay ${quote(key)} is not a duration: write milliseconds (3000) or 500ms, 3s, 1.5s`, true);
            continue;
          }
          if (seen.has(ms)) {
            this.issue(where, `after delay ${quote(key)} is the same as ${quote(seen.get(ms)!)}`, true);
            continue;
          }
          seen.set(ms, key);
          const t = this.delayedTransition(state, ms, value, where);
          if (t) state.after.push(t);
        }
      }
    }
  }

  private eventTransitions(state: StateSpec, event: string, value: unknown, where: IssuePath): TransitionSpec[] {
    if (!Array.isArray(value)) {
      const t = this.transition(state, event, value, where);
      return t ? [t] : [];
    }
    if (value.length === 0) {
      this.issue(where, 'an empty list of alternatives: give a target, or {} to accept the event and stay');
      return [];
    }
    const list: TransitionSpec[] = [];
    value.forEach((item, i) => {
      if (Array.isArray(item) || item === null) {
        this.issue([...where, i], 'each alternative is a target or { target, when }');
        return;
      }
      const t = this.transition(state, event, item, [...where, i]);
      if (!t) return;
      if (i < value.length - 1 && !t.when) {
        this.issue([...where, i], `alternative ${i + 1} has no when, so the ones after it are never taken`);
      }
      list.push(t);
    });
    return list;
  }

  private transition(state: StateSpec, event: string, value: unknown, where: IssuePath): TransitionSpec | undefined {
    const spec: TransitionSpec = { index: -1, source: state, event, reenter: false, where };
    if (value === null) return this.add(spec);
    if (typeof value === 'string') return this.withTarget(spec, value, where);
    if (!isMapping(value)) {
      this.issue(where, 'a transition is a target state, { target, when }, a list of those, or {} to accept the event and stay');
      return undefined;
    }
    if (!this.objectKeys(value, TRANSITION_KEYS, where)) return undefined;
    if (value.reenter !== undefined) {
      if (typeof value.reenter !== 'boolean') this.issue([...where, 'reenter'], 'reenter is true or false');
      else spec.reenter = value.reenter;
    }
    if (value.when !== undefined) {
      const when = this.when(event, value.when, [...where, 'when']);
      if (!when) return undefined;
      spec.when = when;
    }
    if (value.target === undefined) return this.add(spec);
    if (typeof value.target !== 'string') {
      this.issue([...where, 'target'], 'target names a state');
      return undefined;
    }
    return this.withTarget(spec, value.target, [...where, 'target']);
  }

  private delayedTransition(state: StateSpec, ms: number, value: unknown, where: IssuePath): TransitionSpec | undefined {
    const spec: TransitionSpec = { index: -1, source: state, event: `after ${formatDuration(ms)}`, reenter: false, delayMs: ms, where };
    if (typeof value === 'string') return this.withTarget(spec, value, where);
    if (!isMapping(value)) {
      this.issue(where, 'an after transition is a target state or { target }');
      return undefined;
    }
    if (value.when !== undefined) {
      this.issue([...where, 'when'], "when tests an event's groups; a delay has none", true);
      return undefined;
    }
    if (!this.objectKeys(value, DELAYED_KEYS, where)) return undefined;
    if (value.reenter !== undefined) {
      if (typeof value.reenter !== 'boolean') this.issue([...where, 'reenter'], 'reenter is true or false');
      else spec.reenter = value.reenter;
    }
    if (typeof value.target !== 'string') {
      this.issue([...where, 'target'], 'an after transition needs a target state');
      return undefined;
    }
    return this.withTarget(spec, value.target, [...where, 'target']);
  }

  private objectKeys(value: Raw, allowed: string[], where: IssuePath): boolean {
    let ok = true;
    for (const k of Object.keys(value)) {
      if (allowed.includes(k)) continue;
      ok = false;
      const hint = k === 'guard' || k === 'cond' ? ': use when: { group: value }' : suggestion(k, allowed);
      this.issue([...where, k], `unknown key ${quote(k)} in a transition${hint}; it has ${allowed.join(', ')}`, true);
    }
    return ok;
  }

  private when(event: string, raw: unknown, where: IssuePath): Array<[string, WhenValue[]]> | undefined {
    if (!isMapping(raw) || Object.keys(raw).length === 0) {
      this.issue(where, 'when is a mapping of group name to value (or a list of values)');
      return undefined;
    }
    const groups = isRunnerEvent(event) ? runnerEventGroupNames(event) : this.context.patternGroups?.[event];
    const when: Array<[string, WhenValue[]]> = [];
    let ok = true;
    for (const [group, value] of Object.entries(raw)) {
      if (groups && !groups.includes(group)) {
        ok = false;
        const has = groups.length ? `it has ${groups.join(', ')}` : 'it has no named groups';
        this.issue([...where, group], `${event} has no group ${quote(group)}: ${has}${suggestion(group, groups)}`, true);
        continue;
      }
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || !values.every(isScalar)) {
        ok = false;
        this.issue([...where, group], 'a group value is a string or number, or a list of them');
        continue;
      }
      when.push([group, values]);
    }
    return ok ? when : undefined;
  }

  private withTarget(spec: TransitionSpec, text: string, where: IssuePath): TransitionSpec | undefined {
    spec.targetText = text;
    const resolved = resolveTarget(this.ids, spec.source, text);
    if (typeof resolved === 'string') {
      this.issue(where, resolved);
      return undefined;
    }
    if (resolved.fail && resolved.children.size > 0 && resolved.initialKey === undefined && !resolved.parent?.fail) {
      this.issue(where, `name the reason: one of ${[...resolved.children.keys()].map((r) => `${text}.${r}`).join(', ')}`);
      return undefined;
    }
    spec.target = resolved;
    return this.add(spec);
  }

  private add(spec: TransitionSpec): TransitionSpec {
    spec.index = this.transitions.length;
    this.transitions.push(spec);
    return spec;
  }
}
