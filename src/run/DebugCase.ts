import { dirname } from 'node:path';
import { z } from 'zod';
import { CaseFailure, ConfigError, Interrupted, RigError } from '../core/errors.js';
import type { TimelineEvent } from '../core/TimelineEvent.js';
import { canBreak, canHandOver, hasFlashFiles, type ArmedBreakpoint, type Halt } from '../protocols/Probe.js';
import type { RigSpec } from '../rig/RigSpec.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { CaseSpec } from '../scenario/cases.js';
import { stepArgs, type Scenario, type ScenarioStep } from '../scenario/Scenario.js';
import { cutAnchor, type CutArgs } from '../steps/CutStep.js';
import { haltWithin, symbolFile } from '../steps/codeCut.js';
import { defineStep, type StepContext } from '../steps/Step.js';
import { scenarioStepCall } from './scenarioStepCall.js';
import { LiveCase } from './LiveCase.js';
import { planRun } from './Run.js';

/** What `hil debug` was asked: a case (as `hil list` and a run's summary name it) and how far before its cut. */
export interface DebugRequest {
  id: string;
  rig?: string;
  images?: Record<string, string>;
  /** A cut at a code location: halt this many hits before the cut's (default 1; 0 is the cut's own hit). */
  before?: number;
  /** Which of the case's cuts, 1-based (default its last): the earlier ones are made as in the case. */
  cut?: number;
  cwd?: string;
}

/** A case to debug, checked: its scenario, rig (with `--image` applied), parameters and the cut it stops before. */
export interface DebugPlan {
  scenario: Scenario;
  rig: RigSpec;
  spec: CaseSpec;
  /** The cut step it stops before: the case's last (the one its failure follows) unless asked; earlier cuts are made. */
  cut: ScenarioStep;
  args: CutArgs;
  /** A cut at a code location: the hit the CPU is halted at. */
  hit?: number;
  /** The ELF with the firmware's symbols, for the debugger attached. */
  symbols?: string;
  /** Where the board will be halted, in words. */
  goal: string;
}

/**
 * Checks everything before a rig is touched: the case exists (its scenario, its parameters), it has a cut, the rig
 * is emulated (the CPU can be halted and handed over) and `before` leaves a hit. Any of these is a ConfigError.
 */
