import { suggestion } from '../core/didYouMean.js';
import { reachableStates } from './reachability.js';
import {
  FAIL,
  DEFAULT_ROOT_ID,
  type IssuePath,
  type ModelContext,
  type ModelIssue,
  type ModelTree,
  type StateSpec,
  type TransitionSpec,
} from './ModelTree.js';
import { blankState, describe, isMapping, quote, type Raw, ROOT_KEYS, STATE_KEYS, targetTexts } from './modelSyntax.js';
import { TransitionParser } from './TransitionParser.js';

/**
 * Parses an `expect.model` block and checks it: structure, initial states at every level, transition targets
 * (with did-you-mean), event names (patterns or runner events), `after` delays, `when` groups, and that every
 * state (a final one included) can be reached from the initial state. `tree` is set when the structure was
 * usable, even if issues were found. Issue paths are inside the model; the loader maps them to file:line:col.
 */
export function parseModel(raw: unknown, context: ModelContext): { tree?: ModelTree; issues: ModelIssue[] } {
  return new ModelParser(context).parse(raw);
}

class ModelParser {
  private readonly issues: ModelIssue[] = [];
  private readonly ids = new Map<string, StateSpec>();
  private readonly states: StateSpec[] = [];
  private readonly transitions: TransitionSpec[] = [];
  private readonly pending: Array<{ state: StateSpec; raw: Raw }> = [];
  private readonly transitionParser: TransitionParser;

  constructor(context: ModelContext) {
    this.transitionParser = new TransitionParser(context, this.ids, this.transitions, (path, message, key) =>
      this.issue(path, message, key),
    );
  }

  private issue(path: IssuePath, message: string, key = false): void {
    this.issues.push(key ? { path, message, key } : { path, message });
  }

  parse(raw: unknown): { tree?: ModelTree; issues: ModelIssue[] } {
    if (!isMapping(raw)) {
      this.issue([], 'the model must be a mapping with initial and states');
      return { issues: this.issues };
    }
    const rootId = typeof raw.id === 'string' && raw.id ? raw.id : DEFAULT_ROOT_ID;
    const root = this.state(raw, '', undefined, [], true);
    if (root.children.size === 0) this.issue([], 'the model needs states');
    const clash = this.ids.get(rootId);
    if (clash)
      this.issue([...clash.where, 'id'], `id ${quote(rootId)} is the model's own id${raw.id === undefined ? ' (the default)' : ''}`);
    this.ids.set(rootId, root);
    this.declareFailState(root);
    this.createImplicitFailReasons(root);
    this.markFail(root, false);
    this.checkInitials(root);
    for (const { state, raw: rawState } of this.pending) this.transitionParser.transitionsOf(state, rawState);
    const tree: ModelTree = { root, rootId, ids: this.ids, states: this.states, transitions: this.transitions };
    // Reachability on a model with broken targets or initials would only add noise to the real problems.
    if (this.issues.length === 0) this.checkReachable(tree);
    return { tree, issues: this.issues };
  }

  private state(raw: Raw, key: string, parent: StateSpec | undefined, where: IssuePath, isRoot = false): StateSpec {
    this.checkStateKeys(raw, where, isRoot);
    const spec: StateSpec = { ...blankState(key, parent && parent.path ? `${parent.path}.${key}` : key, parent), where };
    if (!isRoot) this.states.push(spec);

    this.stateFields(spec, raw, where, isRoot);
    this.childStates(spec, raw, where);
    if (spec.final && (spec.children.size > 0 || raw.on !== undefined || raw.after !== undefined)) {
      this.issue(where, 'a final state has no states, on or after: nothing happens after it');
    }
    this.pending.push({ state: spec, raw });
    return spec;
  }

  private checkStateKeys(raw: Raw, where: IssuePath, isRoot: boolean): void {
    const allowed = isRoot ? ROOT_KEYS : STATE_KEYS;
    for (const k of Object.keys(raw)) {
      if (allowed.includes(k)) continue;
      if (isRoot && (k === 'after' || k === 'type' || k === 'tags'))
        this.issue([...where, k], `${k} is not allowed at the model's root`, true);
      else if (k === 'entry' || k === 'exit' || k === 'invoke' || k === 'always' || k === 'onDone' || k === 'context') {
        this.issue([...where, k], `${k} is not supported: a model only states which events lead where`, true);
      } else this.issue([...where, k], `unknown key ${quote(k)}${suggestion(k, allowed)}; a state has ${allowed.join(', ')}`, true);
    }
  }

