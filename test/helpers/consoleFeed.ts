import { LineSplitter } from '../../src/drivers/support/LineSplitter.js';
import type { Expectation } from '../../src/expect/Expectation.js';
import type { ConsoleLine } from '../../src/protocols/Console.js';

/**
 * Bytes as a board prints them (`\r` redraws, `\n\r` endings, a prompt with no line ending) fed to a model the
 * way a case feeds it: through the console's line splitter, segment by segment. `lines` are the whole lines a
 * console log would show.
 */
export function consoleFeed(model: Expectation) {
  const lines: ConsoleLine[] = [];
  const splitter = new LineSplitter({ line: (l) => lines.push(l), segment: (s) => model.feedSegment(s) });
  return {
    lines,
    /** One read of the console at time `t`. */
    push(bytes: string | Buffer, t: number): void {
      splitter.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, t);
    },
    flush(t: number): void {
      splitter.flush(t);
    },
  };
}
