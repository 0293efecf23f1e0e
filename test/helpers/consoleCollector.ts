import type { Console, ConsoleLine } from '../../src/protocols/Console.js';
import type { RigError } from '../../src/core/errors.js';

/** Everything a console reported, in order, with a way to wait for a condition on it. */
export class Collector {
  readonly lines: ConsoleLine[] = [];
  /** `line:TEXT`, `gap`, `resume`, `failed`: the order listeners saw them in. */
  readonly order: string[] = [];
  readonly gaps: Array<{ t: number; reason: string }> = [];
  readonly resumes: Array<{ t: number; gapMs: number }> = [];
  readonly failures: RigError[] = [];

  constructor(console: Console) {
    console.subscribe({
      line: (line) => {
        this.lines.push(line);
        this.order.push(`line:${line.text}`);
      },
      gap: (info) => {
        this.gaps.push(info);
        this.order.push('gap');
      },
      resume: (info) => {
        this.resumes.push(info);
        this.order.push('resume');
      },
      failed: ({ error }) => {
        this.failures.push(error);
        this.order.push('failed');
      },
    });
  }

  texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  async until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.order.slice(-10))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
