import { coverageCounts, type ScenarioCoverage } from './coverage.js';

/**
 * The run's coverage as text, one block per scenario: a heading with the counts, then state | cuts | visited
 * (visited = cases that entered the state). Cuttable states carry a `*`.
 */
export function coverageTable(c: ScenarioCoverage): string[] {
  const counts = coverageCounts(c);
  const cuttable = c.states.some((s) => s.cuttable);
  const heading = `coverage of ${c.scenario} over ${c.cases} case${c.cases === 1 ? '' : 's'}: ${counts.visited} states visited, ${counts.transitions} transitions seen`;
  const lines = [
    cuttable ? `${heading}, ${counts.cuttable} cuttable states cut${c.uncut.length ? ` (not yet: ${c.uncut.join(', ')})` : ''}` : heading,
  ];
  const names = c.states.map((s) => `${s.state}${s.cuttable ? ' *' : ''}`);
  const width = Math.max('state'.length, ...names.map((n) => n.length));
  const row = (state: string, cuts: string, visited: string) => `  ${state.padEnd(width)}  ${cuts.padStart(5)}  ${visited.padStart(7)}`;
  lines.push(row('state', 'cuts', 'visited'));
  c.states.forEach((s, i) => lines.push(row(names[i]!, String(s.cuts), String(s.visited))));
  if (cuttable) lines.push('  (* cuttable)');
  return lines;
}
