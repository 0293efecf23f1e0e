/** Board power. The safe state is always off: that is where an interrupted run leaves it. */

export type PowerState = 'on' | 'off' | 'unknown';

export interface Power {
  readonly description: string;
  on(): Promise<void>;
  off(): Promise<void>;
  state(): PowerState;
  /**
   * Throws a RigError when the board could not have been running (an emulator frozen or hung): asked when a case
   * fails, so that a rig that stopped is an error rather than the firmware's failure. Absent where nothing can tell.
   */
  checkRunning?(): Promise<void>;
  /** Releases the device (relay handle, process); does not change the power state. */
  close(): Promise<void>;
}
