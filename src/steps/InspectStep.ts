import { z } from 'zod';
import type { Probe } from '../protocols/Probe.js';
import { CaseFailure, RigError } from '../core/errors.js';
import { imageExtent } from '../image/imageExtent.js';
import { ImageFormatError, parseImage } from '../image/McubootImage.js';
import { requireProbe } from './FlashStep.js';
import { describeDifference, expectedContents } from './regionContents.js';
import { defineStep, type StepContext } from './Step.js';

const address = z.union([z.number().int().nonnegative(), z.string().regex(/^0x[0-9a-fA-F]+$|^\d+$/)]).transform(Number);
const hex = z
  .string()
  .transform((s) => s.replace(/[\s:]/g, ''))
  .refine((s) => /^([0-9a-fA-F]{2})+$/.test(s), 'expected hex bytes such as "3db8f396"');

/** Enough for the typical image in one read, small next to a slot: each byte read costs probe time. */
const FIRST_READ = 4096;

/**
 * The region's bytes as far as its image goes, or all of them when it does not start with one (erased
 * vs invalid needs every byte). parseImage gives the same verdict on these bytes as on the whole region.
 */
async function readRegion(probe: Probe, region: { address: number; size: number }, signal: AbortSignal): Promise<Buffer> {
  const read = (from: number, to: number) => probe.read(region.address + from, to - from, { signal });
  let data = await read(0, Math.min(region.size, FIRST_READ));
  for (;;) {
    const end = imageExtent(data);
    if (end === undefined) return data.length < region.size ? Buffer.concat([data, await read(data.length, region.size)]) : data;
    // An image running past the region is cut, which parseImage sees in the bytes already read.
    if (end <= data.length || end > region.size) return data;
    data = Buffer.concat([data, await read(data.length, end)]);
  }
}

function regionOf(ctx: StepContext, name: string) {
  const region = ctx.rig.regions[name];
  if (!region) throw new RigError('probe', `rig ${ctx.rig.name} has no region "${name}"`);
  return region;
}

/**
 * `holds: erased` or `holds: IMAGE`: the whole region, every byte, is erased or is what a copy of the rig's image
 * leaves (the image, then erased flash). A sector an erase or copy skipped, or a flag left behind, shows here.
 */
async function assertHolds(args: { region: string; holds: string }, ctx: StepContext): Promise<void> {
  const region = regionOf(ctx, args.region);
  let want: Buffer;
  if (args.holds === 'erased') want = Buffer.alloc(region.size, 0xff);
  else {
    const image = ctx.rig.images[args.holds];
    if (!image) throw new RigError('probe', `rig ${ctx.rig.name} has no image "${args.holds}"`);
    want = expectedContents(image.path, region.size);
  }
  const got = await requireProbe(ctx).read(region.address, region.size, { signal: ctx.signal });
  const difference = describeDifference(want, got);
  ctx.timeline.record('inspect', { region: args.region, holds: args.holds, difference });
  if (difference)
    throw new CaseFailure(
      `inspect ${args.region}: expected it to hold ${args.holds === 'erased' ? 'only erased flash' : `image ${args.holds} and erased flash`}; ${difference}`,
    );
}

/**
 * Reads flash through the probe and asserts what is there:
 * `inspect: { region: primary, image: valid }` (or `invalid`, `erased`, or `{ version: 1.0.0 }`),
 * `inspect: { region: primary, holds: upgrade }` (or `holds: erased`) for the whole region byte for byte,
 * `inspect: { region: secondary, offset: 0xfff0, equals: '77c295f3' }` or `{ address: 0x21010000, equals: … }`
 * for raw bytes (a trailer, a flag, a magic).
 */
