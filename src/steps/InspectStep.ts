import { z } from 'zod';
import type { Probe } from '../drivers/probe/Probe.js';
import { CaseFailure, RigError } from '../errors.js';
import { imageExtent } from '../image/imageExtent.js';
import { ImageFormatError, parseImage } from '../image/McubootImage.js';
import { requireProbe } from './FlashStep.js';
import { defineStep } from './Step.js';

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

/**
 * Reads flash through the probe and asserts what is there:
 * `inspect: { region: primary, image: valid }` (or `invalid`, `erased`, or `{ version: 1.0.0 }`),
 * `inspect: { address: 0x21010000, equals: '3db8f396' }` for raw bytes.
 */
export const inspectStep = defineStep({
  key: 'inspect',
  description: 'read memory through the probe and assert bytes or an MCUboot image',
  schema: z.union([
    z.strictObject({
      region: z.string(),
      image: z.union([z.enum(['valid', 'invalid', 'erased']), z.strictObject({ version: z.union([z.string(), z.number()]).transform(String) })]),
    }),
    z.strictObject({ address, equals: hex }),
  ]),
  timeoutMs: () => 60_000,
  describe: (args) => ('region' in args ? `inspect ${args.region}: ${typeof args.image === 'string' ? args.image : `version ${args.image.version}`}` : `inspect ${args.address.toString(16)}`),
  async run(args, ctx) {
    const probe = requireProbe(ctx);
    if (!('region' in args)) {
      const want = Buffer.from(args.equals, 'hex');
      const got = await probe.read(args.address, want.length, { signal: ctx.signal });
      ctx.timeline.record('inspect', { address: args.address, bytes: got.toString('hex') });
      if (!got.equals(want)) throw new CaseFailure(`inspect 0x${args.address.toString(16)}: expected ${want.toString('hex')}, read ${got.toString('hex')}`);
      return;
    }
    const region = ctx.rig.regions[args.region];
    if (!region) throw new RigError('probe', `rig ${ctx.rig.name} has no region "${args.region}"`);
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
    if (found !== want) throw new CaseFailure(`inspect ${args.region}: expected ${want} image, found ${found}${version ? ` (version ${version})` : ''}`);
    if (typeof args.image === 'object' && version !== args.image.version) {
      throw new CaseFailure(`inspect ${args.region}: expected version ${args.image.version}, found ${version}`);
    }
  },
});