  /** id, type, tags, strict, cuttable, description and initial. */
  private stateFields(spec: StateSpec, raw: Raw, where: IssuePath, isRoot: boolean): void {
    if (raw.id !== undefined) {
      if (typeof raw.id !== 'string' || !/^[^.#\s]+$/.test(raw.id))
        this.issue([...where, 'id'], 'an id is a name without dots, # or spaces');
      else if (!isRoot) {
        if (this.ids.has(raw.id)) this.issue([...where, 'id'], `id ${quote(raw.id)} is already used by ${describe(this.ids.get(raw.id)!)}`);
        else this.ids.set(raw.id, spec);
        spec.id = raw.id;
      }
    }
    if (raw.type !== undefined) {
      if (raw.type === 'final') spec.final = true;
      else if (raw.type === 'parallel' || raw.type === 'history')
        this.issue([...where, 'type'], `${raw.type} states are not supported: the model is in one state at a time`);
      else if (raw.type !== 'atomic' && raw.type !== 'compound')
        this.issue([...where, 'type'], `type must be final (got ${JSON.stringify(raw.type)})`);
    }
    if (raw.tags !== undefined) {
      const tags = typeof raw.tags === 'string' ? [raw.tags] : raw.tags;
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) this.issue([...where, 'tags'], 'tags is a list of names');
      else spec.tags = tags;
    }
    if (raw.strict !== undefined) {
      if (typeof raw.strict !== 'boolean') this.issue([...where, 'strict'], 'strict is true or false');
      else spec.strict = raw.strict;
    }
    if (raw.cuttable !== undefined) {
      if (typeof raw.cuttable !== 'boolean') this.issue([...where, 'cuttable'], 'cuttable is true or false');
      else spec.cuttable = raw.cuttable;
    }
    if (raw.description !== undefined && typeof raw.description !== 'string') this.issue([...where, 'description'], 'description is text');
    if (raw.initial !== undefined) {
      if (typeof raw.initial !== 'string') this.issue([...where, 'initial'], 'initial names one of the states below it');
      else spec.initialKey = raw.initial;
    }
  }

  private childStates(spec: StateSpec, raw: Raw, where: IssuePath): void {
    if (raw.states !== undefined) {
      if (!isMapping(raw.states)) this.issue([...where, 'states'], 'states is a mapping of state name to state');
      else {
        for (const [childKey, childRaw] of Object.entries(raw.states)) {
          const childWhere = [...where, 'states', childKey];
          if (!/^[^.#\s][^.\s]*$/.test(childKey)) {
            this.issue(childWhere, `state name ${quote(childKey)} must not contain dots or spaces, nor start with #`, true);
            continue;
          }
          const value = childRaw === null ? {} : childRaw;
          if (!isMapping(value)) {
            this.issue(childWhere, `state ${childKey} must be a mapping (use {} for a state with nothing to say)`);
            continue;
          }
          spec.children.set(childKey, this.state(value, childKey, spec, childWhere));
        }
      }
    }
  }

  /** The top-level `fail` state always has the id `fail`, so `#fail.<reason>` works wherever it is written. */
  private declareFailState(root: StateSpec): void {
    const fail = root.children.get(FAIL);
    const holder = this.ids.get(FAIL);
    if (holder && holder !== fail) {
      this.issue([...holder.where, 'id'], 'the id "fail" is reserved for the top-level fail state');
      return;
    }
    if (fail && fail.id === undefined) {
      fail.id = FAIL;
      this.ids.set(FAIL, fail);
    }
  }

  /**
   * `#fail.<reason>` creates the reason under `fail` (and `fail` itself) unless the model lists its reasons:
   * a model that declares `fail` with states has a closed list, and a misspelt reason is an error.
   */
  private createImplicitFailReasons(root: StateSpec): void {
    const reasons = new Set<string>();
    for (const { raw } of this.pending) {
      for (const target of targetTexts(raw)) {
        const m = /^#fail\.([^.]+)$/.exec(target);
        if (m) reasons.add(m[1]!);
      }
    }
    if (reasons.size === 0) return;
    let fail = root.children.get(FAIL);
    if (fail && fail.children.size > 0) return;
    if (this.ids.has(FAIL) && this.ids.get(FAIL) !== fail) return;
    if (!fail) {
      fail = { ...blankState(FAIL, FAIL, root), id: FAIL, implicit: true, where: [] };
      root.children.set(FAIL, fail);
      this.states.push(fail);
      this.ids.set(FAIL, fail);
    }
    for (const reason of reasons) {
      const child: StateSpec = { ...blankState(reason, `${FAIL}.${reason}`, fail), implicit: true, where: fail.where };
      fail.children.set(reason, child);
      this.states.push(child);
    }
  }

  private markFail(state: StateSpec, inherited: boolean): void {
    state.fail =
      inherited || state.tags.includes(FAIL) || (state.parent !== undefined && state.parent.parent === undefined && state.key === FAIL);
    for (const child of state.children.values()) this.markFail(child, state.fail);
  }

  private checkInitials(state: StateSpec): void {
    if (state.children.size > 0) {
      const names = [...state.children.values()].filter((c) => !c.fail).map((c) => c.key);
      if (state.initialKey === undefined) {
        // A fail state with reasons is only ever entered by naming the reason.
        if (state.fail && state.parent?.fail !== true) state.initial = state.children.values().next().value;
        else this.issue(state.where, `${describe(state)} has states but no initial (one of: ${names.join(', ')})`);
      } else {
        state.initial = state.children.get(state.initialKey);
        if (!state.initial) {
          this.issue(
            [...state.where, 'initial'],
            `initial state ${quote(state.initialKey)} is not one of ${names.join(', ')}${suggestion(state.initialKey, names)}`,
          );
        }
      }
    } else if (state.initialKey !== undefined && state.parent) {
      this.issue([...state.where, 'initial'], `${describe(state)} has an initial but no states`);
    }
    for (const child of state.children.values()) this.checkInitials(child);
  }

  private checkReachable(tree: ModelTree): void {
    const reached = reachableStates(tree);
    for (const state of tree.states) {
      if (reached.has(state) || state.fail) continue;
      // One issue for an unreachable subtree, at its top.
      if (state.parent && state.parent !== tree.root && !reached.has(state.parent)) continue;
      const what = state.final ? 'final state' : 'state';
      this.issue(state.where, `${what} ${state.path} is unreachable from the initial state: no transition leads to it`);
    }
  }
}
