import type { z } from 'zod';
import type { RigHandles } from '../rig/RigHandles.js';
import type { Expectation } from '../expect/Expectation.js';
import type { Timeline } from '../core/Timeline.js';
import type { SurveyHalt, SurveyRun } from '../protocols/Probe.js';

export interface StepContext {
  rig: RigHandles;
  expect: Expectation;
  timeline: Timeline;
  params: Record<string, string>;
  /** Aborted on step timeout, case end and SIGINT/SIGTERM. */
  signal: AbortSignal;
  caseDir: string;
  /** Folder of the scenario file: paths a scenario names are relative to it. */
  scenarioDir: string;
  /** This step's timeout (its `timeout:` or the step kind's default); the runner enforces it with a small grace. */
  timeoutMs: number;
  /**
   * Switches power, records the edge with its actuation latency and feeds POWER_ON/POWER_OFF to the model.
   * Resolves to the model's state as the edge happened (for a cut: the state it landed in). `whileOff` runs once
   * power is off and before the model hears POWER_OFF, given that state: work on what a cut left (its flash)
   * that no later step may disturb, since a step waiting for the board to be off waits for it too.
   */
  setPower(on: boolean, cause: string, options?: { whileOff?: (landed: string) => Promise<void> }): Promise<string>;
  /** Drives a named output and records it; a button edge also feeds BUTTON_DOWN/BUTTON_UP to the model. */
  setOutput(name: string, active: boolean, options?: { button?: boolean }): Promise<void>;
  /** Writes to the console (one byte per `charDelayMs` when given) and feeds SENT to the model. */
  send(data: string | Uint8Array, options?: { charDelayMs?: number; signal?: AbortSignal }): Promise<void>;
  /** Work that outlives its step (an armed cut); the runner awaits it before the case ends and cancels it on abort. */
  background(name: string, work: (signal: AbortSignal) => Promise<void>): void;
  /** Adds a JUnit property / result fact. */
  note(key: string, value: string): void;
  /**
   * Only for the cut step that sweeps its hits: the same for every case of the sweep (the scenario, the step and
   * every parameter but the hit), whose boards make the same calls in the same order up to their cut.
   */
  sequence?: string;
  /**
   * A code cut left the board off with these flash files (landed in model state `landed`), at the cut of sweep
   * parameter `sweep`. Where the run prunes (a multi-cut sweep), it ends the case as a skip when another case of
   * the run already reached the same state.
   */
  cutMade?(cut: { flash: Array<{ name: string; bytes: Buffer }>; landed: string; sweep?: string }): Promise<void>;
  /**
   * Only in a cut survey (run/CutSurvey.ts): the sweeping code cut halts at every hit instead of cutting at one,
   * and hands each halt to `hit` while the CPU stays halted (false ends the survey); `started` gets the survey
   * once it is armed.
   */
  survey?: { hit(halt: SurveyHalt): Promise<boolean>; started(run: SurveyRun): void };
}

/** What a step refers to, checked when the scenario is loaded against the model and the rig. */
interface StepReferences {
  states?: string[];
  outputs?: string[];
  images?: string[];
  /** Files the step reads, as written: relative to the scenario file. */
  files?: string[];
  patterns?: string[];
  /** Layout regions of the rig (`flash: { erase }`, `inspect: { region }`). */
  regions?: string[];
  /** Code locations (`cut: { at }`): a symbol of an image's ELF (or of `symbols`), and the fault model cut there. */
  code?: CodeReference[];
}

export interface CodeReference {
  symbol: string;
  /** The rig image whose ELF defines the symbol; default: the rig's first image. */
  image?: string;
  /** An ELF file instead, as written: relative to the scenario file. */
  symbols?: string;
  fault?: string;
}

export interface StepDefinition<Schema extends z.ZodType = z.ZodType> {
  /** The YAML key: `power`, `wait`, `cut`, ... */
  key: string;
  description: string;
  schema: Schema;
  /** Steps as a scenario writes them (a YAML list, one item per form worth showing), for the generated reference (docs/steps.md); checked against the schema. */
  example?: string;
  references?(args: z.infer<Schema>): StepReferences;
  /** Default timeout when the step has no `timeout:`. */
  timeoutMs(args: z.infer<Schema>): number;
  describe(args: z.infer<Schema>): string;
  run(args: z.infer<Schema>, ctx: StepContext): Promise<void>;
}

export function defineStep<Schema extends z.ZodType>(def: StepDefinition<Schema>): StepDefinition<Schema> {
  return def;
}
