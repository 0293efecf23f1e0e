import type { DriverContext } from './DriverContext.js';

export interface ProbeProgressUpdate {
  /** What the tool is doing: `erase`, `program`, `verify`, `download`, `load .text`, ... */
  phase: string;
  /** 0-100 within the phase. */
  percent: number;
  /** Image (file name) the phase belongs to, when the tool says. */
  image?: string;
  /** Bytes of the phase done so far and in all, when hil writes them itself (the virtual rig's gdb). */
  bytes?: number;
  total?: number;
}

export type ProbeProgressListener = (update: ProbeProgressUpdate) => void;

/** A probe tool's output parser: fed raw output as it arrives, in chunks cut anywhere. */
export interface ProgressParser {
  feed(chunk: string): void;
}

/**
 * Where a probe's progress goes: a `probe-progress` timeline event per change, and any listener
 * (the CLI draws a progress bar on a TTY). Repeats of the same phase and percent are dropped.
 */
export class ProbeProgress {
  private readonly listeners = new Set<ProbeProgressListener>();
  private last = '';

  constructor(private readonly ctx: Pick<DriverContext, 'part' | 'timeline'>) {}

  onProgress(listener: ProbeProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  report = (update: ProbeProgressUpdate): void => {
    const percent = Math.max(0, Math.min(100, Math.round(update.percent)));
    const key = `${update.image ?? ''}\0${update.phase}\0${percent}\0${update.bytes ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    const event = { ...update, percent };
    this.ctx.timeline.record('probe-progress', { part: this.ctx.part, ...event });
    for (const listener of this.listeners) listener(event);
  };
}

/** Splits a stream into lines, treating `\r` as a line end too (progress bars redraw with it). */
export class LineFeeder {
  private pending = '';
  constructor(private readonly onLine: (line: string) => void) {}

  feed(chunk: string): void {
    const parts = (this.pending + chunk).split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.onLine(line);
  }

  /** The unfinished last line, for parsers that react to partial bars. */
  get partial(): string {
    return this.pending;
  }
}
