/**
 * The expectation model as written in a scenario (`expect.model`), parsed (parseModel.ts) into a tree that
 * the load-time checks, the name resolver, the xstate compiler and the live model all share, so they can
 * never disagree on what a target or a state name means. See docs/expectations.md for the format.
 */

export type IssuePath = Array<string | number>;

export interface ModelIssue {
  /** Path inside the model (`['states', 'booting', 'on', 'BANER']`). */
  path: IssuePath;
  message: string;
  /** The problem is the mapping key at `path` (an event name, a delay, a state name), not its value. */
  key?: boolean;
}

export type WhenValue = string | number | boolean;

export interface TransitionSpec {
  /** Position in `ModelTree.transitions`; coverage counts by it. */
  index: number;
  source: StateSpec;
  /** Event name, or `after 3s` for a delayed transition. */
  event: string;
  targetText?: string;
  /** Undefined: the event is accepted and the model stays where it is. */
  target?: StateSpec;
  /** Group name -> accepted values (any of). */
  when?: Array<[string, WhenValue[]]>;
  reenter: boolean;
  delayMs?: number;
  where: IssuePath;
}

export interface StateSpec {
  /** Key in its parent's `states` ('' for the root). */
  key: string;
  /** Dotted path from the root ('' for the root). */
  path: string;
  /** An explicit `id:` (`fail` for the top-level fail state). */
  id?: string;
  parent?: StateSpec;
  children: Map<string, StateSpec>;
  initialKey?: string;
  initial?: StateSpec;
  final: boolean;
  tags: string[];
  strict?: boolean;
  /** A power cut in it (or a state inside it) is worth making: `--until-coverage` runs until each has had one. */
  cuttable?: boolean;
  /** Reaching it (or a descendant) fails the case: it is the top-level `fail`, under it, or tagged `fail`. */
  fail: boolean;
  /** Created because a transition named `#fail.<reason>` that the model did not declare. */
  implicit: boolean;
  on: Map<string, TransitionSpec[]>;
  after: TransitionSpec[];
  where: IssuePath;
}

export interface ModelTree {
  root: StateSpec;
  rootId: string;
  /** Explicit ids, the root's id and `fail`. */
  ids: Map<string, StateSpec>;
  /** Every state but the root, parents before children, in file order. */
  states: StateSpec[];
  transitions: TransitionSpec[];
}

export interface ModelContext {
  patternNames: readonly string[];
  /** Named groups of each pattern; when given, `when:` may only name groups its pattern has. */
  patternGroups?: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_ROOT_ID = 'model';
export const FAIL = 'fail';

/** The atomic state entered when `state` is entered: follow initials down. */
export function entryLeaf(state: StateSpec): StateSpec {
  let node = state;
  while (node.initial) node = node.initial;
  return node;
}

/** Ancestors of `state`, itself first, the root last. */
export function lineage(state: StateSpec): StateSpec[] {
  const out: StateSpec[] = [];
  for (let node: StateSpec | undefined = state; node; node = node.parent) out.push(node);
  return out;
}

/** Whether `leaf` is `state` or inside it. */
export function isWithin(leaf: StateSpec, state: StateSpec): boolean {
  return lineage(leaf).includes(state);
}

/** Whether an unexpected line fails the case in `leaf`: the nearest `strict:` up its lineage says, off by default. */
export function isStrict(leaf: StateSpec): boolean {
  for (const node of lineage(leaf)) if (node.strict !== undefined) return node.strict;
  return false;
}
