import type { Timeline } from '../core/Timeline.js';
import type { CutMeasure } from '../report/CaseResult.js';

/** The power cuts of a case, as the cut step records them, and the state each landed in. */
export class CutLog {
  readonly cuts: CutMeasure[] = [];
  /** The cut step records its event after power is off; the state that matters is the one the cut landed in. */
  stateAtCut: string | undefined;

  constructor(timeline: Timeline, properties: Record<string, string>) {
    timeline.subscribe((event) => {
      // A cut event without issuedAt is a step's own bookkeeping (a breakpoint armed), not a power cut.
      if (event.type !== 'cut' || typeof event.issuedAt !== 'number') return;
      const num = (v: unknown) => (typeof v === 'number' ? v : 0);
      const state = typeof event.stateAtCut === 'string' ? event.stateAtCut : (this.stateAtCut ?? String(event.state ?? ''));
      this.cuts.push({ atMs: num(event.issuedAt), lateMs: num(event.lateMs), actuationMs: num(event.latencyMs), state, anchor: typeof event.anchor === 'string' ? event.anchor : undefined });
      properties['cut_state'] = state;
      this.stateAtCut = undefined;
    });
  }
}
