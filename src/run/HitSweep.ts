import type { HitSweepLevel, Scenario } from '../scenario/Scenario.js';
import type { CaseResult } from '../report/CaseResult.js';
import { caseId, type CaseSpec } from '../scenario/cases.js';
import { lastHits, nextSampledHit } from '../scenario/hitSample.js';
import { HITS_SEEN, MISSED_HIT, MISSED_SWEEP } from '../steps/codeCut.js';
import { PRUNED_AT } from './ExploredStates.js';

/**
 * The hits of one sweeping cut, below one point of the cuts before it: 1, 2, ... K, then 1+N, 1+2N, ... until a
 * case finds the firmware made fewer calls than that; then the last K, known only once the count is.
 */
class Branch {
  private nextHit = 1;
  private readonly issued = new Set<number>();
  private end?: number;
  private tail?: number[];
  /** The branch of the next level below the hit this one issued last. */
  child?: { hit: number; branch: Branch };
  /** Nothing more to issue below it: a case stopped at its cut found the state explored already. */
  closed = false;

  constructor(private readonly level: HitSweepLevel) {}

  /** Marks a hit as issued (a planned case): the branch goes on after it. */
  take(hit: number): void {
    this.issued.add(hit);
    this.nextHit = Math.max(this.nextHit, this.after(hit));
  }

  /** The next hit of this level, or undefined once its end is known and the last hits are issued. */
  next(): number | undefined {
    if (this.closed) return undefined;
    let hit: number | undefined;
    if (this.end === undefined) {
      hit = this.nextHit;
      this.nextHit = this.after(hit);
    } else {
      hit = this.tail?.shift();
    }
    if (hit !== undefined) this.issued.add(hit);
    return hit;
  }

  /** A case armed for `missed` never got it: the level's end, with the count when the probe told it. */
  ended(missed: number, seen: number | undefined): void {
    if (!this.tail && seen !== undefined) this.tail = lastHits(seen, this.level.edges).filter((hit) => !this.issued.has(hit));
    this.end = Math.min(this.end ?? missed, missed);
    if (this.child && this.child.hit >= this.end) this.child.branch.closed = true;
  }

  private after(hit: number): number {
    return nextSampledHit(hit, this.level.every, this.level.edges);
  }
}

/**
 * `cut: { at: { hit: all | {every: N, edges: K} } }`: the cases go on, hit 1, 2, ... K, then 1+N, 1+2N, ...,
 * until a case finds the firmware made fewer calls than that (its breakpoint was never reached): the sweep then
 * covered every hit there is, however many that is for the build under test. No counting run comes first: the
 * case past the end is the count, as its probe reports how many calls it saw, and the last K hits, known only
 * then, follow. Cases already issued past the end (other jobs) find no hit either; `settle`, called on every
 * finished case of the scenario, turns those into skips.
 *
 * A second (third) sweeping cut sweeps its own hits within each point of the one before, depth first: a cut,
 * then every cut during its recovery. Each combination of the scenario's other parameters (a fault model, a seed,
 * a hit fixed by --param) sweeps on its own, in turn.
 */
export class HitSweep {
  private readonly levels: HitSweepLevel[];
  private readonly roots: Array<{ others: Record<string, string>; branch: Branch }> = [];
  private turn = 0;

  constructor(
    private readonly scenario: Scenario & { hitSweep: NonNullable<Scenario['hitSweep']> },
    planned: readonly CaseSpec[],
    /** Parameters --param fixed: those levels are not swept. */
    fixed: readonly string[] = [],
  ) {
    const sweeps = scenario.hitSweeps.length ? scenario.hitSweeps : [scenario.hitSweep];
    this.levels = sweeps.filter((l) => !fixed.includes(l.param));
    const swept = new Set(this.levels.map((l) => l.param));
    for (const c of planned) {
      const others = Object.fromEntries(Object.entries(c.params).filter(([k]) => !swept.has(k)));
      let root = this.roots.find((r) => sameParams(r.others, others));
      if (!root) this.roots.push((root = { others, branch: new Branch(this.levels[0]!) }));
      this.walk(
        root.branch,
        this.levels.map((l) => Number(c.params[l.param])),
        true,
      );
    }
  }

