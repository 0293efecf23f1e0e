import type { TimelineEvent } from '../../core/TimelineEvent.js';
import type { CaseResult } from '../../report/CaseResult.js';
import type { CaseSpec } from '../../scenario/cases.js';
import { terminalText } from '../terminalText.js';

/** Console lines a case under way keeps for the live view (`-v`). */
const CONSOLE_LINES = 3;

/** A flash phase under way or just done: `program` of bootloader.bin, 40 of 64 KiB. */
export interface FlashProgress {
  phase: string;
  image?: string;
  percent: number;
  bytes?: number;
  total?: number;
  /** Case time (ms) the phase began at, and how long it has taken so far. */
  startedAt: number;
  ms: number;
}

interface ActiveStep {
  /** 0-based, as the timeline counts; shown 1-based. */
  index: number;
  description: string;
  startedAt: number;
}

/** A case under way, as the live view shows it. */
export interface ActiveCase {
  id: string;
  index: number;
  total: number;
  rig: string;
  startedAt: number;
  step?: ActiveStep;
  flash?: FlashProgress;
  /** The last console lines, made safe for a terminal. */
  lines: string[];
}

/** What an event meant, for a view that prints it: a step that ended, a flash phase that finished. */
export type Milestone =
  | { kind: 'step-start'; active: ActiveCase; step: ActiveStep }
  | { kind: 'step-end'; active: ActiveCase; step: ActiveStep; ms: number; error?: string }
  | { kind: 'flash-end'; active: ActiveCase; flash: FlashProgress };

/**
 * The run as the terminal shows it: the cases under way (their step, flash progress and last console lines), the
 * cases done and an ETA from their mean duration. Fed by the run's callbacks; it only takes note, so it is cheap
 * to call in the turn that records an event.
 */
export class RunTracker {
  readonly startedAt: number;
  readonly active = new Map<string, ActiveCase>();
  total = 0;
  readonly counts = { pass: 0, fail: 0, error: 0, skipped: 0 };
  private ran = 0;
  private ranMs = 0;

  constructor(
    private readonly jobs: number,
    readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  get ended(): number {
    return this.counts.pass + this.counts.fail + this.counts.error + this.counts.skipped;
  }

  caseStart(spec: CaseSpec, index: number, total: number, rig: string): ActiveCase {
    this.total = Math.max(this.total, total);
    const active: ActiveCase = { id: spec.id, index, total, rig, startedAt: this.now(), lines: [] };
    this.active.set(spec.id, active);
    return active;
  }

  caseEnd(result: CaseResult, total: number): void {
    this.total = Math.max(this.total, total);
    this.active.delete(result.id);
    this.counts[result.status]++;
    // A skip that never ran (interrupted, blocked) says nothing of how long a case takes.
    if (result.status !== 'skipped' || result.durationMs > 0) {
      this.ran++;
      this.ranMs += result.durationMs;
    }
  }

  event(spec: CaseSpec, event: TimelineEvent): Milestone | undefined {
    const active = this.active.get(spec.id);
    if (!active) return undefined;
    switch (event.type) {
      case 'step':
        if (event.phase === 'start') {
          active.step = { index: event.index, description: event.description, startedAt: this.now() };
          active.flash = undefined;
          return { kind: 'step-start', active, step: active.step };
        }
        return active.step?.index === event.index
          ? { kind: 'step-end', active, step: active.step, ms: event.ms, ...(event.error ? { error: event.error } : {}) }
          : undefined;
      case 'line':
        active.lines.push(terminalText(event.text));
        if (active.lines.length > CONSOLE_LINES) active.lines.shift();
        return undefined;
      case 'probe-progress': {
        const same = active.flash && active.flash.phase === event.phase && active.flash.image === event.image;
        const startedAt = same && active.flash!.percent < 100 ? active.flash!.startedAt : event.t;
        active.flash = {
          phase: event.phase,
          image: event.image,
          percent: event.percent,
          bytes: event.bytes,
          total: event.total,
          startedAt,
          ms: event.t - startedAt,
        };
        return event.percent >= 100 ? { kind: 'flash-end', active, flash: active.flash } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** ms since the run started. */
  elapsed(): number {
    return this.now() - this.startedAt;
  }

  /**
   * The time left, from the mean duration of the cases run so far: what the cases under way still need, and
   * the cases not started, shared by the jobs. Unknown until a case has run.
   */
  eta(): number | undefined {
    if (!this.ran) return undefined;
    const mean = this.ranMs / this.ran;
    const now = this.now();
    let left = 0;
    for (const a of this.active.values()) left += Math.max(0, mean - (now - a.startedAt));
    left += Math.max(0, this.total - this.ended - this.active.size) * mean;
    return left / Math.max(1, Math.min(this.jobs, this.total - this.ended));
  }
}
