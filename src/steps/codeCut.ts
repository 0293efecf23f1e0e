import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { formatDuration } from '../core/duration.js';
import { canBreak, type ArmedBreakpoint, type CodeBreakpoint, type CutFault, type FaultApplied, type Halt } from '../protocols/Probe.js';
import { keepFlashAtCut } from './flashAtCut.js';
import { elfBeside } from '../image/elfSymbols.js';
import { CaseFailure, RigError } from '../core/errors.js';
import type { StepContext } from './Step.js';

/** Set by the cut step when the CPU never reached the hit it was armed for. */
export const MISSED_HIT = 'cut_missed_hit';
/** Set with MISSED_HIT when the probe counted the calls it saw instead: the function's hit count. */
export const HITS_SEEN = 'cut_hits_seen';
/** Set with MISSED_HIT when the hit came from a sweep: its parameter (`hit2` for a cut during a recovery). */
export const MISSED_SWEEP = 'cut_missed_sweep';

/** `at: { symbol, hit }`: a code location, where the probe speaks GDB. */
export const codeLocation = z.strictObject({
  symbol: z.string().min(1).describe('the function (an ELF symbol) whose N-th call is cut before it runs'),
  hit: z.coerce.number().int().positive().describe('A number, or a `${param}` that the case expansion turned into one.'),
  image: z
    .string()
    .min(1)
    .optional()
    .describe("Rig image whose ELF defines the symbol (its path, or the same path with `.elf`); default: the rig's first image."),
  symbols: z.string().min(1).optional().describe('An explicit ELF instead, relative to the scenario file.'),
  sweep: z
    .string()
    .min(1)
    .optional()
    .describe("The sweep parameter the hit comes from (`hit`, `hit2`), set by a scenario's `hit: all` or `hit: { every }`."),
});

/** The cut's properties: its anchor, when it was issued, how late against `target` and how long power took to go. */
export function noteCut(ctx: Pick<StepContext, 'note'>, cut: { anchor: string; target: number; issuedAt: number; doneAt: number }): void {
  const ms = (n: number) => (Math.round(n * 1000) / 1000).toString();
  ctx.note('cut_anchor', cut.anchor);
  ctx.note('cut_at_ms', ms(cut.issuedAt));
  ctx.note('cut_late_ms', ms(cut.issuedAt - cut.target));
  ctx.note('cut_actuation_ms', ms(cut.doneAt - cut.issuedAt));
}

/** Connecting gdb and setting a breakpoint: seconds at most. */
export const ARM_TIMEOUT_MS = 30_000;

/**
 * The ELF for symbols: `symbols:` as given, else the image's own path if it is an ELF, else the same path
 * with `.elf` (build/bootloader.bin → build/bootloader.elf), so `--image bootloader=variant.bin` brings its
 * own symbols along.
 */
export function symbolFile(at: z.infer<typeof codeLocation>, images: Record<string, { path: string }>, scenarioDir: string): string {
  if (at.symbols) {
    const path = resolve(scenarioDir, at.symbols);
    if (!existsSync(path)) throw new RigError('probe', `no symbol file ${path}`);
    return path;
  }
  const name = at.image ?? Object.keys(images)[0];
  const image = name === undefined ? undefined : images[name];
  if (!name || !image)
    throw new RigError('probe', `cut at ${at.symbol}: the rig has no image${name ? ` "${name}"` : 's'} to take symbols from`);
  const elf = elfBeside(image.path);
  if (!existsSync(elf))
    throw new RigError('probe', `cut at ${at.symbol}: no ELF next to image ${name} (looked for ${elf}); give symbols: PATH`);
  return elf;
}