  /** The next point, or undefined once every branch found its end and issued its last hits. */
  next(): CaseSpec | undefined {
    for (let tries = 0; tries < this.roots.length; tries++) {
      const root = this.roots[this.turn++ % this.roots.length]!;
      const hits = this.leaf(root.branch, 0);
      if (!hits) continue;
      const all: Record<string, string> = { ...root.others };
      this.levels.forEach((l, i) => (all[l.param] = String(hits[i])));
      // In the scenario's order of parameters, as the planned cases have them.
      const params = Object.fromEntries(
        Object.keys(this.scenario.params)
          .filter((k) => k in all)
          .map((k) => [k, all[k]!]),
      );
      return { id: caseId(this.scenario.name, params), params };
    }
    return undefined;
  }

  /**
   * A case past the last hit of its level is the end of that level's sweep, not a failure: it becomes a skip
   * saying so (true: it was changed). A point the code never reached at all is different: at the first cut that
   * stays a failure (without a count from the probe, that is the first hit missing); a later cut finding no call
   * at all (the recovery had nothing to write) ends its level. A case stopped at a cut whose state was explored
   * closes what it would have swept below that cut.
   */
  settle(result: CaseResult): boolean {
    const prunedAt = result.properties[PRUNED_AT];
    if (prunedAt) {
      const level = this.levels.findIndex((l) => l.param === prunedAt);
      if (level >= 0 && level < this.levels.length - 1) this.branchOf(result, level + 1)?.forEach((b) => (b.closed = true));
      return false;
    }
    const missed = Number(result.properties[MISSED_HIT]);
    if (!missed || result.status !== 'fail') return false;
    const param = result.properties[MISSED_SWEEP] ?? this.levels[0]?.param;
    const level = this.levels.findIndex((l) => l.param === param);
    if (level < 0) return false;
    const seen = result.properties[HITS_SEEN] === undefined ? undefined : Number(result.properties[HITS_SEEN]);
    if (level === 0 && (seen === undefined ? missed <= 1 : seen < 1)) return false;
    for (const branch of this.branchOf(result, level) ?? []) branch.ended(missed, seen);
    result.status = 'skipped';
    const where = level === 0 ? '' : ` at cut ${level + 1}`;
    result.message = `end of the sweep${where}: no hit ${missed} (the firmware made ${seen === undefined ? 'fewer calls' : seen === 1 ? '1 call' : `${seen} calls`})`;
    result.properties['sweep_end'] = 'true';
    return true;
  }

  /** Marks the planned hits issued, making the branches below them. */
  private walk(branch: Branch, hits: number[], planned: boolean): void {
    const [hit, ...rest] = hits;
    if (hit === undefined) return;
    if (planned) branch.take(hit);
    if (!rest.length) return;
    if (branch.child?.hit !== hit) branch.child = { hit, branch: new Branch(this.levels[this.levels.length - rest.length]!) };
    this.walk(branch.child.branch, rest, planned);
  }

  /** The next whole point below `branch` (level `depth`), depth first; undefined when the branch has no more. */
  private leaf(branch: Branch, depth: number): number[] | undefined {
    if (depth === this.levels.length - 1) {
      const hit = branch.next();
      return hit === undefined ? undefined : [hit];
    }
    for (;;) {
      if (branch.child) {
        const below = this.leaf(branch.child.branch, depth + 1);
        if (below) return [branch.child.hit, ...below];
      }
      const hit = branch.next();
      if (hit === undefined) return undefined;
      branch.child = { hit, branch: new Branch(this.levels[depth + 1]!) };
    }
  }

  /** The branch of `level` that `result`'s case belongs to (by its other parameters and its hits above it). */
  private branchOf(result: CaseResult, level: number): Branch[] | undefined {
    const swept = new Set(this.levels.map((l) => l.param));
    const others = Object.fromEntries(Object.entries(result.params).filter(([k]) => !swept.has(k)));
    const root = this.roots.length === 1 ? this.roots[0] : this.roots.find((r) => sameParams(r.others, others));
    if (!root) return undefined;
    let branch = root.branch;
    for (let i = 0; i < level; i++) {
      const hit = Number(result.params[this.levels[i]!.param]);
      if (branch.child?.hit !== hit) return undefined;
      branch = branch.child.branch;
    }
    return [branch];
  }
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
