import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FLASH_AT_CUT } from '../steps/flashAtCut.js';
import type { RigSpec } from '../rig/RigSpec.js';
import { toFileName } from '../config/fileName.js';
import { stepArgs, type Scenario, type ScenarioStep } from '../scenario/Scenario.js';
import type { ConsoleLine } from '../protocols/Console.js';
import { Interrupted, RigError } from '../core/errors.js';
import { createExpectation } from '../expect/ExpectationModel.js';
import { caseFailureOf, type Coverage, type Expectation } from '../expect/Expectation.js';
import { CaseRecorder, consoleLogLine } from '../report/CaseRecorder.js';
import type { StepContext } from '../steps/Step.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { CaseSpec } from '../scenario/cases.js';
import { RigSession } from '../rig/RigSession.js';
import { Timeline } from '../core/Timeline.js';
import { CaseVerdict } from './CaseVerdict.js';
import { CutLog } from './CutLog.js';
import { imageHashes } from './imageHashes.js';
import { raceStep } from './raceStep.js';
import { stepActions, type StepActions } from './stepActions.js';

export interface CaseRunOptions {
  scenario: Scenario;
  rig: RigSpec;
  spec: CaseSpec;
  runDir: string;
  /** Which copy of the rig runs the case when several jobs share one rig file (`virtual#2`). */
  instance?: string;
  /** Aborted with an Interrupted reason on SIGINT/SIGTERM. */
  signal: AbortSignal;
  log(message: string): void;
  /** Called as each step starts, for live progress. */
  onStep?(index: number, description: string): void;
  /** The rig's shared objects kept by the run between its cases on this rig (see RigSession). */
  kept?: Map<string, unknown>;
}

/** How many console lines the failure message and the report keep in memory. */
const CONSOLE_TAIL = 20;

/** A case under way: what its phases share. */
interface CaseRun {
  readonly options: CaseRunOptions;
  readonly startedAt: Date;
  readonly timeline: Timeline;
  readonly dirName: string;
  readonly caseDir: string;
  readonly properties: Record<string, string>;
  readonly cutLog: CutLog;
  readonly consoleText: string[];
  readonly tail: string[];
  readonly verdict: CaseVerdict;
  readonly recorder: CaseRecorder;
  /** Aborted by the run's signal, the case timeout, a broken console or failed background work. */
  readonly caseAbort: AbortController;
  /** Undoes the wiring of `caseAbort` to the run's signal and the case timeout. */
  readonly unwire: () => void;
  readonly background: Array<Promise<void>>;
  backgroundError?: unknown;
  readonly buttonsDown: Set<string>;
  session?: RigSession;
  expect?: Expectation;
  coverage?: Coverage;
}

/** Runs one case start to end and always returns a result: reports are written from it whatever happened. */
export async function runCase(options: CaseRunOptions): Promise<CaseResult> {
  const c = prepareCase(options);
  try {
    const model = await openRig(c);
    await runSteps(c, model);
    await settleCase(c, model);
  } catch (err) {
    fail(c, err);
  } finally {
    await endCase(c);
  }
  return reportCase(c);
}

function fail(c: CaseRun, err: unknown): void {
  c.verdict.fail(err, c.expect, c.tail);
}

/** The case's folder, timeline, properties and abort wiring; nothing touches the rig yet. */
function prepareCase(options: CaseRunOptions): CaseRun {
  const { scenario, rig, spec } = options;
  const startedAt = new Date();
  const timeline = new Timeline();
  const dirName = toFileName(spec.id, 'case');
  const caseDir = join(options.runDir, dirName);
  const properties: Record<string, string> = {
    rig: rig.name,
    ...Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [`param.${k}`, v])),
  };
  if (options.instance) properties['rig.instance'] = options.instance;
  const cutLog = new CutLog(timeline, properties);
  const recorder = new CaseRecorder(caseDir, timeline);
  const caseAbort = new AbortController();
  const onRunAbort = () => caseAbort.abort(options.signal.reason);
  if (options.signal.aborted) caseAbort.abort(options.signal.reason);
  else options.signal.addEventListener('abort', onRunAbort, { once: true });
  const caseTimer = setTimeout(
    () => caseAbort.abort(new RigError('case', `case exceeded its ${scenario.timeoutMs / 1000}s timeout`)),
    scenario.timeoutMs,
  );
  const unwire = () => {
    clearTimeout(caseTimer);
    options.signal.removeEventListener('abort', onRunAbort);
  };
  return {
    options,
    startedAt,
    timeline,
    dirName,
    caseDir,
    properties,
    cutLog,
    consoleText: [],
    tail: [],
    verdict: new CaseVerdict(timeline),
    recorder,
    caseAbort,
    unwire,
    background: [],
    buttonsDown: new Set<string>(),
  };
}

