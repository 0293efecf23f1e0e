import type { Scenario } from '../scenario/Scenario.js';
import type { CaseResult } from '../report/CaseResult.js';
import { caseId, type CaseSpec } from '../scenario/cases.js';
import { lastHits, nextSampledHit } from '../scenario/hitSample.js';
import { HITS_SEEN, MISSED_HIT } from '../steps/CutStep.js';

/**
 * `cut: { at: { hit: all | {every: N, edges: K} } }`: the cases go on, hit 1, 2, ... K, then 1+N, 1+2N, ...,
 * until a case finds the firmware made fewer calls than that (its breakpoint was never reached): the sweep then
 * covered every hit there is, however many that is for the build under test. No counting run comes first: the
 * case past the end is the count, as its probe reports how many calls it saw, and the last K hits, known only
 * then, follow. Cases already issued past the end (other jobs) find no hit either; `settle`, called on every
 * finished case of the scenario, turns those into skips.
 */
export class HitSweep {
  private nextHit: number;
  private readonly issued = new Set<number>();
  private end?: number;
  /** The last hits not yet issued, once a case past the end told the count. */
  private tail?: number[];
  /** The other parameters' values each hit is run with (a fault model and its seed): those the planned cases have. */
  private readonly others: Array<Record<string, string>>;
  /** Cases of the current hit not yet issued, one per combination of the other parameters. */
  private readonly pending: CaseSpec[] = [];

  constructor(
    private readonly scenario: Scenario & { hitSweep: NonNullable<Scenario['hitSweep']> },
    planned: readonly CaseSpec[],
  ) {
    const { param } = scenario.hitSweep;
    const hits = planned.map((c) => Number(c.params[param]));
    for (const hit of hits) this.issued.add(hit);
    const seen = new Set<string>();
    this.others = [];
    for (const c of planned) {
      const rest = Object.fromEntries(Object.entries(c.params).filter(([k]) => k !== param));
      const key = JSON.stringify(rest);
      if (!seen.has(key)) this.others.push(rest);
      seen.add(key);
    }
    if (!this.others.length) this.others.push({});
    this.nextHit = this.after(Math.max(1, ...hits));
  }

  /** The next point, or undefined once a settled case found the end and the last hits are issued. */
  next(): CaseSpec | undefined {
    if (this.pending.length) return this.pending.shift();
    let hit: number | undefined;
    if (this.end === undefined) {
      hit = this.nextHit;
      this.nextHit = this.after(hit);
    } else {
      hit = this.tail?.shift();
    }
    if (hit === undefined) return undefined;
    this.issued.add(hit);
    // In the scenario's order of parameters, as the planned cases have them.
    const order = Object.keys(this.scenario.params);
    for (const rest of this.others) {
      const all: Record<string, string> = { ...rest, [this.scenario.hitSweep.param]: String(hit) };
      const params = Object.fromEntries(order.filter((k) => k in all).map((k) => [k, all[k]!]));
      this.pending.push({ id: caseId(this.scenario.name, params), params });
    }
    return this.pending.shift();
  }

  /**
   * A case past the last hit is the sweep's end, not a failure: it becomes a skip saying so (true: it was
   * changed). A point the code never reached at all is different: that stays a failure. Without a count from
   * the probe, that is the first hit missing.
   */
  settle(result: CaseResult): boolean {
    const missed = Number(result.properties[MISSED_HIT]);
    if (!missed || result.status !== 'fail') return false;
    const seen = result.properties[HITS_SEEN] === undefined ? undefined : Number(result.properties[HITS_SEEN]);
    if (seen === undefined ? missed <= 1 : seen < 1) return false;
    if (!this.tail && seen !== undefined) this.tail = lastHits(seen, this.scenario.hitSweep.edges).filter((hit) => !this.issued.has(hit));
    this.end = Math.min(this.end ?? missed, missed);
    result.status = 'skipped';
    result.message = `end of the sweep: no hit ${missed} (the firmware made ${seen === undefined ? 'fewer calls' : seen === 1 ? '1 call' : `${seen} calls`})`;
    result.properties['sweep_end'] = 'true';
    return true;
  }

  private after(hit: number): number {
    return nextSampledHit(hit, this.scenario.hitSweep.every, this.scenario.hitSweep.edges);
  }
}
