import { z } from 'zod';
import { duration } from '../core/duration.js';
import { defineStep } from './Step.js';

const timeout = duration.optional().describe('how long to wait (default 30s)');

/**
 * `wait: S` (or `{ in: S }`, `{ state: S }`): the model is in S, or passed through S since the previous wait
 * and the last power, button, reset or send. `wait: { enter: S }`: a new entry into S after those, whether or
 * not the model is in S already: the prompt coming back after a command, the state a second boot reaches.
 */
export const waitStep = defineStep({
  key: 'wait',
  example: `- wait: no-image
- wait: { state: factory-running, timeout: 60s }
- wait: { enter: prompt }           # a new entry: the prompt after the command just sent`,
  description: 'block until the expectation model is in a state, or enters it anew (fails if the model fails first)',
  schema: z.union([
    z
      .string()
      .min(1)
      .transform((state) => ({ state, fresh: false, timeoutMs: undefined as number | undefined }))
      .describe('a state of the model (a name, a dotted path or an #id): wait until the model is in it, or entered it since the last wait'),
    z
      .strictObject({ state: z.string().min(1).describe('the state to wait for, as the plain form'), timeout })
      .transform((v) => ({ state: v.state, fresh: false, timeoutMs: v.timeout })),
    z
      .strictObject({ in: z.string().min(1).describe('the same as state: in it now, or passed through it since the last wait'), timeout })
      .transform((v) => ({ state: v.in, fresh: false, timeoutMs: v.timeout })),
    z
      .strictObject({
        enter: z
          .string()
          .min(1)
          .describe(
            'a new entry into the state, after the last power, button, reset or send and the last wait; being in it already does not count',
          ),
        timeout,
      })
      .transform((v) => ({ state: v.enter, fresh: true, timeoutMs: v.timeout })),
  ]),
  references: (args) => ({ states: [args.state] }),
  timeoutMs: (args) => args.timeoutMs ?? 30_000,
  describe: (args) => (args.fresh ? `wait for a new entry into ${args.state}` : `wait for ${args.state}`),
  async run(args, ctx) {
    // The model's own timeout fires first (the runner allows a grace): its message names the state it is stuck in.
    await ctx.expect.waitFor(args.state, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, recent: true, fresh: args.fresh });
  },
});