/** Hashes the images, starts the model, opens the rig and its console; returns the model the console feeds. */
async function openRig(c: CaseRun): Promise<Expectation> {
  const { scenario, rig, spec } = c.options;
  const { timeline } = c;
  timeline.record('case', { id: spec.id, scenario: scenario.name, rig: rig.name, params: spec.params });
  Object.assign(c.properties, await imageHashes(rig));
  const model = createExpectation(scenario.expect, { timeline });
  c.expect = model;
  c.session = new RigSession(rig, { timeline, log: c.options.log, instance: c.options.instance, kept: c.options.kept });
  const rigHandles = c.session.handles;
  rigHandles.console.subscribe({
    line: (line: ConsoleLine) => {
      c.recorder.consoleLine(line);
      timeline.record('line', { text: line.text }, line.t);
      const text = consoleLogLine(line);
      c.consoleText.push(text);
      c.tail.push(line.text);
      if (c.tail.length > CONSOLE_TAIL) c.tail.shift();
    },
    // The model reads segments as they complete (a `\r` redraw, a prompt with no line ending yet), not whole lines.
    segment: (segment) => model.feedSegment(segment),
    failed: ({ error }) => c.caseAbort.abort(error),
  });
  await rigHandles.console.open();
  return model;
}

/** The scenario's steps in order; the case stops at the first that fails or once the model has failed. */
async function runSteps(c: CaseRun, model: Expectation): Promise<void> {
  const { scenario, rig, spec } = c.options;
  const actions = stepActions({
    rigName: rig.name,
    handles: c.session!.handles,
    model,
    timeline: c.timeline,
    params: spec.params,
    caseDir: c.caseDir,
    scenarioDir: dirname(scenario.file),
    cutLog: c.cutLog,
    properties: c.properties,
    buttonsDown: c.buttonsDown,
  });
  for (const step of scenario.steps) {
    c.caseAbort.signal.throwIfAborted();
    const failure = model.failure();
    if (failure) throw caseFailureOf(failure);
    await runStep(c, model, actions, step);
  }
}

async function runStep(c: CaseRun, model: Expectation, actions: StepActions, step: ScenarioStep): Promise<void> {
  const { scenario, spec } = c.options;
  const { timeline, caseAbort } = c;
  const args = stepArgs(scenario, step, spec.params);
  const timeoutMs = step.timeoutMs ?? step.definition.timeoutMs(args);
  const description = step.name ?? step.definition.describe(args);
  c.options.onStep?.(step.index, description);
  const stepAbort = new AbortController();
  const stepSignal = AbortSignal.any([caseAbort.signal, stepAbort.signal]);
  const ctx: StepContext = {
    ...actions,
    signal: stepSignal,
    timeoutMs,
    background(name, work) {
      // A failure in work that outlives its step (an armed cut whose board died) ends the case now, through
      // the case signal; the promise itself never rejects, so nothing is left unhandled.
      c.background.push(
        work(caseAbort.signal).catch((err: unknown) => {
          if (caseAbort.signal.aborted) return;
          timeline.record('background', { name, error: String((err as Error)?.message ?? err) });
          c.backgroundError ??= err;
          caseAbort.abort(err);
        }),
      );
    },
  };
  const t0 = timeline.now();
  timeline.record('step', { index: step.index, key: step.key, description, phase: 'start' });
  try {
    await raceStep(
      step.definition.run(args, ctx),
      model,
      stepAbort,
      caseAbort.signal,
      timeoutMs,
      `step ${step.index + 1} (${description})`,
    );
    timeline.record('step', { index: step.index, key: step.key, phase: 'end', ms: timeline.now() - t0 });
  } catch (err) {
    timeline.record('step', {
      index: step.index,
      key: step.key,
      phase: 'end',
      ms: timeline.now() - t0,
      error: String((err as Error)?.message ?? err),
    });
    throw caseAbort.signal.aborted ? caseAbort.signal.reason : err;
  }
}

