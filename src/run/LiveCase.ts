import { join } from 'node:path';
import { settleFlashAtCut } from '../steps/flashAtCut.js';
import type { RigSpec } from '../rig/RigSpec.js';
import { toFileName } from '../config/fileName.js';
import type { ConsoleLine } from '../protocols/Console.js';
import { CaseFailure, Interrupted, RigError } from '../core/errors.js';
import { createExpectation, type ExpectationSpec } from '../expect/ExpectationModel.js';
import { caseFailureOf, type Coverage, type Expectation } from '../expect/Expectation.js';
import { CaseRecorder, consoleLogLine } from '../report/CaseRecorder.js';
import type { StepContext, StepDefinition } from '../steps/Step.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { CaseSpec } from '../scenario/cases.js';
import { RigSession } from '../rig/RigSession.js';
import { Timeline, type TimelineEvent } from '../core/Timeline.js';
import { recordingInputs, replayInput, type ModelInput } from '../expect/modelInputs.js';
import { CaseVerdict } from './CaseVerdict.js';
import { CutLog } from './CutLog.js';
import { imageProperties } from './imageProperties.js';
import { raceStep } from './raceStep.js';
import { stepActions, type StepActions } from './stepActions.js';

export interface LiveCaseOptions {
  /** The scenario's name (or what stands for it: a test file), as the reports name it. */
  scenario: string;
  /** The expectation model the console feeds. */
  expect: ExpectationSpec;
  /** Leave the model's coverage out of the result: a stand-in model that says nothing about the board. */
  noCoverage?: boolean;
  /** Whole-case bound, on top of per-step timeouts; none when absent. */
  timeoutMs?: number;
  /** Folder that paths the steps name are relative to (the scenario file's). */
  scenarioDir: string;
  rig: RigSpec;
  spec: CaseSpec;
  runDir: string;
  /** Which copy of the rig runs the case when several jobs share one rig file (`virtual#2`). */
  instance?: string;
  /** Aborted with an Interrupted reason on SIGINT/SIGTERM. */
  signal: AbortSignal;
  log(message: string): void;
  /** The rig's shared objects kept between cases on this rig (see RigSession). */
  kept?: Map<string, unknown>;
  /** Hears every input the model takes, before it does (a cut survey records them). */
  onModelInput?(input: ModelInput): void;
}

/** One thing a case recorded, in the order it happened: a timeline event, a console line, an input of the model. */
export type CaseEntry = { event: TimelineEvent } | { line: ConsoleLine } | { input: ModelInput };

/** Timeline events a replay makes again itself: the console's lines (lineArrived) and the model's own. */
const REMADE = new Set<string>(['case', 'line', 'model', 'model-failure', 'model-listener-error']);

/** One step to run: a step kind and its parsed arguments. */
export interface StepCall {
  definition: StepDefinition;
  args: unknown;
  /** Position in the scenario's steps (or the count of steps run so far), for the timeline. */
  index: number;
  /** The step's own `name:` or the kind's description of it. */
  description: string;
  /** Default: the step kind's own timeout for these arguments. */
  timeoutMs?: number;
  /** The sweeping cut step's sequence of calls (StepContext.sequence). */
  sequence?: string;
  /** Where the run prunes a multi-cut sweep (StepContext.cutMade). */
  cutMade?: StepContext['cutMade'];
  /** A cut survey's (StepContext.survey). */
  survey?: StepContext['survey'];
  /** Ends this step (not the case) when aborted: `hil debug` stops the steps driving the board once it halted. */
  signal?: AbortSignal;
}

/**
 * A case under way on a rig, in phases: `open` the rig and its console, `step` as often as wanted, `settle`
 * what the steps left running, `end` (rig in a safe state and closed) and `report`. A scenario's case runs its
 * steps through it (CaseRunner); a test written in code drives the same phases one call at a time.
 */
export class LiveCase {
  readonly startedAt = new Date();
  private readonly began = performance.now();
  readonly timeline = new Timeline();
  readonly dirName: string;
  readonly caseDir: string;
  readonly properties: Record<string, string>;
  private readonly cutLog: CutLog;
  private readonly consoleText: string[] = [];
  private readonly verdict: CaseVerdict;
  private readonly recorder: CaseRecorder;
  /** Aborted by the run's signal, the case timeout, a broken console or failed background work. */
  private readonly caseAbort = new AbortController();
  /** Undoes the wiring of `caseAbort` to the run's signal and the case timeout. */
  private readonly unwire: () => void;
  private readonly background: Array<Promise<void>> = [];
  private backgroundError?: unknown;
  private readonly buttonsDown = new Set<string>();
  private readonly lineListeners = new Set<(line: ConsoleLine) => void>();
  private session?: RigSession;
  private model?: Expectation;
  private actions?: StepActions;
  private coverage?: Coverage;
  private ended = false;

