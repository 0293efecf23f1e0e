import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { suggestion } from '../core/didYouMean.js';
import type { ConsoleLine, ConsoleSegment } from '../protocols/Console.js';
import { CaseFailure, ConfigError } from '../core/errors.js';
import type { Timeline } from '../core/Timeline.js';
import { Classifier } from './Classifier.js';
import { compileMachine, leafOf } from './compileMachine.js';
import { caseFailureOf, type Coverage, type Expectation, type LineEvent, type ModelFailure, type RunnerEvent } from './Expectation.js';
import { ConsoleInput } from './ConsoleInput.js';
import { modelCoverage } from './modelCoverage.js';
import { namesOf, resolveStateName } from './modelSpec.js';
import { eventWithGuards, failReason, formatSeconds, quoteLine } from './failureText.js';
import { isStrict, isWithin, type ModelTree, type StateSpec, type TransitionSpec } from './ModelTree.js';
import { runnerEventGroups } from './runnerEvents.js';
import { REAL_CLOCK, StateWaits, type ModelClock } from './StateWaits.js';
import { expectedEvents, selectTransition, unmetGuards } from './transitionSelection.js';

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

class ExpectationModel implements Expectation {
  private readonly tree: ModelTree;
  private readonly console: ConsoleInput;
  private readonly timeline: Timeline;
  private readonly clock: ModelClock;
  private readonly actor: Actor<AnyStateMachine>;
  private readonly counts: number[];
  private readonly visited = new Set<StateSpec>();
  private readonly enterListeners = new Map<StateSpec, Set<(t: number) => void>>();
  private readonly lineListeners = new Set<(event: LineEvent) => void>();
  private readonly failureListeners = new Set<(failure: ModelFailure) => void>();
  private readonly waits: StateWaits;
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
  private failed?: ModelFailure;
  private done = false;
  private stopped = false;

  constructor(tree: ModelTree, classifier: Classifier, options: ExpectationOptions) {
    this.tree = tree;
    this.console = new ConsoleInput(classifier);
    this.timeline = options.timeline;
    this.clock = options.clock ?? REAL_CLOCK;
    this.waits = new StateWaits(this.clock);
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
    const { event, forbidden } = this.console.read(segment);
    if (forbidden !== undefined) {
      this.fail({
        reason: 'forbidden',
        what: `forbidden line matched /${forbidden}/: ${quoteLine(segment.text)}`,
        from: this.leaf,
        t: segment.t,
      });
      return;
    }
    if (event) this.lineEvent(event, segment);
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
    this.waits.since(from);
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
    if (recent && this.waits.passedThrough(target)) return Promise.resolve();
    // A fresh wait wants an entry: being in the state since before the last runner event does not count.
    if (!fresh && isWithin(this.leaf, target)) {
      if (recent) this.waits.seenAll();
      return Promise.resolve();
    }
    if (this.done || this.stopped) {
      return Promise.reject(new CaseFailure(`the model ended in ${this.leaf.path}, so it will never reach ${name}`, this.details()));
    }
    return this.waits.wait(target, { timeoutMs, signal, recent }, () => {
      const expected = expectedEvents(this.leaf);
      return new CaseFailure(
        `timed out after ${formatSeconds(timeoutMs)} waiting for state ${name}; model is in ${this.leaf.path}, expecting events [${expected.join(', ')}]`,
        this.details(),
      );
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

  lastLines(): string[] {
    return this.console.lastLines();
  }

  coverage(): Coverage {
    return modelCoverage(this.tree, this.counts, this.visited);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.actor.stop();
    this.waits.rejectAll(() => new Error('the expectation model was stopped'));
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
      this.waits.entered(state, t);
      for (const listener of this.enterListeners.get(state) ?? []) this.call(() => listener(t));
    }
    this.waits.settle(entered);

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
      this.waits.rejectAll(
        (target) => new CaseFailure(`the model ended in ${to.path}, so it will never reach ${target.path}`, this.details()),
      );
    }
  }

  private fail(f: { reason: string; what: string; from: StateSpec; t: number; strict?: boolean }): void {
    const expected = expectedEvents(f.from);
    const state = f.from.path || '(start)';
    const list = expected.length > 0 ? expected.join(', ') : 'nothing';
    const message = `${f.what} in state ${state} (${f.strict ? 'strict; ' : ''}expected ${list})`;
    this.failed = { message, reason: f.reason, state, expected, lastLines: this.console.lastLines(), t: f.t };
    this.timeline.record('model-failure', { reason: f.reason, state, message }, f.t);
    this.actor.stop();
    const err = caseFailureOf(this.failed);
    this.waits.rejectAll(() => err);
    const failed = this.failed;
    for (const listener of [...this.failureListeners]) this.call(() => listener(failed));
    this.failureListeners.clear();
  }

  private details(): { state: string; expected: string[]; lastLines: string[] } {
    return { state: this.leaf.path, expected: expectedEvents(this.leaf), lastLines: this.lastLines() };
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
