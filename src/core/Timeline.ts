/**
 * One monotonic clock per case: every console line, power edge, step, subprocess and model transition is
 * stamped in milliseconds since the case started, so a reader can line them up without trusting wall time.
 */

export interface TimelineEvent {
  /** ms since case start (monotonic, sub-ms resolution). */
  t: number;
  type: string;
  [key: string]: unknown;
}

export type TimelineListener = (event: TimelineEvent) => void;

export class Timeline {
  private readonly origin: number;
  private readonly listeners = new Set<TimelineListener>();

  constructor(origin: number = performance.now()) {
    this.origin = origin;
  }

  now(): number {
    return Math.round((performance.now() - this.origin) * 1000) / 1000;
  }

  /** Records an event now (or at `t`, when the time was taken earlier) and hands it to every listener. */
  record(type: string, data: Record<string, unknown> = {}, t: number = this.now()): TimelineEvent {
    const event: TimelineEvent = { t, type, ...data };
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: TimelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
