import { z } from 'zod';

const address = z
  .union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, 'expected an address such as 0x21000000')])
  .transform(Number)
  .meta({ title: 'address' });

/** An image: `path`, or `{ path, region | address }` (shared by rig and scenario files). */
export const imageSchema = z.union([
  z
    .string()
    .transform((path) => ({ path, address: undefined as number | undefined, region: undefined as string | undefined }))
    .describe('the file alone: an ELF or HEX file knows its addresses; a raw binary goes to its nv address'),
  z.strictObject({
    path: z.string().describe("the file, relative to the rig file (a scenario's images: to the scenario file)"),
    address: address.optional().describe('where a raw binary goes'),
    region: z.string().optional().describe('the layout region it goes to (its start), and must fit in'),
  }),
]);
