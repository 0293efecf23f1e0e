import { z } from 'zod';

const address = z
  .union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, 'expected an address such as 0x21000000')])
  .transform(Number);

/** An image: `path`, or `{ path, region | address }` (shared by rig and scenario files). */
export const imageSchema = z.union([
  z.string().transform((path) => ({ path, address: undefined as number | undefined, region: undefined as string | undefined })),
  z.strictObject({ path: z.string(), address: address.optional(), region: z.string().optional() }),
]);
