import { z } from 'zod';
import { size } from '../core/size.js';

/** What a region is for; decides which layout rules apply to it. */
const regionRoles = ['bootloader', 'header', 'app', 'kvstore', 'candidate', 'slot', 'factory', 'scratch'] as const;
export type RegionRole = (typeof regionRoles)[number];

/** The name of the internal flash device; external devices are named by the rig (`qspi`, `sd`). */
export const INTERNAL = 'flash';

/**
 * A flash device: `sectors` lists erase sectors as `[count, size]` runs, for one bank when `banks` > 1
 * (the STM32F429 has two identical banks of 4 x 16K, 1 x 64K, 7 x 128K).
 */
const flashDeviceSchema = z.strictObject({
  base: size.default(0).describe('the address it starts at (0 for a device that is not memory-mapped)'),
  banks: z.number().int().min(1).default(1).describe('identical banks, one after the other, each laid out as sectors says'),
  sectors: z
    .array(z.tuple([size, size]))
    .min(1)
    .describe('erase sectors as [count, size] runs, in address order'),
  page: size.optional().describe('Smallest programmable unit; the app start must be aligned to it.'),
});
export type FlashDevice = z.infer<typeof flashDeviceSchema>;

/** `...` as a size: the region runs up to the start of the next region on its device, or the device end. */
export const REST = '...';
const regionSize = z.union([z.literal(REST), size]);

const regionObject = z.strictObject({
  device: z.string().default(INTERNAL).describe('Internal flash unless named: a key of `layout.external`.'),
  offset: size.describe("Offset from the device's base."),
  size: regionSize.describe('its size, or `...`: up to the next region on its device, or the device end'),
  role: z.enum(regionRoles).optional().describe('what it is for: decides which layout rules apply (a slot must be sector-aligned, ...)'),
});

/** `[offset, size]` or `{ offset, size, role?, device? }`. */
const regionSchema = z.union([
  z.tuple([size, regionSize]).transform(([offset, size]) => ({ device: INTERNAL, offset, size, role: undefined })),
  regionObject,
]);

/**
 * The rig's `layout` block: internal flash, optional external devices (QSPI NOR, SD card), named regions.
 * `vectorAlign` is the vector table alignment the app start must honour: 1 KiB covers any ARMv7-M part.
 */
export const layoutSchema = z
  .strictObject({
    flash: flashDeviceSchema.describe('the internal flash'),
    external: z
      .record(z.string(), flashDeviceSchema)
      .default({})
      .describe('other flash devices by name (`qspi`, `sd`), each laid out as `flash`'),
    vectorAlign: size.default(1024).describe("the alignment an application's vector table needs: 1K covers any ARMv7-M part"),
    regions: z.record(z.string(), regionSchema).default({}).describe('named regions: `[offset, size]` in the internal flash, or a mapping'),
  })
  .describe('Where things live in flash: the devices, their erase sectors, and named regions that steps and images refer to.');
export type Layout = z.infer<typeof layoutSchema>;
