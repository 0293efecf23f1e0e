/** A console line before it is stamped. */
export interface AssembledLine {
  text: string;
  raw: Buffer;
  truncated?: boolean;
}

const NEWLINE = 0x0a;

/**
 * Bytes in, lines out. The raw bytes of each line are kept exactly (garbage from a board mid-power-cut
 * included); the text drops `\r` and decodes as UTF-8. A line with no newline after `maxLength` bytes is
 * handed on as truncated, so a board spewing binary cannot grow the buffer without bound.
 */
export class LineAssembler {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLength = 4096) {}

  push(chunk: Buffer): AssembledLine[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: AssembledLine[] = [];
    for (;;) {
      const nl = this.pending.indexOf(NEWLINE);
      if (nl >= 0 && nl < this.maxLength) {
        lines.push(line(this.pending.subarray(0, nl + 1)));
        this.pending = this.pending.subarray(nl + 1);
      } else if (this.pending.length >= this.maxLength) {
        lines.push({ ...line(this.pending.subarray(0, this.maxLength)), truncated: true });
        this.pending = this.pending.subarray(this.maxLength);
      } else {
        return lines;
      }
    }
  }

  /** The partial last line, if any (the board lost power mid-line). */
  flush(): AssembledLine | undefined {
    if (!this.pending.length) return undefined;
    const rest = line(this.pending);
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

function line(raw: Buffer): AssembledLine {
  const copy = Buffer.from(raw);
  const text = copy.toString('utf8').replace(/\n$/, '').replaceAll('\r', '');
  return { text, raw: copy };
}