export async function armCodeCut(
  at: z.infer<typeof codeLocation>,
  within: number,
  ctx: StepContext,
  fault: CutFault | undefined,
): Promise<void> {
  const probe = ctx.rig.probe;
  if (!canBreak(probe)) {
    throw new RigError('probe', `cut at ${at.symbol}: the rig's probe (${probe?.description ?? 'none'}) cannot halt at a breakpoint`);
  }
  const breakpoint: CodeBreakpoint = {
    symbol: at.symbol,
    hit: at.hit,
    symbols: symbolFile(at, ctx.rig.images, ctx.scenarioDir),
    // The images are part of what makes the calls: `--image` may change them between runs, not within one.
    ...(ctx.sequence ? { sequence: JSON.stringify([ctx.sequence, Object.values(ctx.rig.images).map((i) => i.path)]) } : {}),
  };
  const anchor = `${at.symbol} hit ${at.hit}`;
  await new Promise<void>((armedOk, armFailed) => {
    ctx.background(`cut at ${anchor}`, async (signal) => {
      let armed: ArmedBreakpoint;
      try {
        armed = await probe.breakAt(breakpoint, { signal, timeoutMs: within + ARM_TIMEOUT_MS });
      } catch (err) {
        armFailed(err);
        return;
      }
      const armedAt = ctx.timeline.now();
      ctx.timeline.record('cut', { phase: 'armed', anchor, armedAt });
      armedOk();
      let halt: Halt;
      try {
        halt = await haltWithin(armed, within, anchor, signal, () => inCuttableState(ctx));
      } catch (err) {
        const calls = await armed.release();
        // A hit sweep ends at the first hit the firmware never makes, and learns its count from it (HitSweep).
        if (err instanceof CaseFailure) {
          ctx.note(MISSED_HIT, String(at.hit));
          if (at.sweep) ctx.note(MISSED_SWEEP, at.sweep);
          if (calls === undefined) throw err;
          ctx.note(HITS_SEEN, String(calls));
          throw new CaseFailure(`${err.message}: ${calls === 1 ? '1 call' : `${calls} calls`}`);
        }
        throw err;
      }
      // Applied while the CPU stays halted: power goes whatever the model did, and its error is the case's after.
      let applied: FaultApplied | undefined;
      let faultError: unknown;
      if (fault && fault.model !== 'clean') {
        if (!halt.fault)
          faultError = new RigError('probe', `cut at ${anchor}: the rig's probe cannot apply the fault model ${fault.model}`);
        else applied = await halt.fault(fault).catch((err: unknown) => ((faultError = err), undefined));
      }
      const haltedAt = applied?.haltedAt ?? halt.t;
      const issuedAt = ctx.timeline.now();
      // What the cut left is taken while the board is off and before the model hears of it: the steps after the
      // cut wait for that, so none powers the board on (and the firmware writes its flash) meanwhile. `landed`
      // is the state once the console had everything the board printed before the cut (setPower drains it), not
      // what Node happened to have read at the halt: a multi-cut sweep compares it between cases.
      const whileOff = async (landed: string) => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the fault model's own error, as it was
        if (faultError !== undefined) throw faultError;
        await recordHaltCut(
          ctx,
          { anchor, armedAt, haltedAt, pc: applied?.pc ?? halt.pc, issuedAt, sweep: at.sweep, fault, applied },
          landed,
        );
      };
      try {
        await ctx.setPower(false, 'cut', { whileOff });
      } finally {
        // Only now: a debugger letting go of a powered, halted CPU would let it write the word.
        await halt.release();
      }
    });
  });
}

/** `torn-word seed 3: program 0x21010040 <- 0x20001000, 2 bytes changed`: what the timeline and properties say. */
function faultNote(model: string, seed: number, applied: FaultApplied | undefined): string {
  const hex = (n: number) => `0x${n.toString(16)}`;
  const what = !applied?.op
    ? ''
    : applied.op === 'program' && applied.address !== undefined
      ? `: program ${hex(applied.address)} <- ${hex(applied.data ?? 0)}`
      : applied.address !== undefined
        ? `: erase ${hex(applied.address)} +${hex(applied.length ?? 0)}`
        : `: ${applied.op} completed`;
  return `${model} seed ${seed}${what}${applied?.changed ? `, ${applied.changed} bytes changed` : ''}`;
}

