import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { duration, formatDuration } from '../core/duration.js';
import { canBreak, type ArmedBreakpoint, type CodeBreakpoint, type CutFault, type FaultApplied, type Halt } from '../protocols/Probe.js';
import { FAULT_MODELS } from '../flash/faultModel.js';
import { keepFlashAtCut } from './flashAtCut.js';
import { elfBeside } from '../image/elfSymbols.js';
import { CaseFailure, CaseSkipped, RigError } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { defineStep, type StepContext } from './Step.js';

/** Set by the cut step when the CPU never reached the hit it was armed for. */
export const MISSED_HIT = 'cut_missed_hit';
/** Set with MISSED_HIT when the probe counted the calls it saw instead: the function's hit count. */
export const HITS_SEEN = 'cut_hits_seen';
/** Set with MISSED_HIT when the hit came from a sweep: its parameter (`hit2` for a cut during a recovery). */
export const MISSED_SWEEP = 'cut_missed_sweep';

/** `at: { symbol, hit }`: a code location, where the probe speaks GDB. */
const codeLocation = z.strictObject({
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

/**
 * Power is cut `after` a moment the board itself marks: entering a model state (`when`), a console pattern
 * (`on`), or the step's start. The step blocks until the cut happened, so the next step sees the board off.
 * The delay is measured from the anchor's own timestamp (when its line arrived), not from when Node noticed.
 *
 * `at` instead arms a breakpoint on a running board and returns: the following steps drive the board to that
 * code (a button press), and when the CPU halts at the `hit`-th pass the power is cut while it is still halted,
 * exactly before that instruction runs (`wait: off` waits for it). Hits count from when the step runs.
 */
export const cutStep = defineStep({
  key: 'cut',
  example: `- cut: { when: copying, after: 60ms }
- cut: { on: COPYING, after: 5ms }
- cut: { at: { symbol: flash_program_word, hit: 553 } }`,
  description:
    'cut power when the model enters a state or a pattern matches, plus an offset; or at the N-th hit of a code symbol (a probe that speaks GDB)',
  schema: z
    .strictObject({
      when: z.string().min(1).optional().describe('a model state: the cut is timed from each entry into it'),
      on: z.string().min(1).optional().describe('a pattern name of expect.patterns: the cut is timed from the next line it matches'),
      at: codeLocation.optional().describe('a code location instead: the cut lands when the CPU reaches it (a probe that speaks GDB)'),
      after: duration.default(0).describe('how long after the anchor (the state entry, the line, or the step start) power goes off'),
      within: duration.default(60_000).describe('how long the anchor may take to come before the step fails'),
      fault: z
        .enum(FAULT_MODELS)
        .optional()
        .describe("what the cut does to the flash operation it interrupts (`at` only; the rig's `flashOps` name the operations)"),
      seed: z.coerce
        .number()
        .int()
        .nonnegative()
        .default(0)
        .describe("the fault model's seed: the same seed at the same hit leaves the same flash"),
    })
    .refine((v) => !(v.when && v.on), 'give either when (a state) or on (a pattern), not both')
    .refine(
      (v) => !(v.at && (v.when || v.on || v.after)),
      'at (a code location) takes no when, on or after: the cut lands at the hit itself',
    )
    .refine((v) => !v.fault || v.at, 'fault models apply to a cut at a code location (at: { symbol, hit })'),
  references: (args) => ({
    states: args.when ? [args.when] : [],
    patterns: args.on ? [args.on] : [],
    images: args.at?.image ? [args.at.image] : [],
    files: args.at?.symbols ? [args.at.symbols] : [],
    code: args.at
      ? [
          {
            symbol: args.at.symbol,
            ...(args.at.image ? { image: args.at.image } : {}),
            ...(args.at.symbols ? { symbols: args.at.symbols } : {}),
            ...(args.fault ? { fault: args.fault } : {}),
          },
        ]
      : [],
  }),
  timeoutMs: (args) => (args.at ? ARM_TIMEOUT_MS : args.within + args.after + 10_000),
  describe: (args) =>
    args.at
      ? `cut power at hit ${args.at.hit} of ${args.at.symbol}${args.fault && args.fault !== 'clean' ? ` (${args.fault}, seed ${args.seed})` : ''}`
      : `cut power ${args.after}ms after ${args.when ? `entering ${args.when}` : args.on ? `${args.on}` : 'now'}`,
  async run(args, ctx) {
    if (args.at) return armCodeCut(args.at, args.within, ctx, args.fault ? { model: args.fault, seed: args.seed } : undefined);
    const { anchor, anchorAt } = await cutAnchor(args, ctx);
    await cutAfter(ctx, { anchor, anchorAt, after: args.after, when: args.when });
  },
});

/** A timed cut's arguments, as the cut step parsed them. */
export type CutArgs = z.infer<typeof cutStep.schema>;

/** Waits for a timed cut's anchor (the state's entry, the pattern's line, or now): what it is and its timeline time. */
export async function cutAnchor(
  args: Pick<CutArgs, 'when' | 'on' | 'within'>,
  ctx: StepContext,
): Promise<{ anchor: string; anchorAt: number }> {
  const anchor = args.when ? `state ${args.when}` : args.on ? `pattern ${args.on}` : 'step';
  if (args.when) {
    // onEnter gives the entry's own timestamp; waitFor covers "already in it" with the model's semantics.
    let enteredAt: number | undefined;
    const unsubscribe = ctx.expect.onEnter(args.when, (t) => (enteredAt ??= t));
    try {
      await ctx.expect.waitFor(args.when, { timeoutMs: args.within, signal: ctx.signal });
    } finally {
      unsubscribe();
    }
    return { anchor, anchorAt: enteredAt ?? ctx.timeline.now() };
  }
  if (args.on) return { anchor, anchorAt: await nextLineEvent(ctx, args.on, args.within) };
  return { anchor, anchorAt: ctx.timeline.now() };
}

/**
 * Cuts power `after` ms past `anchorAt` (a timeline time: when the anchor line arrived or the state was entered)
 * and records the cut. With `when`, a cut that landed after that state ended is skipped (checkLandedWithin).
 */
export async function cutAfter(ctx: StepContext, cut: { anchor: string; anchorAt: number; after: number; when?: string }): Promise<void> {
  const { anchor, anchorAt } = cut;
  const target = anchorAt + cut.after;
  const wait = target - ctx.timeline.now();
  if (wait > 0) await sleep(wait, ctx.signal);
  // Node's timers count whole milliseconds from the loop's cached clock and fire up to 1 ms early: never cut
  // before the moment asked for.
  while (ctx.timeline.now() < target) await new Promise((r) => setImmediate(r));
  const issuedAt = ctx.timeline.now();
  const landed = await ctx.setPower(false, 'cut');
  const doneAt = ctx.timeline.now();
  ctx.timeline.record('cut', {
    anchor,
    anchorAt,
    after: cut.after,
    target,
    issuedAt,
    doneAt,
    lateMs: issuedAt - target,
    latencyMs: doneAt - issuedAt,
    state: landed,
  });
  await keepFlashAtCut(ctx);
  noteCut(ctx, { anchor, target, issuedAt, doneAt });
  if (cut.when) checkLandedWithin(ctx, landed, cut.when);
}

/** The cut's properties: its anchor, when it was issued, how late against `target` and how long power took to go. */
function noteCut(ctx: StepContext, cut: { anchor: string; target: number; issuedAt: number; doneAt: number }): void {
  const ms = (n: number) => (Math.round(n * 1000) / 1000).toString();
  ctx.note('cut_anchor', cut.anchor);
  ctx.note('cut_at_ms', ms(cut.issuedAt));
  ctx.note('cut_late_ms', ms(cut.issuedAt - cut.target));
  ctx.note('cut_actuation_ms', ms(cut.doneAt - cut.issuedAt));
}

/**
 * A cut timed from a state's entry tests that state only if it landed while the board was still in it. One
 * that lands later (the copy finished first: the point is past its end, or the firmware ran faster this time)
 * asserted nothing: the case is skipped, saying where the cut went. A model that failed first stays a failure.
 */
function checkLandedWithin(ctx: StepContext, landed: string, when: string): void {
  if (ctx.expect.failure() || ctx.expect.within(landed, when)) return;
  ctx.note('cut_outside', when);
  throw new CaseSkipped(`cut landed in ${landed}, after ${when} ended`);
}

function nextLineEvent(ctx: StepContext, pattern: string, within: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new CaseFailure(`cut: no ${pattern} line within ${within}ms`));
    }, within);
    const onAbort = () => {
      done();
      reject(ctx.signal.reason);
    };
    const unsubscribe = ctx.expect.onLineEvent((event) => {
      if (event.type !== pattern) return;
      done();
      resolve(event.t);
    });
    function done() {
      clearTimeout(timer);
      unsubscribe();
      ctx.signal.removeEventListener('abort', onAbort);
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Connecting gdb and setting a breakpoint: seconds at most. */
const ARM_TIMEOUT_MS = 30_000;

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

async function armCodeCut(at: z.infer<typeof codeLocation>, within: number, ctx: StepContext, fault: CutFault | undefined): Promise<void> {
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
        const doneAt = ctx.timeline.now();
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the fault model's own error, as it was
        if (faultError !== undefined) throw faultError;
        ctx.timeline.record('cut', {
          anchor,
          armedAt,
          haltedAt,
          pc: applied?.pc ?? halt.pc,
          issuedAt,
          doneAt,
          lateMs: issuedAt - haltedAt,
          latencyMs: doneAt - issuedAt,
          state: landed,
          ...(at.sweep ? { sweep: at.sweep } : {}),
          ...(fault ? { fault: { ...(applied ?? { changed: 0 }), model: fault.model, seed: fault.seed } } : {}),
        });
        const flashFiles = await keepFlashAtCut(ctx);
        if (fault) ctx.note('cut_fault', faultNote(fault.model, fault.seed, applied));
        noteCut(ctx, { anchor, target: haltedAt, issuedAt, doneAt });
        const pc = applied?.pc ?? halt.pc;
        if (pc !== undefined) ctx.note('cut_pc', `0x${pc.toString(16)}`);
        if (flashFiles.length) await ctx.cutMade?.({ flashFiles, landed, sweep: at.sweep });
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
function inCuttableState(ctx: StepContext): boolean {
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
