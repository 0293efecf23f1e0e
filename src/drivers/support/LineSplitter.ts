import type { ConsoleLine } from '../../protocols/Console.js';

/** A board that never prints a newline must not grow memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024;

export type ConsoleEncoding = 'utf8' | 'latin1';

/**
 * Cuts a byte stream into lines on `\n`, whatever the chunking. Each line keeps its exact bytes (`raw`, line
 * ending included) and a decoded text with every `\r` removed, so CRLF, LF and `\r`-overwritten progress
 * output all give the text a pattern can match. Invalid UTF-8 decodes to U+FFFD; the raw bytes stay as received.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly emit: (line: ConsoleLine) => void,
    private readonly options: { maxLine?: number; encoding?: ConsoleEncoding } = {},
  ) {}

  /** Feeds bytes that arrived at timeline time `t`; emits every line they complete. */
  push(chunk: Buffer, t: number): void {
    const maxLine = this.options.maxLine ?? MAX_LINE_BYTES;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const contentEnd = newline === -1 ? chunk.length : newline;
      const room = maxLine - this.pendingBytes;
      if (contentEnd - start > room) {
        this.keep(chunk.subarray(start, start + room));
        this.emitPending(t, true);
        start += room;
      } else if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      } else {
        this.keep(chunk.subarray(start, newline + 1));
        this.emitPending(t, false);
        start = newline + 1;
      }
    }
  }

  /** Emits the partial last line, if any: the bytes a board printed just before a power cut or a close. */
  flush(t: number): void {
    if (this.pendingBytes > 0) this.emitPending(t, false);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Copied: a driver may hand out slices of a read buffer it reuses.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private emitPending(t: number, truncated: boolean): void {
    const raw = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const body = raw.at(-1) === 0x0a ? raw.subarray(0, -1) : raw;
    const text = body.toString(this.options.encoding ?? 'utf8').replaceAll('\r', '');
    this.emit(truncated ? { t, text, raw, truncated } : { t, text, raw });
  }
}
