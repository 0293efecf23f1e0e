import type { z } from 'zod';
import type { DriverContext } from './DriverContext.js';

/**
 * A driver is selected by `kind` in a rig file. Its schema validates the rest of the block (it must be a
 * strict z.object with `kind: z.literal(...)`), so the rig loader can report unknown keys with a did-you-mean.
 */
export interface DriverDefinition<T, Schema extends z.ZodType = z.ZodType> {
  kind: string;
  description: string;
  schema: Schema;
  create(options: z.infer<Schema>, ctx: DriverContext): T;
}

export function defineDriver<T, Schema extends z.ZodType>(def: DriverDefinition<T, Schema>): DriverDefinition<T, Schema> {
  return def;
}