export function planDebug(request: DebugRequest): DebugPlan {
  const name = request.id.replace(/[[#].*$/, '');
  const [planned] = planRun({
    scenarios: [name],
    rig: request.rig,
    images: request.images ?? {},
    only: [request.id],
    cwd: request.cwd,
  });
  const { scenario, rig, cases } = planned!;
  if (cases.length !== 1)
    throw new ConfigError({
      file: 'command line',
      field: '<case id>',
      message: `${request.id} names ${cases.length} cases of ${scenario.name}; give one: ${cases
        .slice(0, 3)
        .map((c) => c.id)
        .join(', ')}${cases.length > 3 ? ', ...' : ''}`,
    });
  const spec = cases[0]!;
  const cut = pickCut(scenario, spec, request.cut);
  if (rig.probe?.kind !== 'qemu' || !rig.resources['qemu'])
    throw new ConfigError({
      file: rig.yaml.displayName,
      field: 'probe',
      message: `hil debug needs an emulated rig (resources.qemu and probe: { kind: qemu }) to halt the board and hand it over; rig ${rig.name}'s probe is ${rig.probe?.kind ?? 'missing'}`,
    });
  const args = stepArgs(scenario, cut, spec.params) as CutArgs;
  const scenarioDir = dirname(scenario.file);
  const cutNo = `step ${cut.index + 1}`;
  if (!args.at) {
    if (request.before !== undefined)
      throw new ConfigError({
        file: 'command line',
        field: '--before',
        message: `the cut of ${spec.id} (${cutNo}) is timed, not at a code location: hil debug halts at its anchor; --before counts hits`,
      });
    const anchor = args.when ? `the entry into ${args.when}` : args.on ? `the next ${args.on} line` : 'the step';
    return {
      scenario,
      rig,
      spec,
      cut,
      args,
      symbols: firstElf(rig, scenarioDir),
      goal: `${anchor} (the cut comes ${args.after} ms after it)`,
    };
  }
  const before = request.before ?? 1;
  const hit = args.at.hit - before;
  if (hit < 1)
    throw new ConfigError({
      file: 'command line',
      field: '--before',
      message: `the cut of ${spec.id} is at hit ${args.at.hit} of ${args.at.symbol}: --before takes 0 to ${args.at.hit - 1}, got ${before}`,
    });
  return {
    scenario,
    rig,
    spec,
    cut,
    args,
    hit,
    symbols: symbolFile(args.at, rig.images, scenarioDir),
    goal: `hit ${hit} of ${args.at.symbol} (${before === 0 ? "the cut's own" : `${before} before the cut at hit ${args.at.hit}`})`,
  };
}

/** The case's `k`-th cut step (1-based), its last by default. */
function pickCut(scenario: Scenario, spec: CaseSpec, k: number | undefined): ScenarioStep {
  const cuts = scenario.steps.filter((s) => s.key === 'cut');
  if (!cuts.length)
    throw new ConfigError({
      file: scenario.yaml.displayName,
      field: 'steps',
      message: `${spec.id} has no cut step: hil debug stops a case just before its cut`,
    });
  const cut = cuts[(k ?? cuts.length) - 1];
  if (!cut)
    throw new ConfigError({
      file: 'command line',
      field: '--cut',
      message: `${spec.id} has ${cuts.length === 1 ? '1 cut' : `${cuts.length} cuts`}: --cut takes 1 to ${cuts.length}, got ${k}`,
    });
  return cut;
}

/** The ELF of the rig's first image, when there is one: symbols for a debugger at a timed cut's anchor. */
function firstElf(rig: RigSpec, scenarioDir: string): string | undefined {
  try {
    return symbolFile({ symbol: 'main', hit: 1 }, rig.images, scenarioDir);
  } catch {
    return undefined;
  }
}

/** The board halted before the cut, with power on and the debugger's server free. */
export interface HaltedCase {
  /** `host:port` of the board's gdbstub. */
  gdb: string;
  pc?: number;
  /** The model's state at the halt. */
  state: string;
  /** The board's flash files (live: the emulator maps them). */
  flashFiles: string[];
  /** The case's folder (console, timeline), written when it ends. */
  caseDir: string;
  /** Power off, the rig closed (emulator and debugger gone), the case's folder written. */
  end(): Promise<CaseResult>;
}

export interface DebugCaseOptions {
  /** Aborted (an Interrupted reason) by Ctrl-C and SIGTERM: before the halt it ends the case there. */
  signal: AbortSignal;
  log(message: string): void;
  runDir: string;
  /** Each timeline event as it is recorded (steps, console lines, model transitions): take note, never wait. */
  onEvent?(event: TimelineEvent): void;
}

/** Bound on arming a breakpoint or halting the board: gdb work, seconds at most. */
const HALT_MS = 30_000;

/**
 * Runs the case as a run would, up to its cut, and halts the CPU just before it: at the plan's hit for a code
 * cut (the steps after the cut step drive the board there, as in the case, and stop at the halt), or at the
 * anchor of a timed cut. The CPU is left halted, power on, the model still fed by the console; `end` finishes.
 */
export async function haltBeforeCut(plan: DebugPlan, options: DebugCaseOptions): Promise<HaltedCase> {
  const { scenario, rig, spec } = plan;
  const c = new LiveCase({
    scenario: scenario.name,
    expect: scenario.expect,
    scenarioDir: dirname(scenario.file),
    rig,
    spec,
    runDir: options.runDir,
    signal: options.signal,
    log: options.log,
  });
  if (options.onEvent) c.timeline.subscribe(options.onEvent);
  const end = async (why: unknown) => {
    c.fail(why);
    await c.end();
    return c.report();
  };
  try {
    await c.open();
    // A timed cut's halt must come at its anchor, not after a debugger started: started now, beside the steps.
    const probe = c.rig.probe;
    const ready = plan.hit === undefined && canHandOver(probe) ? probe.readyToHalt() : Promise.resolve();
    ready.catch(() => undefined);
    for (const step of scenario.steps.filter((s) => s.index < plan.cut.index)) {
      c.check();
      await c.step(scenarioStepCall(scenario, step, spec.params));
    }
    c.check();
    const { gdb, pc } = plan.hit === undefined ? await toAnchor(c, plan, ready) : await toHit(c, plan, plan.hit);
    return {
      gdb,
      pc,
      state: c.expectation.state(),
      flashFiles: hasFlashFiles(probe) ? probe.flashFiles().map((f) => f.path) : [],
      caseDir: c.caseDir,
      end: () => end(options.signal.reason ?? new Interrupted('SIGTERM')),
    };
  } catch (err) {
    await end(err);
    throw err;
  }
}

/** A step of hil's own on the case's timeline: `run` with the step's context. */
function ownStep(description: string, timeoutMs: number, run: (ctx: StepContext) => Promise<void>) {
  return {
    definition: defineStep({
      key: 'debug',
      description,
      schema: z.object({}),
      timeoutMs: () => timeoutMs,
      describe: () => description,
      run: (_args, ctx) => run(ctx),
    }),
    args: {},
    description,
  };
}

/** A timed cut: waits for its anchor as the cut step does, then halts the CPU there. */
async function toAnchor(c: LiveCase, plan: DebugPlan, ready: Promise<void>): Promise<{ gdb: string; pc?: number }> {
  let halted: { gdb: string; pc?: number } | undefined;
  await c.step({
    ...ownStep(`halt at ${plan.goal}`, plan.args.within + HALT_MS, async (ctx) => {
      await ready;
      await cutAnchor(plan.args, ctx);
      const probe = ctx.rig.probe;
      if (!canHandOver(probe))
        throw new RigError('probe', `the rig's probe (${probe?.description ?? 'none'}) cannot hand over a halted CPU`);
      const { address, pc } = await probe.haltAndHandOver({ signal: ctx.signal });
      halted = { gdb: address, pc };
    }),
    index: plan.cut.index,
  });
  return halted!;
}

/**
 * A code cut: the breakpoint armed where the cut step arms it (hits count from there), then the case's later
 * steps drive the board to it (a button press) until the CPU halts; the step under way then stops.
 */
async function toHit(c: LiveCase, plan: DebugPlan, hit: number): Promise<{ gdb: string; pc?: number }> {
  const at = plan.args.at!;
  const { scenario, spec } = plan;
  let armed: ArmedBreakpoint | undefined;
  await c.step({
    ...ownStep(`arm a breakpoint at hit ${hit} of ${at.symbol}`, HALT_MS, async (ctx) => {
      const probe = ctx.rig.probe;
      if (!canBreak(probe)) throw new RigError('probe', `the rig's probe (${probe?.description ?? 'none'}) cannot halt at a breakpoint`);
      armed = await probe.breakAt(
        { symbol: at.symbol, hit, symbols: plan.symbols! },
        { signal: c.signal, timeoutMs: plan.args.within + HALT_MS },
      );
    }),
    index: plan.cut.index,
  });
  const stop = new AbortController();
  const drive = (async (): Promise<never> => {
    for (const step of scenario.steps.filter((s) => s.index > plan.cut.index)) {
      stop.signal.throwIfAborted();
      c.check();
      await c.step({ ...scenarioStepCall(scenario, step, spec.params), signal: stop.signal });
    }
    throw new CaseFailure(`the case's steps ended before hit ${hit} of ${at.symbol}`);
  })();
  drive.catch(() => undefined);
  let halt: Halt;
  try {
    // Missed as the cut step misses it: `within` passed and the board is past the operation the cut sweeps.
    const going = () => (c.expectation.coverage().cuttable ?? []).some((name) => c.expectation.within(c.expectation.state(), name));
    halt = await Promise.race([haltWithin(armed!, plan.args.within, `${at.symbol} hit ${hit}`, c.signal, going), drive]);
  } catch (err) {
    const calls = await armed!.release();
    // The board went on without reaching the hit (a hit past the firmware's last call): say so, with its count.
    if (!(err instanceof CaseFailure)) throw err;
    const seen = calls === undefined ? '' : ` (the firmware made ${calls === 1 ? '1 call' : `${calls} calls`} of ${at.symbol})`;
    throw new CaseFailure(`${err.message}${seen}`, err);
  } finally {
    stop.abort(new Error('the board halted for a debugger'));
    await drive.catch(() => undefined);
  }
  if (!halt.handOver) {
    await halt.release();
    throw new RigError('probe', 'the probe cannot leave the CPU halted for another debugger');
  }
  return { gdb: await halt.handOver(), pc: halt.pc };
}
