import { z } from 'zod';
import { duration } from '../core/duration.js';
import { FAULT_MODELS } from '../flash/faultModel.js';
import { keepFlashAtCut } from './flashAtCut.js';
import { CaseFailure, CaseSkipped } from '../core/errors.js';
import { ARM_TIMEOUT_MS, armCodeCut, codeLocation, noteCut } from './codeCut.js';
import { armSurvey } from './surveyCut.js';
import { sleep } from '../core/sleep.js';
import { defineStep, type StepContext } from './Step.js';

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
    if (args.at && ctx.survey) return armSurvey(args.at, args.within, ctx, ctx.survey);
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