  constructor(readonly options: LiveCaseOptions) {
    const { rig, spec } = options;
    this.dirName = toFileName(spec.id, 'case');
    this.caseDir = join(options.runDir, this.dirName);
    this.properties = {
      rig: rig.name,
      ...Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [`param.${k}`, v])),
    };
    if (options.instance) this.properties['rig.instance'] = options.instance;
    this.cutLog = new CutLog(this.timeline, this.properties);
    this.recorder = new CaseRecorder(this.caseDir, this.timeline);
    this.verdict = new CaseVerdict(this.timeline);
    const onRunAbort = () => this.caseAbort.abort(options.signal.reason);
    if (options.signal.aborted) this.caseAbort.abort(options.signal.reason);
    else options.signal.addEventListener('abort', onRunAbort, { once: true });
    const { timeoutMs } = options;
    const caseTimer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => this.caseAbort.abort(new RigError('case', `case exceeded its ${timeoutMs / 1000}s timeout`)), timeoutMs);
    this.unwire = () => {
      clearTimeout(caseTimer);
      options.signal.removeEventListener('abort', onRunAbort);
    };
  }

  /** The case's signal: aborted on interruption, its timeout, a broken console, failed background work, its end. */
  get signal(): AbortSignal {
    return this.caseAbort.signal;
  }

  /** The live model; set once the case is open. */
  get expectation(): Expectation {
    if (!this.model) throw new Error('the case is not open');
    return this.model;
  }

  /** The rig's drivers as steps see them; set once the case is open. */
  get rig(): StepContext['rig'] {
    if (!this.session) throw new Error('the case is not open');
    return this.session.handles;
  }

  /** The actions a step has (power, outputs, send, notes), each recorded and fed to the model. */
  get stepActions(): StepActions {
    if (!this.actions) throw new Error('the case is not open');
    return this.actions;
  }

  get status(): CaseResult['status'] {
    return this.verdict.status;
  }

  /** Calls `listener` with every console line (the model has seen its segments); returns the unsubscribe. */
  onLine(listener: (line: ConsoleLine) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Hashes the images, starts the model, opens the rig and its console. */
  async open(): Promise<void> {
    const { scenario, rig, spec } = this.options;
    const { timeline } = this;
    timeline.record('case', { id: spec.id, scenario, rig: rig.name, params: spec.params });
    Object.assign(this.properties, await imageProperties(rig));
    const created = createExpectation(this.options.expect, { timeline });
    const model = this.options.onModelInput ? recordingInputs(created, this.options.onModelInput) : created;
    this.model = model;
    this.session = new RigSession(rig, { timeline, log: this.options.log, instance: this.options.instance, kept: this.options.kept });
    const handles = this.session.handles;
    handles.console.subscribe({
      line: (line: ConsoleLine) => this.lineArrived(line),
      // The model reads segments as they complete (a `\r` redraw, a prompt with no line ending yet), not whole lines.
      segment: (segment) => model.feedSegment(segment),
      failed: ({ error }) => this.caseAbort.abort(error),
    });
    this.actions = stepActions({
      rigName: rig.name,
      handles,
      model,
      timeline,
      params: spec.params,
      caseDir: this.caseDir,
      scenarioDir: this.options.scenarioDir,
      cutLog: this.cutLog,
      properties: this.properties,
      buttonsDown: this.buttonsDown,
    });
    await handles.console.open();
  }

  /**
   * Starts the case where a recorded run of the same steps stood (a cut survey at a hit): the recording's timeline,
   * console lines and model inputs up to there, in their order, then the clock going on from time `t`. After
   * `open`, before any step.
   */
  replay(entries: readonly CaseEntry[], t: number): void {
    for (const entry of entries) {
      if ('input' in entry) replayInput(this.expectation, entry.input);
      else if ('line' in entry) this.lineArrived(entry.line);
      else if (!REMADE.has(entry.event.type)) this.timeline.record(entry.event.type, entry.event as never, entry.event.t);
    }
    this.timeline.continueFrom(t);
  }

  private lineArrived(line: ConsoleLine): void {
    this.recorder.consoleLine(line);
    this.timeline.record('line', { text: line.text }, line.t);
    this.consoleText.push(consoleLogLine(line));
    for (const listener of this.lineListeners) listener(line);
  }

  /** Throws what ends the case now: an abort (interruption, broken console, timeout) or a failed model. */
  check(): void {
    this.caseAbort.signal.throwIfAborted();
    const failure = this.model?.failure();
    if (failure) throw caseFailureOf(failure);
  }

  /**
   * Runs one step, recorded on the timeline; it ends early when the model fails, the case is aborted or its
   * timeout (plus a grace) passes. Throws at once if the case is already over.
   */
  async step(call: StepCall): Promise<void> {
    this.check();
    const { timeline, caseAbort } = this;
    const model = this.expectation;
    const { definition, args, index, description } = call;
    const timeoutMs = call.timeoutMs ?? definition.timeoutMs(args);
    const stepAbort = new AbortController();
    const stopped = call.signal ? AbortSignal.any([caseAbort.signal, call.signal]) : caseAbort.signal;
    const ctx: StepContext = {
      ...this.stepActions,
      ...(call.sequence ? { sequence: call.sequence } : {}),
      ...(call.cutMade ? { cutMade: call.cutMade } : {}),
      ...(call.survey ? { survey: call.survey } : {}),
      signal: AbortSignal.any([stopped, stepAbort.signal]),
      timeoutMs,
      background: (name, work) => {
        // A failure in work that outlives its step (an armed cut whose board died) ends the case now, through
        // the case signal; the promise itself never rejects, so nothing is left unhandled.
        this.background.push(
          work(caseAbort.signal).catch((err: unknown) => {
            if (caseAbort.signal.aborted) return;
            timeline.record('background', { name, error: String((err as Error)?.message ?? err) });
            this.backgroundError ??= err;
            caseAbort.abort(err);
          }),
        );
      },
    };
    const t0 = timeline.now();
    const key = definition.key;
    timeline.record('step', { index, key, description, phase: 'start' });
    try {
      await raceStep(definition.run(args, ctx), model, stepAbort, stopped, timeoutMs, `step ${index + 1} (${description})`);
      timeline.record('step', { index, key, phase: 'end', ms: timeline.now() - t0 });
    } catch (err) {
      timeline.record('step', { index, key, phase: 'end', ms: timeline.now() - t0, error: String((err as Error)?.message ?? err) });
      throw caseAbort.signal.aborted ? caseAbort.signal.reason : err;
    }
  }

  /** The steps are done: work they left running must end well, and the model must not have failed. */
  async settle(): Promise<void> {
    // A model that fails meanwhile ends the case now: a cut still armed in the background (its hit waited for up
    // to a minute) has nothing left to test.
    let off: (() => void) | undefined;
    const failed = new Promise<void>((resolve) => (off = this.model?.onFailure(() => resolve())));
    try {
      if (!this.model?.failure()) await Promise.race([Promise.all(this.background), failed]);
    } finally {
      off?.();
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first error a background step threw, as it was
    if (this.backgroundError !== undefined) throw this.backgroundError;
    const failure = this.model?.failure();
    if (failure) throw caseFailureOf(failure);
  }

  /**
   * What a case's end says: a failure the board gave (a model timeout on its silence, say) is the rig's error
   * when the rig could not have been running it (a frozen emulator); anything else as it is.
   */
  async blame(err: unknown): Promise<unknown> {
    if (!(err instanceof CaseFailure) || !this.session) return err;
    try {
      await this.session.handles.power.checkRunning?.();
      return err;
    } catch (rigError) {
      if (!(rigError instanceof RigError)) return err;
      return new RigError(rigError.part, rigError.message, {
        detail: `what the case would have failed on: ${err.message}`,
        cause: rigError,
      });
    }
  }

  /** Records why the case did not pass; the first call decides, later ones are its consequences. */
  fail(err: unknown): void {
    this.verdict.fail(err, this.model);
  }

  /** Whatever happened: background work stopped, the rig in a safe state and closed, the model's last word taken. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.unwire();
    this.caseAbort.abort(new Interrupted('SIGTERM'));
    await Promise.allSettled(this.background);
    if (this.session) await this.closeRig(this.session);
    // A failure the model saw in the last lines still counts.
    const late = this.model?.failure();
    if (late && this.verdict.status === 'pass') this.fail(caseFailureOf(late));
    if (this.model) {
      if (!this.options.noCoverage) {
        this.coverage = this.model.coverage();
        this.properties['coverage.states'] = `${this.coverage.visited.length}/${this.coverage.states.length}`;
        this.properties['coverage.visited'] = this.coverage.visited.join(' ');
      }
      this.model.stop();
    }
  }

  /** Safe state: buttons released, power off, every driver closed. */
  private async closeRig(session: RigSession): Promise<void> {
    const { timeline } = this;
    for (const name of this.buttonsDown) {
      await session.handles.outputs
        .get(name)
        ?.set(false)
        .catch((err: Error) => timeline.record('cleanup', { part: `outputs.${name}`, error: err.message }));
    }
    await session.handles.power.off().then(
      () => timeline.record('power', { state: 'off', cause: 'case-end' }),
      (err: Error) => this.fail(new RigError('power', `could not switch power off at case end: ${err.message}`)),
    );
    for (const err of await session.close()) timeline.record('cleanup', { error: err.message });
  }

  /** The case's result, written to its folder. */
  async report(): Promise<CaseResult> {
    const { scenario, rig, spec, instance } = this.options;
    await settleFlashAtCut(this.caseDir, this.verdict.status !== 'pass' && this.verdict.status !== 'skipped', this.properties);
    const cuts = this.cutLog.cuts;
    const result: CaseResult = {
      id: spec.id,
      scenario,
      rig: rig.name,
      params: spec.params,
      status: this.verdict.status,
      message: this.verdict.message,
      detail: this.verdict.detail,
      startedAt: this.startedAt.toISOString(),
      // The time this case took; a case started from a survey has a timeline going back to the survey's start.
      durationMs: Math.round(performance.now() - this.began),
      properties: this.properties,
      dir: this.dirName,
      consoleText: this.consoleText.join('\n'),
      ...(instance ? { rigInstance: instance } : {}),
      ...(cuts.length ? { cuts } : {}),
      ...(this.coverage ? { coverage: this.coverage } : {}),
    };
    const writeError = await this.recorder.finish(result);
    if (writeError) this.options.log(writeError.message);
    return result;
  }
}
