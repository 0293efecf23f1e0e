import { z } from 'zod';
import { duration } from '../core/duration.js';
import { defineStep } from './Step.js';

/** `wait: STATE` or `wait: { state: STATE, timeout: 20s }`: blocks until the model is in STATE. */
export const waitStep = defineStep({
  key: 'wait',
  description: 'block until the expectation model is in a state (fails if the model fails first)',
  schema: z.union([
    z
      .string()
      .min(1)
      .transform((state) => ({ state, timeoutMs: undefined as number | undefined })),
    z.strictObject({ state: z.string().min(1), timeout: duration.optional() }).transform((v) => ({ state: v.state, timeoutMs: v.timeout })),
  ]),
  references: (args) => ({ states: [args.state] }),
  timeoutMs: (args) => args.timeoutMs ?? 30_000,
  describe: (args) => `wait for ${args.state}`,
  async run(args, ctx) {
    // The model's own timeout fires first (the runner allows a grace): its message names the state it is stuck in.
    await ctx.expect.waitFor(args.state, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, recent: true });
  },
});
