import type { ConsoleLine, ConsoleSegment } from '../../protocols/Console.js';

/** A board that never prints a newline must not grow memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024;

/** An open tail longer than this is not offered as a partial: prompts are short, and each offer decodes it again. */
const MAX_PARTIAL_BYTES = 4096;

const LF = 0x0a;
const CR = 0x0d;

export type ConsoleEncoding = 'utf8' | 'latin1';

/** Where a splitter's output goes: whole lines, and (if wanted) their segments and the open tail. */
export interface LineSink {
  line(line: ConsoleLine): void;
  segment?(segment: ConsoleSegment): void;
}

/**
 * The one place a console byte stream is cut into lines and segments, whatever the chunking:
 * - `\r\n`, `\n\r` and `\n` each end one line (`\n\r`, as PSoC 6 MCUboot prints, gives no empty line after it);
 * - a lone `\r` inside a line (a progress bar redrawn in place) ends a segment: each segment is handed over as
 *   soon as its `\r` arrives, then the whole line, `\r` kept between its segments, once it ends;
 * - after each read, the bytes of a segment still open (a prompt such as `=> `, or "Hit any key" before its
 *   countdown ends) are offered as a partial segment.
 * A line keeps its exact bytes (`raw`, ending included; the `\r` of a `\n\r` split across two reads starts the
 * next line's bytes instead), so the lines' raw bytes put together are exactly what arrived. Invalid UTF-8
 * decodes to U+FFFD.
 */
export class LineSplitter {
  /** Raw bytes of the line under way. */
  private raw: Buffer[] = [];
  private rawBytes = 0;
  /** Bytes of its open segment. */
  private open: Buffer[] = [];
  private openBytes = 0;
  /** Its segments so far that hold text. */
  private segments: string[] = [];

  constructor(
    private readonly sink: LineSink,
    private readonly options: { maxLine?: number; encoding?: ConsoleEncoding } = {},
  ) {}

  /** Whether bytes of a line without its ending yet are held (a prompt, a line a cut would end). */
  get lineOpen(): boolean {
    return this.rawBytes > 0;
  }

  /** Feeds bytes that arrived at timeline time `t`; emits every segment and line they complete, then the open tail. */
  push(chunk: Buffer, t: number): void {
    const maxLine = this.options.maxLine ?? MAX_LINE_BYTES;
    let nextLf = -1;
    let nextCr = -1;
    let start = 0;
    while (start < chunk.length) {
      if (nextLf !== -2 && nextLf < start) nextLf = indexOrNone(chunk, LF, start);
      if (nextCr !== -2 && nextCr < start) nextCr = indexOrNone(chunk, CR, start);
      const stop = Math.min(nextLf === -2 ? chunk.length : nextLf, nextCr === -2 ? chunk.length : nextCr);
      const room = Math.max(0, maxLine - this.rawBytes);
      // A `\r` counts too: a spinner redrawn forever must not grow the line without bound.
      if (stop - start > room || (stop === nextCr && stop - start === room)) {
        // No line ending within the maximum: cut here, the rest follows as the next line.
        this.keep(chunk.subarray(start, start + room), true);
        this.endSegment(t);
        this.endLine(t, true);
        start += room;
        continue;
      }
      this.keep(chunk.subarray(start, stop), true);
      if (stop === chunk.length) break;
      this.endSegment(t);
      if (stop === nextCr) {
        this.keep(chunk.subarray(stop, stop + 1), false);
        start = stop + 1;
      } else {
        const end = chunk[stop + 1] === CR ? stop + 2 : stop + 1;
        this.keep(chunk.subarray(stop, end), false);
        this.endLine(t, false);
        start = end;
      }
    }
    this.offerPartial(t);
  }

  /**
   * Emits the open segment and the line under way, if they hold text: what a board printed just before a power
   * cut. `final` (the console closes for good) emits a line of bare `\r` bytes too, so no byte is lost; otherwise
   * they start the next line.
   */
  flush(t: number, final = false): void {
    this.endSegment(t);
    if (this.segments.length > 0 || (final && this.rawBytes > 0)) this.endLine(t, false);
  }

  private keep(bytes: Buffer, text: boolean): void {
    if (bytes.length === 0) return;
    // Copied: a driver may hand out slices of a read buffer it reuses.
    const copy = Buffer.from(bytes);
    this.raw.push(copy);
    this.rawBytes += copy.length;
    if (text) {
      this.open.push(copy);
      this.openBytes += copy.length;
    }
  }

  private decodeOpen(): string {
    const bytes = this.open.length === 1 ? this.open[0]! : Buffer.concat(this.open, this.openBytes);
    return bytes.toString(this.options.encoding ?? 'utf8');
  }

  private endSegment(t: number): void {
    if (this.openBytes === 0) return;
    const text = this.decodeOpen();
    this.open = [];
    this.openBytes = 0;
    this.segments.push(text);
    this.sink.segment?.(this.segments.length > 1 ? { t, text, redraw: true } : { t, text });
  }

  private offerPartial(t: number): void {
    if (this.openBytes === 0 || this.openBytes > MAX_PARTIAL_BYTES || !this.sink.segment) return;
    const text = this.decodeOpen();
    this.sink.segment(this.segments.length > 0 ? { t, text, partial: true, redraw: true } : { t, text, partial: true });
  }

  private endLine(t: number, truncated: boolean): void {
    const raw = this.raw.length === 1 ? this.raw[0]! : Buffer.concat(this.raw, this.rawBytes);
    const text = this.segments.join('\r');
    this.raw = [];
    this.rawBytes = 0;
    this.segments = [];
    this.sink.line(truncated ? { t, text, raw, truncated } : { t, text, raw });
  }
}

/** The index of `byte` in `chunk` from `start`, or -2 when there is none (so it is not looked for again). */
function indexOrNone(chunk: Buffer, byte: number, start: number): number {
  const i = chunk.indexOf(byte, start);
  return i === -1 ? -2 : i;
}
