import { z } from 'zod';
import { duration } from '../core/duration.js';

/** A named line the rig drives: user button, boot-mode pin, reset line. `active` hides the wiring polarity. */
export interface DigitalOutput {
  readonly description: string;
  set(active: boolean): Promise<void>;
  /** Last level set, or undefined before the first set. */
  level(): boolean | undefined;
  close(): Promise<void>;
}

/** Options every output driver takes besides its own. */
export const outputCommon = {
  active: z.enum(['high', 'low']).default('high').describe('the level that means pressed or energised: `low` for an active-low line'),
  settle: duration.optional().describe('time the relay or line needs to settle after an edge, waited after each set'),
};
