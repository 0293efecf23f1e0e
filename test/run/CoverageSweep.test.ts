import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Scenario } from '../../src/scenario/Scenario.js';
import { parseDuration } from '../../src/core/duration.js';
import { expandCases } from '../../src/scenario/cases.js';
import { CoverageSweep } from '../../src/run/CoverageSweep.js';
import { caseResult } from '../helpers/results.js';

function scenario(params: string): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'hil-sweep-'));
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'name: sweep',
      `params: ${params}`,
      'steps:',
      "  - cut: { after: '${cut_after}' }",
      'expect: { model: { initial: a, states: { a: { cuttable: true } } } }',
    ].join('\n'),
  );
  return loadScenario(file);
}

const cutIn = (state: string) => caseResult({ scenario: 'sweep', cuts: [{ atMs: 1, lateMs: 0, actuationMs: 1, state }] });

describe('--until-coverage sweep', () => {
  const s = scenario('{ cut_after: [20ms, 60ms, 120ms] }');
  const planned = expandCases(s);

  it('draws new whole-millisecond points within the sweep bounds, never a planned one, the same every run', () => {
    const draw = () => {
      const sweep = new CoverageSweep(s, planned, ['a']);
      return Array.from({ length: 20 }, () => sweep.next([])!);
    };
    const points = draw();
    for (const p of points) {
      const ms = parseDuration(p.params.cut_after)!;
      expect(ms).toBeGreaterThanOrEqual(20);
      expect(ms).toBeLessThanOrEqual(120);
      expect(Number.isInteger(ms)).toBe(true);
      expect(p.id).toBe(`sweep[cut_after=${p.params.cut_after}]${p.repeat ? `#${p.repeat}` : ''}`);
    }
    for (const p of planned) expect(points.map((d) => d.id)).not.toContain(p.id);
    expect(new Set(points.map((p) => p.id)).size).toBe(points.length);
    expect(draw().map((p) => p.id)).toEqual(points.map((p) => p.id));
  });

  it('stops once every cuttable state had a cut in it (a cut in a child counts)', () => {
    const sweep = new CoverageSweep(s, planned, ['a']);
    expect(sweep.uncut([cutIn('b')])).toEqual(['a']);
    expect(sweep.next([cutIn('b')])).toBeDefined();
    expect(sweep.uncut([cutIn('a.inner')])).toEqual([]);
    expect(sweep.next([cutIn('b'), cutIn('a')])).toBeUndefined();
    expect(sweep.uncut([caseResult({ scenario: 'other', cuts: [{ atMs: 1, lateMs: 0, actuationMs: 1, state: 'a' }] })])).toEqual(['a']);
  });

  it('stops at the cap, planned cases included', () => {
    const sweep = new CoverageSweep(s, planned, ['a'], 5);
    expect([sweep.next([]), sweep.next([]), sweep.next([])].filter(Boolean)).toHaveLength(2);
  });

  it('runs the listed values again, as numbered repeats, when there is no range to draw from', () => {
    const one = scenario('{ cut_after: [30ms] }');
    const sweep = new CoverageSweep(one, expandCases(one), ['a']);
    expect([sweep.next([]), sweep.next([])].map((c) => c!.id)).toEqual(['sweep[cut_after=30ms]#2', 'sweep[cut_after=30ms]#3']);
  });
});
