import type { z } from 'zod';
import type { ToolNeed } from '../core/systemTools.js';
import type { DriverContext } from './DriverContext.js';

/**
 * A driver is selected by `kind` in a rig file. Its schema validates the rest of the block (it must be a
 * strict z.object with `kind: z.literal(...)`), so the rig loader can report unknown keys with a did-you-mean.
 */
export interface DriverDefinition<T, Schema extends z.ZodType = z.ZodType> {
  kind: string;
  description: string;
  schema: Schema;
  /** The block as a rig file writes it (YAML flow mapping), for the generated reference (docs/rigs.md); checked against the schema. */
  example?: string;
  create(options: z.infer<Schema>, ctx: DriverContext): T;
  /** The programs it runs for these options (`hil doctor` checks them); none when it only opens devices. */
  tools?(options: z.infer<Schema>): ToolNeed[];
}

export function defineDriver<T, Schema extends z.ZodType>(def: DriverDefinition<T, Schema>): DriverDefinition<T, Schema> {
  return def;
}
