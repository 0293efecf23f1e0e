import { z } from 'zod';
import { duration } from '../core/duration.js';
import { sleep } from '../core/sleep.js';
import { defineStep } from './Step.js';

/** `power: on | off | cycle` or `power: { cycle: 500ms }` (the off-time). */
export const powerStep = defineStep({
  key: 'power',
  example: `- power: cycle
- power: { cycle: 2s }
- power: off`,
  description: 'switch board power: on, off, or cycle with an off-time',
  schema: z.union([
    z
      .enum(['on', 'off', 'cycle'])
      .transform((action) => ({ action, offMs: 500 }))
      .describe('switch power on or off, or off for 500 ms and on again'),
    z
      .strictObject({ cycle: duration.describe('how long power stays off') })
      .transform((v) => ({ action: 'cycle' as const, offMs: v.cycle })),
  ]),
  timeoutMs: (args) => 30_000 + args.offMs,
  describe: (args) => (args.action === 'cycle' ? `power cycle (off ${args.offMs}ms)` : `power ${args.action}`),
  async run(args, ctx) {
    if (args.action !== 'on') await ctx.setPower(false, 'step');
    if (args.action === 'cycle') await sleep(args.offMs, ctx.signal);
    if (args.action !== 'off') await ctx.setPower(true, 'step');
  },
});