export const inspectStep = defineStep({
  key: 'inspect',
  example: `- inspect: { region: primary, image: { version: 1.0.0 } }
- inspect: { region: secondary, holds: erased }
- inspect: { region: secondary, offset: 0xfff0, equals: '77c295f3 60d2ef7f' }`,
  description: 'read memory through the probe and assert bytes or an MCUboot image',
  schema: z.union([
    z.strictObject({
      region: z.string().describe('the layout region to read'),
      image: z
        .union([
          z.enum(['valid', 'invalid', 'erased']),
          z.strictObject({ version: z.union([z.string(), z.number()]).transform(String).describe('a valid image of this version') }),
        ])
        .describe(
          'what the region starts with: an MCUboot image that verifies, one that does not, erased flash, or a valid image of a version',
        ),
    }),
    z.strictObject({
      region: z.string().describe('the layout region to read, whole'),
      holds: z.string().min(1).describe('`erased`, or a rig image the region must hold byte for byte (0xff after it)'),
    }),
    z.strictObject({
      region: z.string().describe('the layout region'),
      offset: address.describe('where in it'),
      equals: hex.describe('the bytes expected there, in hex (spaces and : ignored)'),
    }),
    z.strictObject({ address: address.describe('an absolute address'), equals: hex.describe('the bytes expected there, in hex') }),
  ]),
  references: (args) => ({
    images: 'holds' in args && args.holds !== 'erased' ? [args.holds] : [],
    regions: 'region' in args ? [args.region] : [],
  }),
  timeoutMs: () => 60_000,
  describe: (args) => {
    if ('holds' in args) return `inspect ${args.region}: holds ${args.holds}`;
    if ('image' in args) return `inspect ${args.region}: ${typeof args.image === 'string' ? args.image : `version ${args.image.version}`}`;
    return 'region' in args ? `inspect ${args.region}+0x${args.offset.toString(16)}` : `inspect 0x${args.address.toString(16)}`;
  },
  async run(args, ctx) {
    const probe = requireProbe(ctx);
    if ('holds' in args) return assertHolds(args, ctx);
    if ('equals' in args) {
      const want = Buffer.from(args.equals, 'hex');
      const inRegion = 'region' in args ? { name: args.region, ...regionOf(ctx, args.region), offset: args.offset } : undefined;
      if (inRegion && inRegion.offset + want.length > inRegion.size) {
        throw new RigError(
          'probe',
          `rig ${ctx.rig.name}: ${want.length} bytes at offset 0x${inRegion.offset.toString(16)} run past region "${inRegion.name}" (${inRegion.size} bytes)`,
        );
      }
      const at = inRegion ? inRegion.address + inRegion.offset : (args as { address: number }).address;
      const where = inRegion ? `${inRegion.name}+0x${inRegion.offset.toString(16)}` : `0x${at.toString(16)}`;
      const got = await probe.read(at, want.length, { signal: ctx.signal });
      ctx.timeline.record('inspect', { address: at, bytes: got.toString('hex') });
      if (!got.equals(want)) throw new CaseFailure(`inspect ${where}: expected ${want.toString('hex')}, read ${got.toString('hex')}`);
      return;
    }
    const region = regionOf(ctx, args.region);
    const data = await readRegion(probe, region, ctx.signal);
    const erased = data.every((b) => b === 0xff);
    let found: string;
    let version: string | undefined;
    if (erased) found = 'erased';
    else {
      try {
        const image = parseImage(data);
        version = image.version.replace(/\+0$/, '');
        found = image.hashOk ? 'valid' : 'invalid';
      } catch (err) {
        if (!(err instanceof ImageFormatError)) throw err;
        found = 'invalid';
      }
    }
    ctx.timeline.record('inspect', { region: args.region, found, version });
    const want = typeof args.image === 'string' ? args.image : 'valid';
    if (found !== want)
      throw new CaseFailure(`inspect ${args.region}: expected ${want} image, found ${found}${version ? ` (version ${version})` : ''}`);
    if (typeof args.image === 'object' && version !== args.image.version) {
      throw new CaseFailure(`inspect ${args.region}: expected version ${args.image.version}, found ${version}`);
    }
  },
});
