import { formatDuration, parseDuration } from '../core/duration.js';
import { seededRandom } from '../core/seededRandom.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { CaseResult } from '../report/CaseResult.js';
import { caseId, type CaseSpec } from '../scenario/cases.js';

export const DEFAULT_MAX_CASES = 200;
/** Fixed, so an `--until-coverage` run draws the same points every time and any of them replays by its id. */
const DRAW_SEED = 1;
const DRAW_TRIES = 100;

type Draw = (n: number) => string;

/** A parameter whose values are all numbers (or all durations) is drawn at random between its lowest and highest. */
function drawFor(values: string[], random: () => number): Draw {
  const ms = values.map((v) => parseDuration(v));
  const plain = values.map((v) => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : undefined));
  const numbers = plain.every((n) => n !== undefined)
    ? { n: plain as number[], render: String }
    : ms.every((n) => n !== undefined)
      ? { n: ms as number[], render: formatDuration }
      : undefined;
  if (numbers) {
    const lo = Math.min(...numbers.n);
    const hi = Math.max(...numbers.n);
    // Whole units, like `{random: …}` points: a replayed point must be exactly the one that ran.
    if (hi > lo) return () => numbers.render(Math.round(lo + random() * (hi - lo)));
  }
  return (n) => values[n % values.length]!;
}

/**
 * `--until-coverage`: after the planned cases, more cases (new seeded random points within each parameter's
 * bounds, or the listed values again) until every state the model marks `cuttable` has had a cut in it, or the
 * scenario has run `maxCases` cases.
 */
export class CoverageSweep {
  private readonly draws: Record<string, Draw>;
  private readonly issued = new Map<string, number>();
  private drawn = 0;

  constructor(
    private readonly scenario: Scenario,
    planned: readonly CaseSpec[],
    private readonly cuttable: readonly string[],
    private readonly maxCases: number = DEFAULT_MAX_CASES,
  ) {
    const random = seededRandom(DRAW_SEED);
    this.draws = Object.fromEntries(Object.entries(scenario.params).map(([k, values]) => [k, drawFor(values, random)]));
    for (const spec of planned)
      this.issued.set(caseId(scenario.name, spec.params), (this.issued.get(caseId(scenario.name, spec.params)) ?? 0) + 1);
  }

  /** Cuttable states that no finished case of this scenario has cut in (a cut inside a cuttable state counts for it). */
  uncut(done: readonly CaseResult[]): string[] {
    const cutStates = done.filter((c) => c.scenario === this.scenario.name).flatMap((c) => (c.cuts ?? []).map((cut) => cut.state));
    return this.cuttable.filter((s) => !cutStates.some((c) => c === s || c.startsWith(`${s}.`)));
  }

  /** The next case to run, or undefined once every cuttable state was cut in or the cap is reached. */
  next(done: readonly CaseResult[]): CaseSpec | undefined {
    const total = [...this.issued.values()].reduce((a, b) => a + b, 0);
    if (total >= this.maxCases || this.uncut(done).length === 0) return undefined;
    let params: Record<string, string> = {};
    let id = '';
    for (let i = 0; i < DRAW_TRIES; i++) {
      params = Object.fromEntries(Object.entries(this.draws).map(([k, draw]) => [k, draw(this.drawn)]));
      this.drawn++;
      id = caseId(this.scenario.name, params);
      if (!this.issued.has(id)) break;
    }
    // Every point drawn already ran (a list of values, a narrow range): run one again as a numbered repeat.
    const times = (this.issued.get(id) ?? 0) + 1;
    this.issued.set(id, times);
    const repeat = times > 1 ? times : undefined;
    return { id: caseId(this.scenario.name, params, repeat), params, repeat };
  }
}
