import { z } from 'zod';
import { duration } from '../core/duration.js';
import { sleep } from '../core/sleep.js';
import { defineStep } from './Step.js';

/**
 * `button: { press: user }` presses and releases (200 ms); `{ press: user, hold: 5s }` holds it that long;
 * `{ down: user }` leaves it pressed (released by `{ up: user }` or at case end), for a step that must
 * happen while the button is still held.
 */
export const buttonStep = defineStep({
  key: 'button',
  example: `- button: { press: user }
- button: { press: user, hold: 6s }
- button: { down: user }
- button: { up: user }`,
  description: 'press, hold or release a named button output',
  schema: z.union([
    z
      .strictObject({
        press: z.string().describe("the output (a key of the rig's outputs) to press and release"),
        hold: duration.default(200).describe('how long it stays pressed'),
      })
      .transform((v) => ({ name: v.press, action: 'press' as const, holdMs: v.hold })),
    z
      .strictObject({ down: z.string().describe('the output to press and leave pressed (released by `up`, or when the case ends)') })
      .transform((v) => ({ name: v.down, action: 'down' as const, holdMs: 0 })),
    z
      .strictObject({ up: z.string().describe('the output to release') })
      .transform((v) => ({ name: v.up, action: 'up' as const, holdMs: 0 })),
  ]),
  references: (args) => ({ outputs: [args.name] }),
  timeoutMs: (args) => args.holdMs + 10_000,
  describe: (args) => (args.action === 'press' ? `press ${args.name} for ${args.holdMs}ms` : `${args.name} ${args.action}`),
  async run(args, ctx) {
    if (args.action === 'up') return ctx.setOutput(args.name, false, { button: true });
    await ctx.setOutput(args.name, true, { button: true });
    if (args.action === 'press') {
      try {
        await sleep(args.holdMs, ctx.signal);
      } finally {
        await ctx.setOutput(args.name, false, { button: true });
      }
    }
  },
});
