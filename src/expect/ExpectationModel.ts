import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { suggestion } from '../core/didYouMean.js';
import { formatDuration } from '../core/duration.js';
import type { ConsoleLine, ConsoleSegment } from '../protocols/Console.js';
import { CaseFailure, ConfigError } from '../core/errors.js';
import type { Timeline } from '../core/Timeline.js';
import { Classifier } from './Classifier.js';
import { compileMachine } from './compileMachine.js';
import { caseFailureOf, type Coverage, type Expectation, type LineEvent, type ModelFailure, type RunnerEvent } from './Expectation.js';
import { LineTail } from './LineTail.js';
import { cuttableStates, namesOf, resolveStateName } from './modelSpec.js';
import { FAIL, lineage, type ModelTree, type StateSpec, type TransitionSpec } from './ModelTree.js';
import { runnerEventGroups } from './runnerEvents.js';
import { expectedEvents, formatWhen, selectTransition, unmetGuards } from './transitionSelection.js';

/** Timers of the model (`after`) and of `waitFor`; xstate's SimulatedClock fits, for tests. */
interface ModelClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** A scenario's `expect:` as the loader hands it over: patterns compiled, the model parsed and checked. */
export interface ExpectationSpec {
  /** `prompt`: the pattern is also matched against the console's unterminated tail (see `feedSegment`). */
  patterns: ReadonlyArray<{ name: string; regex: RegExp; prompt?: boolean }>;
  forbidden: ReadonlyArray<{ source: string; regex: RegExp }>;
  model: ModelTree;
}

export interface ExpectationOptions {
  timeline: Timeline;
  clock?: ModelClock;
}

/** How many console lines a failure carries. */
export const FAILURE_LINES = 20;

const REAL_CLOCK: ModelClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Builds the live model of one case. */
export function createExpectation(spec: ExpectationSpec, options: ExpectationOptions): Expectation {
  return new ExpectationModel(spec.model, new Classifier(spec.patterns, spec.forbidden), options);
}

interface Input {
  type: string;
  groups: Record<string, string>;
  t: number;
  /** Set for console lines: what the board printed. */
  line?: string;
}

/** The part of xstate's snapshot the model reads. */
interface MachineState {
  value: unknown;
  status: string;
}

/** Entries kept for `recent` waits; far more than the states a board passes between two steps. */
const MAX_RECENT = 1024;

interface Waiter {
  target: StateSpec;
  reject(err: unknown): void;
  settle(): void;
}

class ExpectationModel implements Expectation {
  private readonly tree: ModelTree;
  private readonly classifier: Classifier;
  private readonly timeline: Timeline;
  private readonly clock: ModelClock;
  private readonly actor: Actor<AnyStateMachine>;
  private readonly tail = new LineTail(FAILURE_LINES);
  private readonly counts: number[];
  private readonly visited = new Set<StateSpec>();
  private readonly enterListeners = new Map<StateSpec, Set<(t: number) => void>>();
  private readonly lineListeners = new Set<(event: LineEvent) => void>();
  private readonly failureListeners = new Set<(failure: ModelFailure) => void>();
  private readonly waiters = new Set<Waiter>();
  /**
   * States entered, in order, from `recentFrom` on: a step that waits for a state the board passed through
   * while the step before it ran (a reset that comes and goes in 16 ms) must still see it. Cleared up to
   * each runner event's time, so an entry from before the last power, button, reset or send never counts.
   */
  private recent: Array<{ state: StateSpec; t: number }> = [];
  /** When the last runner event was asked for, and when each pattern last matched: a `send` waits for a prompt after it. */
  private lastRunnerAt = -Infinity;
  private readonly lastMatch = new Map<string, number>();
  private lastRunnerName?: string;
  /** States entered and transitions taken in the macrostep xstate is running (reported by its actions). */
  private readonly entered: StateSpec[] = [];
  private readonly taken: TransitionSpec[] = [];
  /** Inputs waiting while one is processed: a listener may feed the model from inside a transition. */
  private readonly queue: Input[] = [];
  /** The input xstate is processing; none while a delayed transition fires. */
  private current?: Input;
  private busy = false;
  private leaf: StateSpec;
  /** The open segment matched a prompt pattern: it gives no second event, however it grows or ends. */
  private promptTaken = false;
  /** The open segment's text so far, shown after the tail in a failure: a board waiting at a prompt. */
  private openText?: string;
  private failed?: ModelFailure;
  private done = false;
  private stopped = false;

