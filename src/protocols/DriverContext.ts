import type { Timeline } from '../core/Timeline.js';

/** What a driver gets from the rig that owns it. */
export interface DriverContext {
  rigName: string;
  /** Directory of the rig file: relative paths in driver options are resolved against it. */
  rigDir: string;
  /** hil's state root (see stateRoot): what a driver keeps between runs goes in `rigs/<rigName>/` under it. */
  stateRoot: string;
  /** Part name used in errors and the timeline: `console`, `power`, `probe`, `outputs.button`. */
  part: string;
  timeline: Timeline;
  /** The rig file's `resources:` block: settings shared by several drivers (the virtual board's QEMU command line). */
  resources: Record<string, unknown>;
  /** Human-facing progress and notes (the CLI decides where they go). */
  log(message: string): void;
  /**
   * One object per rig and key, shared by the drivers of that rig: the virtual board is one QEMU process
   * behind the power, console, output and probe drivers, as a labgrid resource is behind several drivers.
   */
  shared<T>(key: string, create: () => T): T;
}
