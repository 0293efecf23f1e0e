import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleLine } from '../drivers/console/Console.js';
import { RigError } from '../errors.js';
import type { CaseResult } from '../run/CaseResult.js';
import type { Timeline } from '../run/Timeline.js';

/**
 * Writes a case's files as it runs, so a crash or a kill keeps what was there: `timeline.jsonl` (one event
 * per line), `console.log` (`[   1.234] text`, seconds since case start), `console.raw` (the exact bytes
 * received) and, at the end, `result.json`. If the directory cannot be written the case still runs: the
 * first error is kept and returned by `finish`, and the report keeps the console text from memory.
 */
export class CaseRecorder {
  private readonly fds = new Map<string, number>();
  private error: Error | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly dir: string, timeline: Timeline) {
    this.guard(() => mkdirSync(dir, { recursive: true }));
    for (const name of ['timeline.jsonl', 'console.log', 'console.raw']) {
      this.guard(() => this.fds.set(name, openSync(join(dir, name), 'w')));
    }
    this.unsubscribe = timeline.subscribe((event) => this.write('timeline.jsonl', `${JSON.stringify(event)}\n`));
  }

  consoleLine(line: ConsoleLine): void {
    this.write('console.log', `[${(line.t / 1000).toFixed(3).padStart(9)}] ${line.text}\n`);
    this.write('console.raw', line.raw);
  }

  /** Writes result.json and closes; returns the first write error, if any, as a RigError naming the directory. */
  async finish(result: CaseResult): Promise<RigError | undefined> {
    this.unsubscribe();
    this.guard(() => writeFileSync(join(this.dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`));
    for (const fd of this.fds.values()) this.guard(() => closeSync(fd));
    this.fds.clear();
    return this.error ? new RigError('reports', `cannot write case files in ${this.dir}: ${this.error.message}`) : undefined;
  }

  private write(name: string, data: string | Buffer): void {
    const fd = this.fds.get(name);
    if (fd !== undefined) this.guard(() => (typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data)));
  }

  private guard(action: () => void): void {
    if (this.error) return;
    try {
      action();
    } catch (err) {
      this.error = err as Error;
    }
  }
}
