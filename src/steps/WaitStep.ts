import { z } from 'zod';
import { duration } from '../core/duration.js';
import { defineStep } from './Step.js';

/** `wait: STATE` or `wait: { state: STATE, timeout: 20s }`: blocks until the model is in STATE. */
export const waitStep = defineStep({
  key: 'wait',
  example: `- wait: no-image
- wait: { state: factory-running, timeout: 60s }`,
  description: 'block until the expectation model is in a state (fails if the model fails first)',
  schema: z.union([
    z
      .string()
      .min(1)
      .transform((state) => ({ state, timeoutMs: undefined as number | undefined }))
      .describe('a state of the model (a name, a dotted path or an #id): wait until the model is in it, or entered it since the last wait'),
    z
      .strictObject({
        state: z.string().min(1).describe('the state to wait for'),
        timeout: duration.optional().describe('how long to wait (default 30s)'),
      })
      .transform((v) => ({ state: v.state, timeoutMs: v.timeout })),
  ]),
  references: (args) => ({ states: [args.state] }),
  timeoutMs: (args) => args.timeoutMs ?? 30_000,
  describe: (args) => `wait for ${args.state}`,
  async run(args, ctx) {
    // The model's own timeout fires first (the runner allows a grace): its message names the state it is stuck in.
    await ctx.expect.waitFor(args.state, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, recent: true });
  },
});
