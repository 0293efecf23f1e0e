import type { Timeline } from '../core/Timeline.js';
import type { CutMeasure } from '../report/CaseResult.js';

/** The power cuts of a case, as the cut step records them, and the state each landed in. */
export class CutLog {
  readonly cuts: CutMeasure[] = [];
  /** The cut step records its event after power is off; the state that matters is the one the cut landed in. */
  stateAtCut: string | undefined;

  constructor(timeline: Timeline, properties: Record<string, string>) {
    timeline.subscribe((event) => {
      // An armed breakpoint is the step's own bookkeeping, not a power cut.
      if (event.type !== 'cut' || event.phase === 'armed') return;
      const state = this.stateAtCut ?? event.state;
      const sweep = 'sweep' in event ? event.sweep : undefined;
      this.cuts.push({
        atMs: event.issuedAt,
        lateMs: event.lateMs,
        actuationMs: event.latencyMs,
        state,
        anchor: event.anchor,
        ...(sweep ? { sweep } : {}),
      });
      properties['cut_state'] = state;
      this.stateAtCut = undefined;
    });
  }
}
