/** The last few console lines, kept for a failure message; overlong lines are cut so one cannot swamp it. */
export class LineTail {
  private readonly lines: string[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly maxChars = 300,
  ) {}

  push(text: string): void {
    const line = this.cut(text);
    if (this.lines.length < this.size) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.size;
  }

  /** A `\r` redraw: on a terminal the new text overwrites the last line. */
  replaceLast(text: string): void {
    if (this.lines.length === 0) return this.push(text);
    this.lines[(this.next + this.size - 1) % this.size] = this.cut(text);
  }

  private cut(text: string): string {
    return text.length > this.maxChars ? `${text.slice(0, this.maxChars)}… (${text.length - this.maxChars} more characters)` : text;
  }

  toArray(): string[] {
    return this.lines.length < this.size ? [...this.lines] : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
  }
}
