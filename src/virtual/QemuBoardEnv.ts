import type { Timeline } from '../core/Timeline.js';

export interface QemuBoardEnv {
  rigName: string;
  /** Directory of the rig file: `kernel` is relative to it. */
  rigDir: string;
  /** Where the board's flash images and pty links live (absolute). */
  stateDir: string;
  timeline: Timeline;
  log(message: string): void;
}
