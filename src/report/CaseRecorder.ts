import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleLine } from '../protocols/Console.js';
import { RigError } from '../core/errors.js';
import type { CaseResult } from './CaseResult.js';
import type { Timeline, TimelineEvent } from '../core/Timeline.js';
import { writeReportFile } from './writeReportFile.js';

/** `[    12.345]`: seconds since the case started, as dmesg prints them. */
export function consoleStamp(t: number): string {
  return `[${(t / 1000).toFixed(3).padStart(10)}]`;
}

/**
 * A console line as console.log shows it. Control characters (but tab) are written as `\xNN`, so the log stays a
 * text file grep and editors treat as text even when a board printed NUL or escape sequences mid power cut; the
 * exact bytes are in console.raw.
 */
export function consoleLogLine(line: ConsoleLine): string {
  const text = line.text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${consoleStamp(line.t)} ${text}${line.truncated ? ' [no newline: cut here]' : ''}`;
}

/** One timeline event as a JSON line; nothing a driver records (a bigint address, a cycle) may stop the recording. */
function timelineJsonLine(event: TimelineEvent): string {
  try {
    return JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (err) {
    return JSON.stringify({ t: event.t, type: event.type, unrecordable: (err as Error).message });
  }
}

/** Recorders with writes not yet on disk: written out if the process exits before their turn ends. */
const pendingRecorders = new Set<CaseRecorder>();
let exitHookInstalled = false;

/**
 * Writes a case's directory as the case runs, so a crash or a kill keeps everything up to that moment: what
 * arrived in one turn of the event loop is written at the end of that turn (and at exit), not in the middle of
 * it, so a power cut reacting to a console line never waits for the disk:
 * - `timeline.jsonl`: one JSON object per timeline event;
 * - `console.log`: one line per console line, `[   123.456] text` (see consoleLogLine);
 * - `console.raw`: every byte the console received, in order, exactly;
 * - `result.json`: the CaseResult, written by `finish`.
 * An unwritable directory never stops the case: the first error is kept (later writes are skipped) and `finish`
 * returns it as one RigError; the runner keeps the console text in memory for JUnit.
 */
export class CaseRecorder {
  private readonly fds = new Map<string, number>();
  private readonly pending = new Map<string, Array<Buffer | (() => string)>>();
  private flushScheduled = false;
  private error: Error | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly dir: string,
    timeline: Timeline,
  ) {
    this.guard(() => mkdirSync(dir, { recursive: true }));
    for (const name of ['timeline.jsonl', 'console.log', 'console.raw']) {
      this.guard(() => this.fds.set(name, openSync(join(dir, name), 'w')));
    }
    // Formatted when written, not when recorded: the turn that records an event may be cutting power.
    this.unsubscribe = timeline.subscribe((event) => this.write('timeline.jsonl', () => `${timelineJsonLine(event)}\n`));
  }

  consoleLine(line: ConsoleLine): void {
    this.write('console.log', () => `${consoleLogLine(line)}\n`);
    this.write('console.raw', line.raw);
  }

  /** The first write error, if any: the runner may log it at once instead of at the end. */
  failure(): RigError | undefined {
    return this.error
      ? new RigError('reports', `cannot write case files in ${this.dir}: ${this.error.message}`, { cause: this.error })
      : undefined;
  }

  /** Writes result.json and closes the files; returns the first write error as a RigError naming the directory. */
  async finish(result: CaseResult): Promise<RigError | undefined> {
    this.unsubscribe();
    this.flush();
    for (const fd of this.fds.values()) this.guard(() => closeSync(fd));
    this.fds.clear();
    this.guard(() => writeReportFile(join(this.dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`));
    return this.failure();
  }

  private write(name: string, data: Buffer | (() => string)): void {
    if (!this.fds.has(name)) return;
    let queue = this.pending.get(name);
    if (!queue) this.pending.set(name, (queue = []));
    queue.push(data);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    pendingRecorders.add(this);
    installExitHook();
    setImmediate(() => this.flush());
  }

  /** Writes out what this turn of the event loop recorded, one write per file. */
  flush(): void {
    this.flushScheduled = false;
    pendingRecorders.delete(this);
    for (const [name, queue] of this.pending) {
      const fd = this.fds.get(name);
      if (fd === undefined || !queue.length) continue;
      const data = Buffer.concat(queue.map((d) => (typeof d === 'function' ? Buffer.from(d()) : d)));
      queue.length = 0;
      this.guard(() => writeSync(fd, data));
    }
  }

  private guard(action: () => void): void {
    if (this.error) return;
    try {
      action();
    } catch (err) {
      this.error = err instanceof RigError && err.cause instanceof Error ? err.cause : (err as Error);
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const recorder of [...pendingRecorders]) recorder.flush();
  });
}