/** Whether the model is in a state it marks cuttable: the operation a code cut sweeps is still under way. */
export function inCuttableState(ctx: Pick<StepContext, 'expect'>): boolean {
  const state = ctx.expect.state();
  return (ctx.expect.coverage().cuttable ?? []).some((name) => ctx.expect.within(state, name));
}

/** How many more `within` periods a hit may take while the board is still in a cuttable state. */
const MAX_EXTENSIONS = 20;

/**
 * The halt, or a CaseFailure once `within` passed without it. A hit sweep learns its end (and the firmware's call
 * count) from that failure, so it must not come while the operation is still going: on a slow or loaded runner
 * a copy can outlast `within`, and the count then was a wrong end (437 of 553 calls). While `stillGoing` says
 * so, the deadline moves on by `within` again, up to MAX_EXTENSIONS times; a board stuck there is the model's
 * to fail (its `after` limits) or the case timeout's.
 */
export function haltWithin(
  armed: ArmedBreakpoint,
  within: number,
  anchor: string,
  signal: AbortSignal,
  stillGoing: () => boolean,
): Promise<Halt> {
  return new Promise<Halt>((resolveHalt, reject) => {
    let extensions = 0;
    const going = () => {
      try {
        return stillGoing();
      } catch {
        return false;
      }
    };
    const expire = () => {
      if (extensions < MAX_EXTENSIONS && going()) {
        extensions += 1;
        timer = setTimeout(expire, within);
        return;
      }
      finish(() => reject(new CaseFailure(`cut: ${anchor} not reached within ${formatDuration(within * (extensions + 1))}`)));
    };
    let timer = setTimeout(expire, within);
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    armed.halted.then(
      (h) => finish(() => resolveHalt(h)),
      (err: unknown) => finish(() => reject(err)),
    );
    function finish(settle: () => void) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    }
  });
}

/** What recording a cut takes of a step's context. */
export type CutRecording = Pick<StepContext, 'timeline' | 'note' | 'rig' | 'caseDir' | 'cutMade'>;

/** A cut at a halt, as the timeline, the case's properties and a multi-cut sweep's pruning take it. */
export interface HaltCut {
  anchor: string;
  armedAt: number;
  haltedAt: number;
  pc: number | undefined;
  issuedAt: number;
  sweep: string | undefined;
  fault?: CutFault;
  applied?: FaultApplied;
  /** The flash files as the cut left them, where the caller knows (a case started from a survey). */
  flash?: Array<{ name: string; bytes: Buffer }>;
}

/**
 * Records a cut at a halt once power is off and before the model hears of it (setPower's whileOff): the flash
 * it left is kept, and the steps after the cut wait for that, so none powers the board on meanwhile.
 */
export async function recordHaltCut(ctx: CutRecording, cut: HaltCut, landed: string): Promise<void> {
  const { anchor, armedAt, haltedAt, pc, issuedAt, fault, applied } = cut;
  const doneAt = ctx.timeline.now();
  ctx.timeline.record('cut', {
    anchor,
    armedAt,
    haltedAt,
    pc,
    issuedAt,
    doneAt,
    lateMs: issuedAt - haltedAt,
    latencyMs: doneAt - issuedAt,
    state: landed,
    ...(cut.sweep ? { sweep: cut.sweep } : {}),
    ...(fault ? { fault: { ...(applied ?? { changed: 0 }), model: fault.model, seed: fault.seed } } : {}),
  });
  const flash = await keepFlashAtCut(ctx, cut.flash);
  if (fault) ctx.note('cut_fault', faultNote(fault.model, fault.seed, applied));
  noteCut(ctx, { anchor, target: haltedAt, issuedAt, doneAt });
  if (pc !== undefined) ctx.note('cut_pc', `0x${pc.toString(16)}`);
  if (flash.length) await ctx.cutMade?.({ flash, landed, ...(cut.sweep ? { sweep: cut.sweep } : {}) });
}
