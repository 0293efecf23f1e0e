import { createHash } from 'node:crypto';

/** Set on a case stopped at a cut whose state another case reached first: the sweep parameter of that cut. */
export const PRUNED_AT = 'pruned_at';
/** Set with PRUNED_AT: the case that reached the state first. */
export const PRUNED_AS = 'pruned_as';

/** What makes two cases the same from a cut on: the board is off, so its flash, the model, and what is left to do. */
export interface CutState {
  flash: Buffer[];
  /**
   * The model state the cut landed in, with every line the board printed before the cut read: the model holds
   * nothing else that outlives the power-off, so where it goes from there follows from this.
   */
  modelState: string;
  /**
   * The step that cut, and the parameter values the steps after it use. Not the step under way when the hit came
   * (a button still held, or already released): it finishes before any step powers the board again, and an
   * output set while the board is off reaches it at the next power-on, so every branch boots with the same lines.
   */
  step: number;
  later: Record<string, string>;
}

/**
 * The states a multi-cut sweep reached at its cuts, by hash. With power off, RAM is gone: the firmware's future
 * is its flash, and the case's is the model and the steps left with their parameters. A case that reaches a
 * state another already reached is the same branch from there: it stops (pruned) instead of running it again.
 */
export class ExploredStates {
  private readonly seen = new Map<string, string>();

  /** Records the state for `caseId`; returns the case that reached it first, if one did. */
  async claim(state: CutState, caseId: string): Promise<string | undefined> {
    const hash = createHash('sha256');
    for (const bytes of state.flash) hash.update(bytes);
    const later = Object.keys(state.later)
      .sort()
      .map((k) => [k, state.later[k]]);
    hash.update(JSON.stringify({ model: state.modelState, step: state.step, later }));
    const key = hash.digest('hex');
    const first = this.seen.get(key);
    if (first === undefined) this.seen.set(key, caseId);
    return first;
  }
}
