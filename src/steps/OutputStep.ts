import { z } from 'zod';
import { defineStep } from './Step.js';

const level = z
  .union([z.enum(['on', 'off', 'active', 'inactive']), z.boolean()])
  .transform((v) => v === true || v === 'on' || v === 'active');

/** `output: { boot0: on, boot2: off }`: sets named outputs (boot-mode pins, reset lines), in order. */
export const outputStep = defineStep({
  key: 'output',
  example: `- output: { boot0: on, boot1: off }`,
  description: 'set named outputs (boot-mode pins, lines) active or inactive',
  schema: z
    .record(z.string(), level.describe('on (active) or off, per output name'))
    .refine((v) => Object.keys(v).length > 0, 'name at least one output'),
  references: (args) => ({ outputs: Object.keys(args) }),
  timeoutMs: () => 10_000,
  describe: (args) =>
    `output ${Object.entries(args)
      .map(([k, v]) => `${k}=${v ? 'on' : 'off'}`)
      .join(' ')}`,
  async run(args, ctx) {
    for (const [name, active] of Object.entries(args)) await ctx.setOutput(name, active);
  },
});
