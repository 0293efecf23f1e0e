import { z } from 'zod';
import { requireProbe } from './FlashStep.js';
import { defineStep } from './Step.js';

/** `reset: probe` resets the target through the debug probe and feeds RESET to the model. */
export const resetStep = defineStep({
  key: 'reset',
  example: `- reset: probe`,
  description: 'reset the board through its probe (power stays on)',
  schema: z.literal('probe').describe("a reset through the rig's probe (the only kind so far)"),
  timeoutMs: () => 30_000,
  describe: () => 'reset through the probe',
  async run(_args, ctx) {
    const probe = requireProbe(ctx);
    ctx.expect.send({ type: 'RESET', t: ctx.timeline.now() });
    await probe.reset({ signal: ctx.signal });
  },
});
