import type { ImageRegion } from '../flash/imagePlacement.js';
import type { Console } from '../protocols/Console.js';
import type { DigitalOutput } from '../protocols/DigitalOutput.js';
import type { Power } from '../protocols/Power.js';
import type { Probe } from '../protocols/Probe.js';

export interface RigImage {
  path: string;
  address?: number;
  /** The layout region the image must stay inside (named, or holding its address); probes refuse to write past it. */
  region?: ImageRegion;
  /** Set when the run put another file in place of the rig file's image (or added one): by `--image` or by the scenario's `images:`. */
  overriddenBy?: '--image' | 'scenario';
}

/** The opened rig as steps see it: only interfaces, never a concrete driver. */
export interface RigHandles {
  name: string;
  console: Console;
  power: Power;
  outputs: Map<string, DigitalOutput>;
  probe?: Probe;
  images: Record<string, RigImage>;
  /** Named flash regions of the rig's layout, absolute addresses. */
  regions: Record<string, { address: number; size: number }>;
}
