import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readInputFile } from '../config/inputFile.js';
import { ConfigError, RigError } from '../core/errors.js';
import { parseImage } from '../image/McubootImage.js';
import { parseVersion, type ImageVersion } from '../image/imageVersion.js';
import { TAMPER_KINDS, tamperImage, type TamperKind } from '../image/tamper.js';
import type { RigHandles } from '../rig/RigHandles.js';
import { defineStep, type StepContext } from './Step.js';

/** `{ image: upgrade, tamper: body-byte, than: factory-primary }`: a rig image spoilt on the fly (src/image/tamper.ts). */
const imageItem = z.preprocess(
  (v) => (typeof v === 'string' ? { image: v } : v),
  z
    .strictObject({
      image: z.string().describe('the image'),
      tamper: z
        .enum(TAMPER_KINDS as [TamperKind, ...TamperKind[]])
        .optional()
        .describe('flash a spoiled copy of it instead (docs/scenarios.md lists what each kind does)'),
      than: z.string().optional().describe('for `older` and `same-version`: the image (or a version) to compare with'),
    })
    .refine((v) => v.than !== undefined || (v.tamper !== 'older' && v.tamper !== 'same-version'), {
      message: 'older and same-version need than: the running image (a rig image name) or its version',
      path: ['than'],
    }),
);
type ImageItem = z.infer<typeof imageItem>;

const label = (item: ImageItem) => (item.tamper ? `${item.image} (${item.tamper})` : item.image);

/**
 * `flash: [bootloader, factory]` writes rig images through the probe;
 * `flash: { erase: [primary, secondary], images: [bootloader, factory], reset: false }` erases regions first;
 * `images: [{ image: upgrade, tamper: body-byte }]` writes a bad copy of a rig image where the image goes.
 */
export const flashStep = defineStep({
  key: 'flash',
  example: `- flash: [bootloader, factory]
- flash: { erase: [primary, secondary], images: [bootloader, { image: upgrade, tamper: body-byte }] }`,
  description: "write the rig's images (and erase regions) through its probe",
  schema: z.preprocess(
    (v) => (Array.isArray(v) ? { images: v } : v),
    z
      .strictObject({
        images: z
          .array(imageItem)
          .default([])
          .describe("images to write, in order: names of the rig's (or the scenario's) images, or `{ image, tamper, than }`"),
        erase: z.array(z.string()).default([]).describe('layout regions to erase first'),
        verify: z.boolean().default(true).describe('read every image back and compare'),
        reset: z.boolean().default(false).describe('reset the board through the probe afterwards (power is left as it was)'),
      })
      .refine((v) => v.images.length + v.erase.length > 0, 'name images to write or regions to erase'),
  ),
  references: (args) => ({
    images: args.images.flatMap((i) => (i.than && !/^\d/.test(i.than) ? [i.image, i.than] : [i.image])),
    regions: args.erase,
  }),
  timeoutMs: () => 300_000,
  describe: (args) =>
    ['flash', args.erase.length ? `erase ${args.erase.join(', ')};` : '', args.images.map(label).join(', ')].filter(Boolean).join(' '),
  async run(args, ctx) {
    const probe = requireProbe(ctx);
    const erase = args.erase.map((name) => {
      const region = ctx.rig.regions[name];
      if (!region) throw new RigError('probe', `rig ${ctx.rig.name} has no layout region "${name}" to erase`);
      return { name, ...region };
    });
    const images = args.images.map((item) => {
      const image = ctx.rig.images[item.image];
      if (!image) throw new RigError('probe', `rig ${ctx.rig.name} has no image "${item.image}"`);
      return { name: item.image, ...image, ...(item.tamper ? { path: tampered(item, item.tamper, ctx), tampered: true } : {}) };
    });
    ctx.timeline.record('flash', { erase: erase.map((r) => r.name), images: args.images.map(label) });
    await probe.flash(images, { verify: args.verify, reset: args.reset, erase, signal: ctx.signal });
  },
});

/** Writes the spoilt copy into the case's folder (kept with the report) and returns its path. */
function tampered(item: ImageItem, kind: TamperKind, ctx: StepContext): string {
  let data: Buffer;
  try {
    data = tamperedImage(item, kind, ctx.rig);
  } catch (err) {
    throw new ConfigError({ file: 'scenario', field: `flash.images ${item.image}`, message: `tamper: ${kind}: ${(err as Error).message}` });
  }
  const path = join(ctx.caseDir, `${item.image}.${kind}.img`);
  writeFileSync(path, data);
  ctx.note(`image.${item.image}.tamper`, kind);
  return path;
}

/** A slot-sized image at most: anything larger cannot be one the rig flashes into a region. */
const readImage = (path: string) => readInputFile(path, { maxBytes: 64 * 1024 * 1024 });

type RigImages = Pick<RigHandles, 'name' | 'images' | 'regions'>;

/** The bad copy of a rig image; the slot is the layout region the image is placed in. Throws what is wrong. */
export function tamperedImage(item: { image: string; than?: string }, kind: TamperKind, rig: RigImages): Buffer {
  const image = rig.images[item.image];
  if (!image) throw new RangeError(`rig ${rig.name} has no image "${item.image}"`);
  const slot = image.region;
  const than = item.than === undefined ? undefined : versionOf(item.than, rig);
  return tamperImage(readImage(image.path), kind, { slotSize: slot && slot.address + slot.size - (image.address ?? slot.address), than });
}

/** `than: 1.0.0`, or the version of a rig image. */
function versionOf(than: string, rig: RigImages): ImageVersion {
  if (/^\d/.test(than)) return parseVersion(than);
  const image = rig.images[than];
  if (!image) throw new RangeError(`than: rig ${rig.name} has no image "${than}"`);
  return parseImage(readImage(image.path)).header.version;
}

export function requireProbe(ctx: StepContext) {
  if (!ctx.rig.probe) throw new RigError('probe', `rig ${ctx.rig.name} has no probe`);
  return ctx.rig.probe;
}
