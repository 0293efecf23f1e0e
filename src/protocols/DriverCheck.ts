import type { z } from 'zod';
import type { DriverContext } from './DriverContext.js';
import type { DriverDefinition } from './DriverDefinition.js';

/**
 * `hil rig check`: proves one part is there without changing the board's state (no relay edge, no flash
 * write). Resolves with what was found; rejects with a RigError carrying the tool's own words.
 */
export type DriverCheck<Options> = (options: Options, ctx: DriverContext) => Promise<string>;

export type CheckedDriver<T, Schema extends z.ZodType> = DriverDefinition<T, Schema> & { check: DriverCheck<z.infer<Schema>> };

/** Attaches a rig-check function to a driver definition. */
export function withCheck<T, Schema extends z.ZodType>(
  def: DriverDefinition<T, Schema>,
  check: DriverCheck<z.infer<Schema>>,
): CheckedDriver<T, Schema> {
  return Object.assign(def, { check });
}

export function checkOf(def: DriverDefinition<unknown, z.ZodType>): DriverCheck<unknown> | undefined {
  return (def as Partial<CheckedDriver<unknown, z.ZodType>>).check;
}
