import type { CaseResult } from './CaseResult.js';

interface StateCoverage {
  /** Dotted path in the model. */
  state: string;
  cuttable: boolean;
  /** Cuts issued while the model was in this state or a state inside it. */
  cuts: number;
  /** Cases that entered it at least once. */
  visited: number;
}

interface TransitionCoverage {
  from: string;
  event: string;
  to: string;
  when?: string;
  /** Times taken over the run. */
  count: number;
  /** Cases that took it at least once. */
  cases: number;
}

/** One scenario's model coverage over a run: where power was cut, which states and transitions were seen. */
export interface ScenarioCoverage {
  scenario: string;
  /** Cases that reported coverage (a case that never built its model has none). */
  cases: number;
  states: StateCoverage[];
  transitions: TransitionCoverage[];
  /** Cuttable states no cut has landed in yet. */
  uncut: string[];
}

const inside = (state: string, of: string) => state === of || state.startsWith(`${of}.`);

function scenarioCoverage(scenario: string, cases: readonly CaseResult[]): ScenarioCoverage | undefined {
  const covered = cases.filter((c) => c.scenario === scenario && c.coverage);
  const model = covered[0]?.coverage;
  if (!model) return undefined;
  const cuttable = new Set(model.cuttable ?? []);
  const cutStates = covered.flatMap((c) => (c.cuts ?? []).map((cut) => cut.state));
  const states = model.states.map((state) => ({
    state,
    cuttable: cuttable.has(state),
    cuts: cutStates.filter((s) => inside(s, state)).length,
    visited: covered.filter((c) => c.coverage!.visited.includes(state)).length,
  }));
  // Every case of a scenario runs the same model, so its transitions line up by position.
  const transitions = model.transitions.map((t, i) => {
    const counts = covered.map((c) => c.coverage!.transitions[i]?.count ?? 0);
    const entry: TransitionCoverage = {
      from: t.from,
      event: t.event,
      to: t.to,
      count: counts.reduce((a, b) => a + b, 0),
      cases: counts.filter((n) => n > 0).length,
    };
    if (t.when) entry.when = t.when;
    return entry;
  });
  return {
    scenario,
    cases: covered.length,
    states,
    transitions,
    uncut: states.filter((s) => s.cuttable && s.cuts === 0).map((s) => s.state),
  };
}

/** One entry per scenario, in the order the scenarios first appear among the cases. */
export function runCoverage(cases: readonly CaseResult[]): ScenarioCoverage[] {
  const scenarios = [...new Set(cases.map((c) => c.scenario))];
  return scenarios.map((s) => scenarioCoverage(s, cases)).filter((c): c is ScenarioCoverage => c !== undefined);
}

export function coverageCounts(c: ScenarioCoverage): { visited: string; transitions: string; cuttable: string } {
  const cuttable = c.states.filter((s) => s.cuttable);
  return {
    visited: `${c.states.filter((s) => s.visited > 0).length}/${c.states.length}`,
    transitions: `${c.transitions.filter((t) => t.count > 0).length}/${c.transitions.length}`,
    cuttable: `${cuttable.length - c.uncut.length}/${cuttable.length}`,
  };
}

/** JUnit testsuite properties: the counts, then `coverage.state.<path>` = `cuts=N visited=M[ cuttable]`. */
export function coverageProperties(c: ScenarioCoverage): Record<string, string> {
  const counts = coverageCounts(c);
  const props: Record<string, string> = {
    'coverage.states': counts.visited,
    'coverage.transitions': counts.transitions,
    'coverage.cuttable': counts.cuttable,
  };
  if (c.uncut.length) props['coverage.uncut'] = c.uncut.join(' ');
  for (const s of c.states) props[`coverage.state.${s.state}`] = `cuts=${s.cuts} visited=${s.visited}${s.cuttable ? ' cuttable' : ''}`;
  return props;
}
