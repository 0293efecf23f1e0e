import type { RigError } from '../core/errors.js';

/** A board's console: lines in (with raw bytes kept), bytes out. */

export interface ConsoleLine {
  /** Timeline time (ms since case start) when the line's last byte arrived. */
  t: number;
  /**
   * Decoded text without the line ending. A `\r` inside the line (a progress bar redrawn in place) is kept
   * between the redraws it separates; empty redraws (a `\r` right after the previous line's `\n`) are dropped.
   */
  text: string;
  /** Exactly the bytes received for this line, ending included: a board mid-power-cut prints garbage. */
  raw: Buffer;
  /** Set when no newline came within the driver's maximum line length: the rest follows as the next line. */
  truncated?: boolean;
}

/**
 * Text for the expectation model, as soon as it is known: one line, one redraw of a line (the text between two
 * `\r`), or the stream's unterminated tail (a prompt such as `=> `). A line is one of each: its segments as they
 * complete, then the line itself (for logs) when it ends.
 */
export interface ConsoleSegment {
  /** Timeline time when its last byte arrived. */
  t: number;
  text: string;
  /** A later redraw of the same line: on a terminal it overwrites the segment before it. */
  redraw?: true;
  /**
   * No `\r` or line ending yet: the bytes that arrived so far of a segment still open. Offered again as more
   * arrive, and once more, not partial, when the segment ends.
   */
  partial?: true;
}

export interface ConsoleListener {
  /** A whole line (raw bytes included), for logs and transcripts. */
  line?(line: ConsoleLine): void;
  /** Each segment of a line as it completes, and the open tail after each read: what the model classifies. */
  segment?(segment: ConsoleSegment): void;
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

/** Optional capability of a console that knows how many bytes its board wrote (an emulated one). */
export interface CatchUpConsole {
  /**
   * Resolves once every byte the board wrote so far has been read and handed on (a halted board writes no
   * more): true then, with no line left open; false when it cannot say so (bytes missing, or a line without its
   * ending yet, which a cut would end there).
   */
  caughtUp(): Promise<boolean>;
}

export function canCatchUp(console: Console): console is Console & CatchUpConsole {
  return typeof (console as Partial<CatchUpConsole>).caughtUp === 'function';
}