  constructor(tree: ModelTree, classifier: Classifier, options: ExpectationOptions) {
    this.tree = tree;
    this.classifier = classifier;
    this.timeline = options.timeline;
    this.clock = options.clock ?? REAL_CLOCK;
    this.counts = tree.transitions.map(() => 0);
    this.leaf = tree.root;
    const machine = compileMachine(tree, { entered: (state) => this.entered.push(state), took: (t) => this.taken.push(t) });
    // No inspector: xstate then builds an inspection event for every action and microstep, which costs more
    // than the rest of a transition together. The subscriber sees every macrostep, the initial one included.
    this.actor = createActor(machine, options.clock ? { clock: options.clock } : {});
    this.actor.subscribe((snapshot) => this.onSnapshot(snapshot as unknown as MachineState));
    this.actor.start();
  }

  feedLine(line: ConsoleLine): void {
    if (!line.text.includes('\r')) {
      if (line.text !== '') this.feedSegment({ t: line.t, text: line.text });
      return;
    }
    let first = true;
    for (const text of line.text.split('\r')) {
      if (text === '') continue;
      this.feedSegment(first ? { t: line.t, text } : { t: line.t, text, redraw: true });
      first = false;
    }
  }

  feedSegment(segment: ConsoleSegment): void {
    if (this.stopped || this.failed) return;
    if (segment.partial) {
      this.openText = segment.text;
      if (this.promptTaken || !this.classifier.hasPrompts) return;
      const event = this.classifier.classifyPartial(segment.text);
      if (!event) return;
      this.promptTaken = true;
      this.lineEvent(event, segment);
      return;
    }
    const taken = this.promptTaken;
    this.promptTaken = false;
    this.openText = undefined;
    if (segment.redraw) this.tail.replaceLast(segment.text);
    else this.tail.push(segment.text);
    const { event, forbidden } = this.classifier.classify(segment.text);
    if (forbidden !== undefined) {
      this.fail({
        reason: 'forbidden',
        what: `forbidden line matched /${forbidden}/: ${quoteLine(segment.text)}`,
        from: this.leaf,
        t: segment.t,
      });
      return;
    }
    // Already classified while open (a prompt): one event per segment.
    if (event && !taken) this.lineEvent(event, segment);
  }

  private lineEvent(event: { type: string; groups: Record<string, string> }, segment: ConsoleSegment): void {
    const lineEvent: LineEvent = { type: event.type, t: segment.t, line: segment.text, groups: event.groups };
    this.lastMatch.set(event.type, segment.t);
    for (const listener of this.lineListeners) this.call(() => listener(lineEvent));
    this.dispatch({ type: event.type, groups: event.groups, t: segment.t, line: segment.text });
  }

  send(event: RunnerEvent): void {
    if (this.stopped || this.failed) return;
    // By time, not arrival: the board may answer a send before the write that sent it returns.
    const from = event.askedAt ?? event.t;
    this.lastRunnerAt = from;
    this.lastRunnerName = event.type;
    this.recent = this.recent.filter((e) => e.t >= from);
    this.dispatch({ type: event.type, groups: runnerEventGroups(event.type, event.detail), t: event.t });
  }

  state(): string {
    return this.leaf.path;
  }

  within(path: string, name: string): boolean {
    const outer = this.resolve(name).path;
    return outer === '' || path === outer || path.startsWith(`${outer}.`);
  }

  failure(): ModelFailure | undefined {
    return this.failed;
  }

