/**
 * One monotonic clock per case: every console line, power edge, step, subprocess and model transition is
 * stamped in milliseconds since the case started, so a reader can line them up without trusting wall time.
 */
import type { TimelineEvent, TimelineEventFields, TimelineEventOf, TimelineEventType } from './TimelineEvent.js';

export type { TimelineEvent } from './TimelineEvent.js';

export type TimelineListener = (event: TimelineEvent) => void;

export class Timeline {
  private origin: number;
  private readonly listeners = new Set<TimelineListener>();

  constructor(origin: number = performance.now()) {
    this.origin = origin;
  }

  /** Moves the clock so that now() reads `t`: a case started where a recorded run of its steps stood goes on from there. */
  continueFrom(t: number): void {
    this.origin = performance.now() - t;
  }

  now(): number {
    return Math.round((performance.now() - this.origin) * 1000) / 1000;
  }

  /**
   * Records an event now (or at `t`, when the time was taken earlier; ms since the case started, monotonic,
   * sub-ms resolution) and hands it to every listener.
   */
  record<K extends TimelineEventType>(type: K, data: TimelineEventFields[K], t: number = this.now()): TimelineEventOf<K> {
    // tsc cannot see that spreading one kind's fields after its type makes that kind's event.
    const event = { t, type, ...data } as TimelineEventOf<K>;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: TimelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
