import type { RigError } from '../core/errors.js';

/** A board's console: lines in (with raw bytes kept), bytes out. */

export interface ConsoleLine {
  /** Timeline time (ms since case start) when the line's last byte arrived. */
  t: number;
  /** Decoded text without the line ending (`\r` stripped). */
  text: string;
  /** Exactly the bytes received for this line, ending included: a board mid-power-cut prints garbage. */
  raw: Buffer;
  /** Set when no newline came within the driver's maximum line length: the rest follows as the next line. */
  truncated?: boolean;
}

export interface ConsoleListener {
  line?(line: ConsoleLine): void;
  /** The console path vanished (USB-serial re-enumerating, emulator powered off). */
  gap?(info: { t: number; reason: string }): void;
  /** The console is back after a gap. */
  resume?(info: { t: number; gapMs: number }): void;
  /** The console did not come back within its reopen timeout: a rig error; writes reject with it from now on. */
  failed?(info: { t: number; error: RigError }): void;
}

export interface Console {
  readonly description: string;
  /** Opens the console; rejects with a RigError when it cannot be opened within its timeout. */
  open(): Promise<void>;
  write(data: string | Uint8Array): Promise<void>;
  /** Flushes a partial last line (if any) and closes; safe to call twice. */
  close(): Promise<void>;
  subscribe(listener: ConsoleListener): () => void;
}
