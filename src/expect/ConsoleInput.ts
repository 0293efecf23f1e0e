import type { ConsoleSegment } from '../protocols/Console.js';
import type { Classification, Classifier } from './Classifier.js';
import { LineTail } from './LineTail.js';

/** How many console lines a failure carries. */
export const FAILURE_LINES = 20;

/**
 * The console as the model reads it: each segment classified into at most one pattern event, and the last lines
 * kept for a failure. A prompt (`=> `) is matched while its line is still open, so a step can answer it; the line
 * it then becomes gives no second event, however it grows or ends.
 */
export class ConsoleInput {
  private readonly tail = new LineTail(FAILURE_LINES);
  /** The open segment matched a prompt pattern: it gives no second event. */
  private promptTaken = false;
  /** The open segment's text so far, shown after the tail in a failure: a board waiting at a prompt. */
  private openText?: string;

  constructor(private readonly classifier: Classifier) {}

  /** What a segment means to the model: a pattern's event, a forbidden line, or nothing. */
  read(segment: ConsoleSegment): Classification {
    if (segment.partial) {
      this.openText = segment.text;
      if (this.promptTaken || !this.classifier.hasPrompts) return {};
      const event = this.classifier.classifyPartial(segment.text);
      if (!event) return {};
      this.promptTaken = true;
      return { event };
    }
    const taken = this.promptTaken;
    this.promptTaken = false;
    this.openText = undefined;
    if (segment.redraw) this.tail.replaceLast(segment.text);
    else this.tail.push(segment.text);
    const { event, forbidden } = this.classifier.classify(segment.text);
    if (forbidden !== undefined) return { forbidden };
    // Already classified while open (a prompt): one event per segment.
    return event && !taken ? { event } : {};
  }

  /** The last lines, the open one last: what a failure shows. */
  lastLines(): string[] {
    const lines = this.tail.toArray();
    if (this.openText === undefined) return lines;
    return [...lines.slice(lines.length >= FAILURE_LINES ? 1 : 0), this.openText];
  }
}
