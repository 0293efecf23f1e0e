import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { openInputFile } from '../config/inputFile.js';
import type { RigSpec } from '../rig/RigSpec.js';
import { toFileName } from '../config/fileName.js';
import { stepArgs, type Scenario } from '../scenario/Scenario.js';
import type { ConsoleLine } from '../protocols/Console.js';
import { CaseFailure, CaseSkipped, ConfigError, Interrupted, RigError } from '../core/errors.js';
import { createExpectation } from '../expect/ExpectationModel.js';
import type { Coverage, Expectation } from '../expect/Expectation.js';
import { CaseRecorder, consoleLogLine } from '../report/CaseRecorder.js';
import type { StepContext } from '../steps/Step.js';
import type { CaseResult, CaseStatus, CutMeasure } from '../report/CaseResult.js';
import type { CaseSpec } from '../scenario/cases.js';
import { RigSession } from '../rig/RigSession.js';
import { Timeline } from '../core/Timeline.js';

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

/** Extra time a step gets beyond its own timeout before the runner gives up on it: the step's own error says more. */
const STEP_GRACE_MS = 2_000;
/** How many console lines the failure message and the report keep in memory. */
const CONSOLE_TAIL = 20;


async function sha256(path: string): Promise<string | undefined> {
  let fd: number;
  try {
    ({ fd } = openInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER }));
  } catch {
    return undefined; // not there, or not a regular file (a FIFO would never end): the flash step says which
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream('', { fd })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs one case start to end and always returns a result: reports are written from it whatever happened. */
export async function runCase(options: CaseRunOptions): Promise<CaseResult> {
  const { scenario, rig, spec } = options;
  const startedAt = new Date();
  const timeline = new Timeline();
  const dirName = toFileName(spec.id, 'case');
  const caseDir = join(options.runDir, dirName);
  const properties: Record<string, string> = { rig: rig.name, ...Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [`param.${k}`, v])) };
  if (options.instance) properties['rig.instance'] = options.instance;
  const cuts: CutMeasure[] = [];
  // The cut step records its event after power is off; the state that matters is the one the cut landed in.
  let stateAtCut: string | undefined;
  timeline.subscribe((event) => {
    // A cut event without issuedAt is a step's own bookkeeping (a breakpoint armed), not a power cut.
    if (event.type !== 'cut' || typeof event.issuedAt !== 'number') return;
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    const state = typeof event.stateAtCut === 'string' ? event.stateAtCut : (stateAtCut ?? String(event.state ?? ''));
    cuts.push({ atMs: num(event.issuedAt), lateMs: num(event.lateMs), actuationMs: num(event.latencyMs), state, anchor: typeof event.anchor === 'string' ? event.anchor : undefined });
    properties['cut_state'] = state;
    stateAtCut = undefined;
  });
  const consoleText: string[] = [];
  const tail: string[] = [];
  let status: CaseStatus = 'pass';
  let message: string | undefined;
  let detail: string | undefined;

  const recorder = new CaseRecorder(caseDir, timeline);
  const caseAbort = new AbortController();
  const onRunAbort = () => caseAbort.abort(options.signal.reason);
  if (options.signal.aborted) caseAbort.abort(options.signal.reason);
  else options.signal.addEventListener('abort', onRunAbort, { once: true });
  const caseTimer = setTimeout(
    () => caseAbort.abort(new RigError('case', `case exceeded its ${scenario.timeoutMs / 1000}s timeout`)),
    scenario.timeoutMs,
  );

  let session: RigSession | undefined;
  let expect: Expectation | undefined;
  let coverage: Coverage | undefined;
  const background: Array<Promise<void>> = [];
  let backgroundError: unknown;
  const buttonsDown = new Set<string>();

  const fail = (err: unknown) => {
    if (status !== 'pass') return;
    if (err instanceof CaseFailure) {
      status = 'fail';
      // A step's own check (inspect, cut) knows nothing of the model: say where the model was.
      const failure = err.state === undefined && expect ? new CaseFailure(`${err.message}, in state ${expect.state()}`, { state: expect.state(), lastLines: [...tail] }) : err;
      message = failure.message;
      detail = failureDetail(failure);
    } else if (err instanceof CaseSkipped) {
      status = 'skipped';
      message = err.message;
    } else if (err instanceof RigError) {
      status = 'error';
      message = `${err.part}: ${err.message}`;
      detail = err.detail;
    } else if (err instanceof Interrupted) {
      status = 'error';
      message = err.message;
    } else if (err instanceof ConfigError) {
      status = 'error';
      message = err.message;
    } else {
      status = 'error';
      message = `internal error: ${(err as Error)?.message ?? String(err)}`;
      detail = (err as Error)?.stack;
    }
    timeline.record('result', { status, message });
  };

  try {
    timeline.record('case', { id: spec.id, scenario: scenario.name, rig: rig.name, params: spec.params });
    for (const [name, image] of Object.entries(rig.images)) {
      const hash = await sha256(image.path);
      if (hash) properties[`image.${name}.sha256`] = hash;
    }
    expect = createExpectation(scenario.expect, { timeline });
    session = new RigSession(rig, { timeline, log: options.log, instance: options.instance, kept: options.kept });
    const rigHandles = session.handles;
    const model = expect;

    rigHandles.console.subscribe({
      line: (line: ConsoleLine) => {
        recorder.consoleLine(line);
        timeline.record('line', { text: line.text }, line.t);
        const text = consoleLogLine(line);
        consoleText.push(text);
        tail.push(line.text);
        if (tail.length > CONSOLE_TAIL) tail.shift();
        model.feedLine(line);
      },
      failed: ({ error }) => caseAbort.abort(error),
    });

    const ctxBase = {
      rig: rigHandles,
      expect: model,
      timeline,
      params: spec.params,
      caseDir,
      scenarioDir: dirname(scenario.file),
      async setPower(on: boolean, cause: string) {
        const askedAt = timeline.now();
        // POWER_ON goes in first: the board's first line may arrive before power.on() resolves.
        if (on) model.send({ type: 'POWER_ON', t: askedAt });
        if (on) await rigHandles.power.on();
        else await rigHandles.power.off();
        // Read after the power-off: the lines the board printed before it lost power have arrived by then (the
        // virtual board's console drains them), so this is the state the cut landed in, not one it had left.
        const state = model.state();
        if (!on && cause === 'cut') stateAtCut = state;
        const doneAt = timeline.now();
        const cutIn = !on && cause === 'cut' ? { stateAtCut } : {};
        timeline.record('power', { state: on ? 'on' : 'off', cause, askedAt, latencyMs: Math.round((doneAt - askedAt) * 1000) / 1000, ...cutIn }, doneAt);
        if (!on) model.send({ type: 'POWER_OFF', t: doneAt });
        return state;
      },
      async setOutput(name: string, active: boolean, opts?: { button?: boolean }) {
        const output = rigHandles.outputs.get(name);
        if (!output) throw new RigError(`outputs.${name}`, `rig ${rig.name} has no output "${name}" (it has: ${[...rigHandles.outputs.keys()].join(', ') || 'none'})`);
        const askedAt = timeline.now();
        await output.set(active);
        timeline.record('output', { name, active, askedAt, latencyMs: Math.round((timeline.now() - askedAt) * 1000) / 1000 });
        if (active) buttonsDown.add(name);
        else buttonsDown.delete(name);
        if (opts?.button) model.send({ type: active ? 'BUTTON_DOWN' : 'BUTTON_UP', t: askedAt, detail: name });
      },
      async send(data: string | Uint8Array) {
        await rigHandles.console.write(data);
        const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        timeline.record('sent', { text });
        model.send({ type: 'SENT', t: timeline.now(), detail: text });
      },
      note(key: string, value: string) {
        properties[key] = value;
      },
    };

    await rigHandles.console.open();

    for (const step of scenario.steps) {
      caseAbort.signal.throwIfAborted();
      const failure = model.failure();
      if (failure) throw modelFailure(failure);
      const args = stepArgs(scenario, step, spec.params);
      const timeoutMs = step.timeoutMs ?? step.definition.timeoutMs(args);
      const description = step.name ?? step.definition.describe(args);
      options.onStep?.(step.index, description);
      const stepAbort = new AbortController();
      const stepSignal = AbortSignal.any([caseAbort.signal, stepAbort.signal]);
      const ctx: StepContext = {
        ...ctxBase,
        signal: stepSignal,
        timeoutMs,
        background(name, work) {
          // A failure in work that outlives its step (an armed cut whose board died) ends the case now, through
          // the case signal; the promise itself never rejects, so nothing is left unhandled.
          background.push(
            work(caseAbort.signal).catch((err: unknown) => {
              if (caseAbort.signal.aborted) return;
              timeline.record('background', { name, error: String((err as Error)?.message ?? err) });
              backgroundError ??= err;
              caseAbort.abort(err);
            }),
          );
        },
      };
      const t0 = timeline.now();
      timeline.record('step', { index: step.index, key: step.key, description, phase: 'start' });
      try {
        await raceStep(step.definition.run(args, ctx), model, stepAbort, caseAbort.signal, timeoutMs, `step ${step.index + 1} (${description})`);
        timeline.record('step', { index: step.index, key: step.key, phase: 'end', ms: timeline.now() - t0 });
      } catch (err) {
        timeline.record('step', { index: step.index, key: step.key, phase: 'end', ms: timeline.now() - t0, error: String((err as Error)?.message ?? err) });
        throw caseAbort.signal.aborted ? caseAbort.signal.reason : err;
      }
    }
    await Promise.all(background);
    if (backgroundError !== undefined) throw backgroundError;
    const failure = model.failure();
    if (failure) throw modelFailure(failure);
  } catch (err) {
    fail(err);
  } finally {
    clearTimeout(caseTimer);
    options.signal.removeEventListener('abort', onRunAbort);
    caseAbort.abort(new Interrupted('SIGTERM'));
    await Promise.allSettled(background);
    if (session) {
      // Safe state whatever happened: buttons released, power off, every driver closed.
      for (const name of buttonsDown) {
        await session.handles.outputs.get(name)?.set(false).catch((err: Error) => timeline.record('cleanup', { part: `outputs.${name}`, error: err.message }));
      }
      await session.handles.power.off().then(
        () => timeline.record('power', { state: 'off', cause: 'case-end' }),
        (err: Error) => fail(new RigError('power', `could not switch power off at case end: ${err.message}`)),
      );
      for (const err of await session.close()) timeline.record('cleanup', { error: err.message });
    }
    // A failure the model saw in the last lines still counts.
    const late = expect?.failure();
    if (late && status === 'pass') fail(modelFailure(late));
    if (expect) {
      coverage = expect.coverage();
      properties['coverage.states'] = `${coverage.visited.length}/${coverage.states.length}`;
      properties['coverage.visited'] = coverage.visited.join(' ');
      expect.stop();
    }
  }

  const result: CaseResult = {
    id: spec.id,
    scenario: scenario.name,
    rig: rig.name,
    params: spec.params,
    status,
    message,
    detail,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(timeline.now()),
    properties,
    dir: dirName,
    consoleText: consoleText.join('\n'),
    ...(options.instance ? { rigInstance: options.instance } : {}),
    ...(cuts.length ? { cuts } : {}),
    ...(coverage ? { coverage } : {}),
  };
  const writeError = await recorder.finish(result);
  if (writeError) options.log(writeError.message);
  return result;
}

