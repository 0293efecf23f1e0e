import type { Scenario } from '../config/Scenario.js';
import type { CaseResult } from './CaseResult.js';
import { caseId, type CaseSpec } from './cases.js';

/** Set by the cut step when the CPU never reached the hit it was armed for. */
export const MISSED_HIT = 'cut_missed_hit';

/**
 * `cut: { at: { hit: all | {every: N} } }`: the cases go on, hit 1, 1+N, 1+2N, ..., until a case finds the
 * firmware made fewer calls than that (its breakpoint was never reached): the sweep then covered every hit
 * there is, however many that is for the build under test. Cases already issued past the end (other jobs) find
 * no hit either; `settle`, called on every finished case of the scenario, turns those into skips.
 */
export class HitSweep {
  private nextHit: number;
  private end?: number;

  constructor(
    private readonly scenario: Scenario & { hitSweep: NonNullable<Scenario['hitSweep']> },
    planned: readonly CaseSpec[],
  ) {
    const hits = planned.map((c) => Number(c.params[scenario.hitSweep.param]));
    this.nextHit = Math.max(0, ...hits) + scenario.hitSweep.every;
  }

  /** The next point, or undefined once a settled case found the end. */
  next(): CaseSpec | undefined {
    if (this.end !== undefined) return undefined;
    const params = { [this.scenario.hitSweep.param]: String(this.nextHit) };
    this.nextHit += this.scenario.hitSweep.every;
    return { id: caseId(this.scenario.name, params), params };
  }

  /**
   * A case past the last hit is the sweep's end, not a failure: it becomes a skip saying so (true: it was
   * changed). The first point missing is different (the code was never reached at all): that stays a failure.
   */
  settle(result: CaseResult): boolean {
    const missed = Number(result.properties[MISSED_HIT]);
    if (!missed || missed <= this.scenario.hitSweep.every || result.status !== 'fail') return false;
    this.end = Math.min(this.end ?? missed, missed);
    result.status = 'skipped';
    result.message = `end of the sweep: no hit ${missed} (the firmware made fewer calls)`;
    result.properties['sweep_end'] = 'true';
    return true;
  }
}
