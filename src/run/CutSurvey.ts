import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { changedRanges } from '../flash/changedRanges.js';
import { readWhole } from '../flash/readWhole.js';
import { canCatchUp } from '../protocols/Console.js';
import { canSurvey, type SurveyHalt, type SurveyRun } from '../protocols/Probe.js';
import type { Scenario, ScenarioStep } from '../scenario/Scenario.js';
import { inCuttableState } from '../steps/codeCut.js';
import { scenarioStepCall } from './scenarioStepCall.js';
import { LiveCase, type CaseEntry, type LiveCaseOptions } from './LiveCase.js';

/** Where a survey runs: the case it runs before, as the run gives it. */
export type SurveyCaseOptions = Pick<LiveCaseOptions, 'rig' | 'spec' | 'runDir' | 'instance' | 'signal' | 'log' | 'kept'> & {
  scenario: Scenario;
};

/**
 * How long the board must have run since the step before the one under way ended for a hit to start a case from
 * the survey. The survey halts at every hit; the steps timed by the host (a button held 20 ms) do not stop with
 * the CPU, so in the survey they end earlier, counted in hits, than in a case cut at the hit. A hit this far past
 * their end comes after it in both.
 */
const SETTLED_MS = 5;
/** After the board left the states a cut sweeps, how long more hits may still come before the survey ends. */
const AFTER_CUTTABLE_MS = 200;
/** With no state marked cuttable, how long after a hit the next may come before the survey ends. */
const QUIET_MS = 1_000;

/** One hit of a survey: where a case cut there starts. */
export interface SurveyedHit {
  hit: number;
  /** The recording's entries up to the halt, and the timeline time of the halt once the console was read. */
  entries: number;
  t: number;
  pc?: number;
  /** The step under way at the halt: a case cut there runs on from its start (the board is off by then). */
  step: number;
  /** Why a case cut here runs whole instead, if it does. */
  unusable?: string;
}

/**
 * A power cut keeps only the flash: RAM, the CPU and the peripherals are gone. So every case of a hit sweep is
 * the same run up to its cut, and what the cut leaves is that run's flash at the hit. A survey runs the steps up
 * to the cut's reach once, halting at every hit to read the flash files, the console and the model there; a case
 * then starts at its cut: the board off with that flash, its timeline, console and model as the survey had them
 * (LiveCase.replay), and the steps from the one under way at the hit on. A hit the survey cannot vouch for (a
 * line left open, a button still held, a model already failed) runs whole.
 */
export class Survey {
  readonly entries: CaseEntry[] = [];
  readonly hits: SurveyedHit[] = [];
  /** Flash at the first hit, then per hit the ranges that changed since the previous one. */
  private base: Array<{ name: string; bytes: Buffer }> = [];
  private readonly changes: Array<Array<{ file: number; offset: number; bytes: Buffer }>> = [];

  constructor(
    readonly symbol: string,
    /** The cut step: where the survey armed. */
    readonly cutStep: number,
  ) {}

  /**
   * Set once the survey has stopped. Before, the hits it recorded are there to start cases from already (the
   * other jobs' cases, a hit at a time, come far behind it).
   */
  ended = false;

  /** The hit, or why a case cut there runs whole. */
  at(hit: number): SurveyedHit | string {
    const h = this.hits[hit - 1];
    if (!h) return this.ended ? `the survey ended after ${this.hits.length} hits` : 'the survey had not reached this hit yet';
    return h.unusable ?? h;
  }

  /** Each flash file as the cut at `hit` leaves it. */
  flashAt(hit: number): Array<{ name: string; bytes: Buffer }> {
    const files = this.base.map((f) => ({ name: f.name, bytes: Buffer.from(f.bytes) }));
    for (const changes of this.changes.slice(1, hit)) for (const c of changes) c.bytes.copy(files[c.file]!.bytes, c.offset);
    return files;
  }

  /** Adds a hit with the flash files as they are now (`now`: read while the CPU is halted). */
  add(hit: SurveyedHit, now: Array<{ name: string; bytes: Buffer }>, before: Array<{ name: string; bytes: Buffer }> | undefined): void {
    this.hits.push(hit);
    if (!before) {
      this.base = now.map((f) => ({ name: f.name, bytes: Buffer.from(f.bytes) }));
      this.changes.push([]);
      return;
    }
    const changes = now.flatMap((f, file) =>
      changedRanges(before[file]!.bytes, f.bytes).map((r) => ({
        file,
        offset: r.offset,
        bytes: Buffer.from(f.bytes.subarray(r.offset, r.offset + r.length)),
      })),
    );
    this.changes.push(changes);
  }
}

/**
 * Runs a survey of the sweeping cut at `cutStep` on the case's rig into `survey`: the steps in order, the cut
 * step armed to halt at every hit, the steps after it until the board left the cuttable states and no hit came
 * for a while. Returns why it failed, if it did: the hits recorded until then still stand.
 */
export async function runSurvey(options: SurveyCaseOptions, cutStep: ScenarioStep, survey: Survey): Promise<string | undefined> {
  const { scenario, spec } = options;
  const c = new LiveCase({
    ...options,
    spec: { id: `${scenario.name}[survey]`, params: spec.params },
    scenario: scenario.name,
    expect: scenario.expect,
    scenarioDir: dirname(scenario.file),
    onModelInput: (input) => survey.entries.push({ input }),
  });
  c.timeline.subscribe((event) => survey.entries.push({ event }));
  c.onLine((line) => survey.entries.push({ line }));
  const recorder = new SurveyRecorder(c, survey);
  try {
    await c.open();
    for (const step of scenario.steps) {
      if (recorder.over.signal.aborted) break;
      c.check();
      const call = scenarioStepCall(scenario, step, spec.params);
      await c
        .step({ ...call, ...(step.index === cutStep.index ? { survey: recorder } : {}), signal: recorder.over.signal })
        .catch((err: unknown) => {
          if (!recorder.over.signal.aborted) throw err;
        });
    }
    return await recorder.result();
  } catch (err) {
    return `the survey failed: ${(err as Error)?.message ?? String(err)}`;
  } finally {
    recorder.stop();
    survey.ended = true;
    await c.end();
    // Its files are closed by its report; the survey is no case of the run.
    await c.report();
    await rm(c.caseDir, { recursive: true, force: true });
  }
}

