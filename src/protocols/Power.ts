/** Board power. The safe state is always off: that is where an interrupted run leaves it. */

export type PowerState = 'on' | 'off' | 'unknown';

export interface Power {
  readonly description: string;
  on(): Promise<void>;
  off(): Promise<void>;
  state(): PowerState;
  /** Releases the device (relay handle, process); does not change the power state. */
  close(): Promise<void>;
}
