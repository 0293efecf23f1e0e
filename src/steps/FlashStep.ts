import { z } from 'zod';
import { RigError } from '../errors.js';
import { defineStep, type StepContext } from './Step.js';

/**
 * `flash: [bootloader, factory]` writes rig images through the probe;
 * `flash: { erase: [primary, secondary], images: [bootloader, factory], reset: false }` erases regions first.
 */
export const flashStep = defineStep({
  key: 'flash',
  description: "write the rig's images (and erase regions) through its probe",
  schema: z.union([
    z.array(z.string()).min(1).transform((images) => ({ images, erase: [] as string[], verify: true, reset: false })),
    z
      .strictObject({
        images: z.array(z.string()).default([]),
        erase: z.array(z.string()).default([]),
        verify: z.boolean().default(true),
        reset: z.boolean().default(false),
      })
      .refine((v) => v.images.length + v.erase.length > 0, 'name images to write or regions to erase'),
  ]),
  references: (args) => ({ images: args.images, regions: args.erase }),
  timeoutMs: () => 300_000,
  describe: (args) => ['flash', args.erase.length ? `erase ${args.erase.join(', ')};` : '', args.images.join(', ')].filter(Boolean).join(' '),
  async run(args, ctx) {
    const probe = requireProbe(ctx);
    const erase = args.erase.map((name) => {
      const region = ctx.rig.regions[name];
      if (!region) throw new RigError('probe', `rig ${ctx.rig.name} has no layout region "${name}" to erase`);
      return { name, ...region };
    });
    const images = args.images.map((name) => {
      const image = ctx.rig.images[name];
      if (!image) throw new RigError('probe', `rig ${ctx.rig.name} has no image "${name}"`);
      return { name, ...image };
    });
    ctx.timeline.record('flash', { erase: erase.map((r) => r.name), images: images.map((i) => i.name) });
    await probe.flash(images, { verify: args.verify, reset: args.reset, erase, signal: ctx.signal });
  },
});

export function requireProbe(ctx: StepContext) {
  if (!ctx.rig.probe) throw new RigError('probe', `rig ${ctx.rig.name} has no probe`);
  return ctx.rig.probe;
}