/** The steps are done: work they left running must end well, and the model must not have failed. */
async function settleCase(c: CaseRun, model: Expectation): Promise<void> {
  await Promise.all(c.background);
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the first error a background step threw, as it was
  if (c.backgroundError !== undefined) throw c.backgroundError;
  const failure = model.failure();
  if (failure) throw caseFailureOf(failure);
}

/** Whatever happened: background work stopped, the rig in a safe state and closed, the model's last word taken. */
async function endCase(c: CaseRun): Promise<void> {
  c.unwire();
  c.caseAbort.abort(new Interrupted('SIGTERM'));
  await Promise.allSettled(c.background);
  if (c.session) await closeRig(c, c.session);
  // A failure the model saw in the last lines still counts.
  const late = c.expect?.failure();
  if (late && c.verdict.status === 'pass') fail(c, caseFailureOf(late));
  if (c.expect) {
    c.coverage = c.expect.coverage();
    c.properties['coverage.states'] = `${c.coverage.visited.length}/${c.coverage.states.length}`;
    c.properties['coverage.visited'] = c.coverage.visited.join(' ');
    c.expect.stop();
  }
}

/** Safe state: buttons released, power off, every driver closed. */
async function closeRig(c: CaseRun, session: RigSession): Promise<void> {
  const { timeline } = c;
  for (const name of c.buttonsDown) {
    await session.handles.outputs
      .get(name)
      ?.set(false)
      .catch((err: Error) => timeline.record('cleanup', { part: `outputs.${name}`, error: err.message }));
  }
  await session.handles.power.off().then(
    () => timeline.record('power', { state: 'off', cause: 'case-end' }),
    (err: Error) => fail(c, new RigError('power', `could not switch power off at case end: ${err.message}`)),
  );
  for (const err of await session.close()) timeline.record('cleanup', { error: err.message });
}

/** The flash images the cuts left are kept for a case that did not pass (hil debug and a person need them), else dropped. */
async function dropFlashAtCut(c: CaseRun): Promise<void> {
  const kept = c.properties[FLASH_AT_CUT];
  if (!kept || (c.verdict.status !== 'pass' && c.verdict.status !== 'skipped')) return;
  delete c.properties[FLASH_AT_CUT];
  await Promise.all(kept.split(' ').map((f) => rm(join(c.caseDir, f), { force: true })));
}

/** The case's result, written to its folder. */
async function reportCase(c: CaseRun): Promise<CaseResult> {
  const { scenario, rig, spec, instance } = c.options;
  await dropFlashAtCut(c);
  const cuts = c.cutLog.cuts;
  const result: CaseResult = {
    id: spec.id,
    scenario: scenario.name,
    rig: rig.name,
    params: spec.params,
    status: c.verdict.status,
    message: c.verdict.message,
    detail: c.verdict.detail,
    startedAt: c.startedAt.toISOString(),
    durationMs: Math.round(c.timeline.now()),
    properties: c.properties,
    dir: c.dirName,
    consoleText: c.consoleText.join('\n'),
    ...(instance ? { rigInstance: instance } : {}),
    ...(cuts.length ? { cuts } : {}),
    ...(c.coverage ? { coverage: c.coverage } : {}),
  };
  const writeError = await c.recorder.finish(result);
  if (writeError) c.options.log(writeError.message);
  return result;
}
