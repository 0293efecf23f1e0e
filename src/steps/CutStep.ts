import { z } from 'zod';
import { duration } from '../config/duration.js';
import { CaseFailure } from '../errors.js';
import { sleep } from '../run/sleep.js';
import { defineStep, type StepContext } from './Step.js';

/**
 * Power is cut `after` a moment the board itself marks: entering a model state (`when`), a console pattern
 * (`on`), or the step's start. The step blocks until the cut happened, so the next step sees the board off.
 * The delay is measured from the anchor's own timestamp (when its line arrived), not from when Node noticed.
 */
export const cutStep = defineStep({
  key: 'cut',
  description: 'cut power when the model enters a state or a pattern matches, plus an offset',
  schema: z
    .strictObject({
      when: z.string().min(1).optional(),
      on: z.string().min(1).optional(),
      after: duration.default(0),
      within: duration.default(60_000),
    })
    .refine((v) => !(v.when && v.on), 'give either when (a state) or on (a pattern), not both'),
  references: (args) => ({ states: args.when ? [args.when] : [], patterns: args.on ? [args.on] : [] }),
  timeoutMs: (args) => args.within + args.after + 10_000,
  describe: (args) => `cut power ${args.after}ms after ${args.when ? `entering ${args.when}` : args.on ? `${args.on}` : 'now'}`,
  async run(args, ctx) {
    const anchor = args.when ? `state ${args.when}` : args.on ? `pattern ${args.on}` : 'step';
    let anchorAt: number;
    if (args.when) {
      // onEnter gives the entry's own timestamp; waitFor covers "already in it" with the model's semantics.
      let enteredAt: number | undefined;
      const unsubscribe = ctx.expect.onEnter(args.when, (t) => (enteredAt ??= t));
      try {
        await ctx.expect.waitFor(args.when, { timeoutMs: args.within, signal: ctx.signal });
      } finally {
        unsubscribe();
      }
      anchorAt = enteredAt ?? ctx.timeline.now();
    } else if (args.on) {
      anchorAt = await nextLineEvent(ctx, args.on, args.within);
    } else {
      anchorAt = ctx.timeline.now();
    }
    const target = anchorAt + args.after;
    const wait = target - ctx.timeline.now();
    if (wait > 0) await sleep(wait, ctx.signal);
    const issuedAt = ctx.timeline.now();
    await ctx.setPower(false, 'cut');
    const doneAt = ctx.timeline.now();
    ctx.timeline.record('cut', { anchor, anchorAt, after: args.after, target, issuedAt, doneAt, lateMs: issuedAt - target, latencyMs: doneAt - issuedAt, state: ctx.expect.state() });
    ctx.note('cut_anchor', anchor);
    ctx.note('cut_at_ms', (Math.round(issuedAt * 1000) / 1000).toString());
    ctx.note('cut_late_ms', (Math.round((issuedAt - target) * 1000) / 1000).toString());
    ctx.note('cut_actuation_ms', (Math.round((doneAt - issuedAt) * 1000) / 1000).toString());
  },
});

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
