import type { ImageRegion } from '../flash/imagePlacement.js';
import type { FaultApplied as TimelineFaultApplied } from '../core/TimelineEvent.js';
import type { FaultModel } from '../flash/faultModel.js';

/** A debug probe (OpenOCD, pyOCD, a GDB server, STM32_Programmer_CLI): writes images, reads memory, resets. */

export interface FlashImage {
  /** Name in the rig's `images` map. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Load address for raw binaries; ELF and Intel HEX carry their own. */
  address?: number;
  /** Where the image must stay: a write past it would destroy the next region (a factory image). */
  region?: ImageRegion;
  /** Spoilt on purpose (a scenario's `tamper:`): its MCUboot header may declare more than the region; its bytes still must fit. */
  tampered?: boolean;
}

export interface FlashOptions {
  verify?: boolean;
  /** Reset and run after programming. */
  reset?: boolean;
  /** Ranges to erase before writing, in the same probe session where the tool allows (one connection, not one per range). */
  erase?: Array<{ address: number; size: number }>;
  signal?: AbortSignal;
}

export interface Probe {
  readonly description: string;
  flash(images: FlashImage[], options?: FlashOptions): Promise<void>;
  /** Erases `length` bytes from `address` (whole sectors). */
  erase(address: number, length: number, options?: { signal?: AbortSignal }): Promise<void>;
  read(address: number, length: number, options?: { signal?: AbortSignal }): Promise<Buffer>;
  reset(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

/** A code location: the `hit`-th time the CPU reaches `symbol`, as the ELF `symbols` defines it. */
export interface CodeBreakpoint {
  symbol: string;
  /** 1 = the first time. Counted from when the breakpoint is armed. */
  hit: number;
  /** Absolute path of the ELF that defines `symbol`. */
  symbols: string;
  /**
   * Breakpoints armed with the same key see the same calls in the same order (the same scenario, steps and
   * parameters, but the hit): a probe may use what it learnt from one to reach another's hit sooner.
   */
  sequence?: string;
}

/** The CPU halted at a breakpoint; it stays halted until `release`. */
export interface Halt {
  /** Timeline time when the halt was seen. */
  t: number;
  pc?: number;
  /**
   * Ends the debugger session. Call it after the power is cut: a debugger that lets go of a powered target lets it
   * run on past the breakpoint.
   */
  release(): Promise<void>;
  /**
   * Applies a power-loss fault model to the flash operation the CPU is halted at (its arguments read from the
   * registers the rig names), while the CPU stays halted: the firmware never runs between this and the cut, so
   * the flash is what the cut would leave. `after-op` runs the operation to its return and halts there.
   */
  fault?(fault: CutFault): Promise<FaultApplied>;
  /**
   * Ends the debugger session leaving the CPU halted where it is, power on, and the debug server free for another
   * debugger (`hil debug`); resolves to that server's address (`host:port`). Instead of `release`.
   */
  handOver?(): Promise<string>;
}

/** A fault model and its seed: the same pair at the same hit leaves the same flash, bit for bit. */
export interface CutFault {
  model: FaultModel;
  seed: number;
}

/** What a fault model did at the cut, for the timeline (`core/TimelineEvent.ts`). */
export type FaultApplied = TimelineFaultApplied<FaultModel>;

export interface ArmedBreakpoint {
  /** Settles at the halt; rejects if the session ends first (power lost, timeout, abort). */
  halted: Promise<Halt>;
  /**
   * Ends the session without waiting for the halt. Resolves to the calls of the symbol counted until then, where
   * the probe can tell: a hit never reached says how many there are (a hit sweep's count).
   */
  release(): Promise<number | undefined>;
}

/**
 * Optional capability of a probe that speaks GDB to a running target: arm a breakpoint that halts the CPU at
 * the `hit`-th pass and keep it halted there, so power can be cut exactly before that instruction runs.
 * Resolves once the breakpoint is set and the target runs again.
 */
export interface BreakpointProbe {
  breakAt(breakpoint: CodeBreakpoint, options: { signal: AbortSignal; timeoutMs: number }): Promise<ArmedBreakpoint>;
}

export function canBreak(probe: Probe | undefined): probe is Probe & BreakpointProbe {
  return typeof (probe as Partial<BreakpointProbe> | undefined)?.breakAt === 'function';
}

/** Optional capability of a probe that can stop a running CPU and leave it halted for another debugger (`hil debug`). */
export interface HandOverProbe {
  /** Starts what the halt needs (a debugger process), so that a halt asked later comes at once. */
  readyToHalt(): Promise<void>;
  /** Halts the CPU where it is now and lets go of it halted: its PC and the debug server's address (`host:port`). */
  haltAndHandOver(options?: { signal?: AbortSignal }): Promise<{ pc?: number; address: string }>;
}

export function canHandOver(probe: Probe | undefined): probe is Probe & HandOverProbe {
  return typeof (probe as Partial<HandOverProbe> | undefined)?.haltAndHandOver === 'function';
}

/** A board whose flash is a set of files (an emulated one): what a cut left can be kept as it is. */
export interface FlashFileProbe {
  /** Each flash file of the board, by name; read them only while the board is off. */
  flashFiles(): Array<{ name: string; path: string }>;
}

/** One stop of a survey: the CPU halted at the `hit`-th call, as it stays until the survey's callback returns. */
export interface SurveyHalt {
  hit: number;
  /** Timeline time when the halt was seen. */
  t: number;
  pc?: number;
}

/** A survey under way (SurveyProbe.survey). */
export interface SurveyRun {
  /** Settles once the survey ended, with the calls it halted at; rejects when the session failed. */
  ended: Promise<number>;
  /** Ends the survey: the breakpoint goes and the board runs on as if no debugger had been there. */
  stop(): Promise<number>;
}

/**
 * Optional capability of a probe on an emulated board whose flash is files: halt at every call of a function in
 * turn, letting the caller read the flash files while the CPU stays halted (a cut survey: what each hit's cut
 * would leave, from one run), and write such a state back into the board while it is off.
 */
export interface SurveyProbe extends FlashFileProbe {
  /** Resolves once the breakpoint is set and the target runs again; `onHit` false ends the survey. */
  survey(
    code: { symbol: string; symbols: string },
    options: { signal: AbortSignal; timeoutMs: number },
    onHit: (halt: SurveyHalt) => Promise<boolean>,
  ): Promise<SurveyRun>;
  /**
   * Makes each named flash file hold `bytes`, written into the board while it is off as a flash step writes;
   * false where the board cannot take it that way (it is on, or its power cycles start a new emulator).
   */
  restoreFlashFiles(files: Array<{ name: string; bytes: Buffer }>, options?: { signal?: AbortSignal }): Promise<boolean>;
}

export function canSurvey(probe: Probe | undefined): probe is Probe & SurveyProbe {
  return typeof (probe as Partial<SurveyProbe> | undefined)?.survey === 'function' && hasFlashFiles(probe);
}

export function hasFlashFiles(probe: Probe | undefined): probe is Probe & FlashFileProbe {
  return typeof (probe as Partial<FlashFileProbe> | undefined)?.flashFiles === 'function';
}