/** The survey's side of the cut step (StepContext.survey): at each halt, what a case cut there starts from. */
class SurveyRecorder {
  /** Aborted when the survey has what it needs (or failed): the steps under way stop. */
  readonly over = new AbortController();
  private run?: SurveyRun;
  private failure?: string;
  private seenCuttable = false;
  private haltedMs = 0;
  private under?: { index: number; key: string };
  private lastEnd = 0;
  private lastFlash?: Array<{ name: string; bytes: Buffer }>;
  /** The flash read at the hit before last: its buffers take the next read (16 MiB a hit otherwise). */
  private spare?: Array<{ name: string; bytes: Buffer }>;
  private quietTimer?: NodeJS.Timeout;
  private readonly ended: Promise<void>;
  private onEnded!: () => void;

  constructor(
    private readonly c: LiveCase,
    private readonly survey: Survey,
  ) {
    this.ended = new Promise<void>((resolve) => (this.onEnded = resolve));
    c.timeline.subscribe((event) => {
      if (event.type === 'step' && event.phase === 'start') this.under = { index: event.index, key: event.key };
      if (event.type === 'step' && event.phase === 'end') {
        this.under = undefined;
        this.lastEnd = event.t;
        this.haltedMs = 0;
      }
      if (event.type === 'model' && this.seenCuttable && !this.cuttable()) this.endSoon(AFTER_CUTTABLE_MS);
      if (event.type === 'model-failure') this.end(`the model failed during the survey: ${event.message}`);
    });
  }

  readonly started = (run: SurveyRun): void => {
    this.run = run;
    run.ended.then(
      () => this.end(),
      (err: unknown) => this.end(`the survey failed: ${(err as Error)?.message ?? String(err)}`),
    );
  };

  readonly hit = async (halt: SurveyHalt): Promise<boolean> => {
    clearTimeout(this.quietTimer);
    const { c, survey } = this;
    const caught = canCatchUp(c.rig.console) ? await c.rig.console.caughtUp() : false;
    const cuttable = this.cuttable();
    if (this.seenCuttable && !cuttable) return false;
    this.seenCuttable ||= cuttable;
    const probe = c.rig.probe;
    if (!canSurvey(probe)) return false;
    const flash = await readFlash(probe.flashFiles(), this.spare);
    const under = this.under;
    const ranMs = halt.t - this.lastEnd - this.haltedMs;
    const unusable = !caught
      ? 'a console line was still open at the hit'
      : c.expectation.failure()
        ? 'the model had failed'
        : under?.key !== 'wait' || under.index <= survey.cutStep
          ? `step ${(under?.index ?? -1) + 1} (${under?.key ?? 'none'}) was under way: only a wait goes on unchanged once power is off`
          : ranMs < SETTLED_MS
            ? `the step before ended only ${ranMs.toFixed(1)} ms of running before the hit`
            : undefined;
    survey.add(
      {
        hit: halt.hit,
        entries: survey.entries.length,
        t: c.timeline.now(),
        ...(halt.pc === undefined ? {} : { pc: halt.pc }),
        step: under?.index ?? -1,
        ...(unusable ? { unusable } : {}),
      },
      flash,
      this.lastFlash,
    );
    this.spare = this.lastFlash;
    this.lastFlash = flash;
    // A model that marks no state cuttable cannot say when the operation is over: a pause in the hits does.
    if (!(c.expectation.coverage().cuttable ?? []).length) this.endSoon(QUIET_MS);
    this.haltedMs += c.timeline.now() - halt.t;
    return !this.over.signal.aborted;
  };

  /** Why the survey is not usable, or undefined once it ended as it should. */
  async result(): Promise<string | undefined> {
    await Promise.race([this.ended, new Promise((r) => this.over.signal.addEventListener('abort', r, { once: true }))]);
    if (this.failure) return this.failure;
    if (!this.survey.hits.length) return 'the survey saw no hit';
    return undefined;
  }

  stop(): void {
    clearTimeout(this.quietTimer);
    void this.run?.stop();
    this.end();
  }

  private cuttable(): boolean {
    try {
      return inCuttableState(this.c.stepActions);
    } catch {
      return false;
    }
  }

  private endSoon(ms: number): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => void this.run?.stop().then(() => this.end()), ms);
  }

  private end(failure?: string): void {
    if (this.over.signal.aborted) return;
    this.failure = failure;
    this.onEnded();
    this.over.abort(new Error('the survey ended'));
  }
}

/** Each flash file's bytes now, read into `reuse`'s buffers where they are the size. */
function readFlash(
  files: Array<{ name: string; path: string }>,
  reuse: Array<{ name: string; bytes: Buffer }> | undefined,
): Promise<Array<{ name: string; bytes: Buffer }>> {
  return Promise.all(
    files.map(async (f) => ({ name: f.name, bytes: await readWhole(f.path, reuse?.find((r) => r.name === f.name)?.bytes) })),
  );
}