function modelFailure(failure: { message: string; state: string; expected: string[]; lastLines: string[] }): CaseFailure {
  return new CaseFailure(failure.message, { state: failure.state, expected: failure.expected, lastLines: failure.lastLines });
}

function failureDetail(err: CaseFailure): string {
  const parts = [err.message];
  if (err.state) parts.push(`model state: ${err.state}`);
  if (err.expected) parts.push(`expected events: ${err.expected.join(', ') || '(none)'}`);
  if (err.lastLines?.length) parts.push('last console lines:', ...err.lastLines.map((l) => `  ${l}`));
  return parts.join('\n');
}

/**
 * A step ends when it finishes, when the model fails (a forbidden line during a `sleep` must end the case
 * now, not at the next step), or when its timeout plus a grace passes (a hung tool is the rig's fault).
 */
async function raceStep(work: Promise<void>, model: Expectation, abort: AbortController, caseSignal: AbortSignal, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let onCaseAbort: (() => void) | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    // The case ends now when it is interrupted or the rig breaks (a console gone for good), whatever the step is doing.
    onCaseAbort = () => reject(caseSignal.reason);
    if (caseSignal.aborted) onCaseAbort();
    else caseSignal.addEventListener('abort', onCaseAbort, { once: true });
    timer = setTimeout(() => {
      const err = new RigError('step', `${what} did not finish within ${(timeoutMs + STEP_GRACE_MS) / 1000}s`);
      abort.abort(err);
      reject(err);
    }, timeoutMs + STEP_GRACE_MS);
    poll = setInterval(() => {
      const failure = model.failure();
      if (!failure) return;
      const err = modelFailure(failure);
      abort.abort(err);
      reject(err);
    }, 10);
  });
  try {
    await Promise.race([work, watchdog]);
  } catch (err) {
    // Let the step see the abort and stop (a power-on half done, a gdb run) before cleanup touches the same
    // parts; a step that ignores its signal is left behind after the grace.
    if (!abort.signal.aborted) abort.abort(err);
    await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, STEP_GRACE_MS).unref())]);
    throw err;
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    if (onCaseAbort) caseSignal.removeEventListener('abort', onCaseAbort);
    work.catch(() => undefined);
  }
}