  onFailure(listener: (failure: ModelFailure) => void): () => void {
    const failed = this.failed;
    if (failed) {
      this.call(() => listener(failed));
      return () => undefined;
    }
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  waitForMatch(pattern: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.failed) return Promise.reject(caseFailureOf(this.failed));
    if ((this.lastMatch.get(pattern) ?? -Infinity) >= this.lastRunnerAt) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        unlisten();
        unfail();
        if (err === undefined) resolve();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason as given, as waitFor does
        else reject(err);
      };
      const onAbort = () => done(signal!.reason);
      const timer = this.clock.setTimeout(
        () =>
          done(
            new CaseFailure(
              `timed out after ${formatSeconds(timeoutMs)} waiting for ${pattern} (nothing printed matched it since the last ${this.lastRunnerName ?? 'step'}); model is in ${this.leaf.path}`,
              this.details(),
            ),
          ),
        timeoutMs,
      );
      const unlisten = this.onLineEvent((e) => {
        if (e.type === pattern) done();
      });
      const unfail = this.onFailure((f) => done(caseFailureOf(f)));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  waitFor(name: string, options: { timeoutMs: number; signal?: AbortSignal; recent?: boolean; fresh?: boolean }): Promise<void> {
    let target: StateSpec;
    try {
      target = this.resolve(name);
    } catch (err) {
      return Promise.reject(err);
    }
    const { signal, timeoutMs, recent, fresh } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.failed) return Promise.reject(caseFailureOf(this.failed));
    // A later `recent` wait looks only past what this one saw.
    const seen = (upTo: number) => {
      if (recent) this.recent = this.recent.slice(upTo);
    };
    const passed = recent ? this.recent.findIndex((e) => e.state === target) : -1;
    if (passed >= 0) {
      seen(passed + 1);
      return Promise.resolve();
    }
    // A fresh wait wants an entry: being in the state since before the last runner event does not count.
    if (!fresh && isWithin(this.leaf, target)) {
      seen(this.recent.length);
      return Promise.resolve();
    }
    if (this.done || this.stopped) {
      return Promise.reject(new CaseFailure(`the model ended in ${this.leaf.path}, so it will never reach ${name}`, this.details()));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.reject(signal!.reason);
      const timer = this.clock.setTimeout(() => {
        const expected = expectedEvents(this.leaf);
        waiter.reject(
          new CaseFailure(
            `timed out after ${formatSeconds(timeoutMs)} waiting for state ${name}; model is in ${this.leaf.path}, expecting events [${expected.join(', ')}]`,
            this.details(),
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        target,
        settle: () => {
          cleanup();
          seen(this.recent.findLastIndex((e) => e.state === target) + 1);
          resolve();
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  onEnter(name: string, listener: (t: number) => void): () => void {
    const target = this.resolve(name);
    let set = this.enterListeners.get(target);
    if (!set) this.enterListeners.set(target, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onLineEvent(listener: (event: LineEvent) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  coverage(): Coverage {
    const states = this.tree.states.filter((s) => !s.fail);
    return {
      states: states.map((s) => s.path),
      visited: states.filter((s) => this.visited.has(s)).map((s) => s.path),
      cuttable: cuttableStates(this.tree),
      transitions: this.tree.transitions.map((t) => {
        const from = t.source.path || '*';
        const entry: Coverage['transitions'][number] = {
          from,
          event: t.event,
          to: t.target ? t.target.path || '*' : from,
          count: this.counts[t.index]!,
        };
        if (t.when) entry.when = formatWhen(t.when);
        return entry;
      }),
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.actor.stop();
    for (const waiter of [...this.waiters]) waiter.reject(new Error('the expectation model was stopped'));
    this.enterListeners.clear();
    this.lineListeners.clear();
    this.failureListeners.clear();
  }

  private resolve(name: string): StateSpec {
    const state = resolveStateName(this.tree, name);
    if (state) return state;
    throw new ConfigError({
      file: 'expect.model',
      message: `no state ${JSON.stringify(name)} to wait for${suggestion(name, namesOf(this.tree))}`,
    });
  }

  private dispatch(input: Input): void {
    this.queue.push(input);
    this.drain();
  }

  private drain(): void {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let input = this.queue.shift(); input; input = this.queue.shift()) this.process(input);
    } finally {
      this.busy = false;
    }
  }

  private process(input: Input): void {
    if (this.stopped || this.failed || this.done) return;
    const transition = selectTransition(this.leaf, input.type, input.groups);
    if (!transition) {
      // Only what the board prints can be unexpected; runner events are the test's own doing.
      if (input.line !== undefined && isStrict(this.leaf)) {
        this.fail({
          reason: 'unexpected',
          what: `unexpected ${eventWithGuards(this.leaf, input)}: ${quoteLine(input.line)}`,
          from: this.leaf,
          t: input.t,
          strict: true,
        });
      }
      return;
    }
    // Nothing else is inside the machine here (busy is held), so xstate processes this synchronously.
    this.current = input;
    try {
      this.actor.send({ type: input.type, groups: input.groups });
    } finally {
      this.current = undefined;
    }
  }

  /** Runs after every macrostep of the machine: the initial state, an event, or a delay that fired. */
  private onSnapshot(snapshot: MachineState): void {
    if (this.stopped || this.failed) return;
    const outer = !this.busy;
    this.busy = true;
    try {
      this.afterMacrostep(snapshot);
    } finally {
      if (outer) {
        this.busy = false;
        this.drain();
      }
    }
  }

  private afterMacrostep(snapshot: MachineState): void {
    const from = this.leaf;
    const to = leafOf(this.tree.root, snapshot.value);
    const entered = this.entered.splice(0);
    const taken = this.taken.splice(0);
    const input = this.current;
    const transition = taken[0];
    const started = from === this.tree.root;
    if (!started && !transition) return;
    const t = input?.t ?? this.timeline.now();
    const label = started ? 'start' : (input?.type ?? transition!.event);
    this.leaf = to;
    for (const tr of taken) this.counts[tr.index]! += 1;
    this.timeline.record('model', { from: started ? null : from.path, event: label, to: to.path }, t);

    for (const state of entered) {
      if (state === this.tree.root || state.fail) continue;
      this.visited.add(state);
      // A board that loops through states with no step waiting would grow it without end.
      if (this.recent.push({ state, t }) > MAX_RECENT) this.recent.shift();
      for (const listener of this.enterListeners.get(state) ?? []) this.call(() => listener(t));
    }
    for (const waiter of [...this.waiters]) if (entered.includes(waiter.target)) waiter.settle();

    if (to.fail) {
      const cause =
        input?.line !== undefined
          ? `${eventWithGuards(from, input)}${unmetGuards(from, input.type, input.groups) ? ':' : ''} ${quoteLine(input.line)}`
          : label.startsWith('after ')
            ? label
            : `on ${label}`;
      this.fail({ reason: failReason(to), what: `${failReason(to)}: ${cause}`, from, t });
    } else if (snapshot.status === 'done') {
      this.done = true;
      for (const waiter of [...this.waiters]) {
        waiter.reject(new CaseFailure(`the model ended in ${to.path}, so it will never reach ${waiter.target.path}`, this.details()));
      }
    }
  }

  private fail(f: { reason: string; what: string; from: StateSpec; t: number; strict?: boolean }): void {
    const expected = expectedEvents(f.from);
    const state = f.from.path || '(start)';
    const list = expected.length > 0 ? expected.join(', ') : 'nothing';
    const message = `${f.what} in state ${state} (${f.strict ? 'strict; ' : ''}expected ${list})`;
    this.failed = { message, reason: f.reason, state, expected, lastLines: this.lastLines(), t: f.t };
    this.timeline.record('model-failure', { reason: f.reason, state, message }, f.t);
    this.actor.stop();
    const err = caseFailureOf(this.failed);
    for (const waiter of [...this.waiters]) waiter.reject(err);
    const failed = this.failed;
    for (const listener of [...this.failureListeners]) this.call(() => listener(failed));
    this.failureListeners.clear();
  }

  private details(): { state: string; expected: string[]; lastLines: string[] } {
    return { state: this.leaf.path, expected: expectedEvents(this.leaf), lastLines: this.lastLines() };
  }

  private lastLines(): string[] {
    const lines = this.tail.toArray();
    if (this.openText === undefined) return lines;
    return [...lines.slice(lines.length >= FAILURE_LINES ? 1 : 0), this.openText];
  }

  /** A listener is step code; its exception must not break the model, so it goes on the timeline. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.timeline.record('model-listener-error', { error: (err as Error)?.message ?? String(err) });
    }
  }
}

/** The atomic state xstate's snapshot value names (`{ bootloader: 'copying' }`). */
function leafOf(root: StateSpec, value: unknown): StateSpec {
  let node = root;
  let v = value;
  while (v !== undefined) {
    if (typeof v === 'string') return node.children.get(v) ?? node;
    const entry = Object.entries(v as Record<string, unknown>)[0];
    if (!entry) return node;
    node = node.children.get(entry[0]) ?? node;
    v = entry[1];
  }
  return node;
}

function isWithin(leaf: StateSpec, state: StateSpec): boolean {
  return lineage(leaf).includes(state);
}

function isStrict(leaf: StateSpec): boolean {
  for (const node of lineage(leaf)) if (node.strict !== undefined) return node.strict;
  return false;
}

/** `no-banner` for `fail.no-banner`; the state's own path for a state tagged fail. */
function failReason(state: StateSpec): string {
  if (state.path === FAIL) return FAIL;
  if (state.path.startsWith(`${FAIL}.`)) return state.path.slice(FAIL.length + 1);
  return state.path;
}

/** `FACTORY`, or `FACTORY version=1.1.0, wanted 1.0.0` when `when:` guards passed it over: the values a failure names. */
function eventWithGuards(leaf: StateSpec, input: Input): string {
  const unmet = unmetGuards(leaf, input.type, input.groups);
  return unmet ? `${input.type} ${unmet}` : input.type;
}

function quoteLine(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : formatDuration(ms);
}
