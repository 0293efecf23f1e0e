import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Scenario } from '../../src/scenario/Scenario.js';
import type { Coverage } from '../../src/expect/Expectation.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { coverageProperties, runCoverage } from '../../src/report/coverage.js';
import { coverageTable } from '../../src/report/coverageTable.js';
import { renderJunit } from '../../src/report/junit.js';
import type { CutMeasure } from '../../src/report/CaseResult.js';
import { Timeline } from '../../src/core/Timeline.js';
import { caseResult, runResult } from '../helpers/results.js';

function scenario(model: string): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'hil-coverage-'));
  const file = join(dir, 'cov.yaml');
  writeFileSync(file, ['name: cov', 'steps:', '  - power: on', 'expect:', "  patterns: { GO: 'go' }", `  model: ${model}`].join('\n'));
  return loadScenario(file);
}

const MODEL =
  '{ initial: off, on: { POWER_OFF: off }, states: { off: { on: { POWER_ON: boot } }, boot: { initial: a, cuttable: true, states: { a: { on: { GO: b } }, b: { on: { GO: "#done" } } } }, done: { id: done, cuttable: true } } }';

function coverage(visited: string[], taken: number[]): Coverage {
  const model = createExpectation(scenario(MODEL).expect, { timeline: new Timeline() });
  const base = model.coverage();
  model.stop();
  return { ...base, visited, transitions: base.transitions.map((t, i) => ({ ...t, count: taken[i] ?? 0 })) };
}

const cut = (state: string): CutMeasure => ({ atMs: 10, lateMs: 0.1, actuationMs: 1, state });

describe('cuttable states', () => {
  it('are listed by the model coverage, parents before children', () => {
    expect(coverage([], []).cuttable).toEqual(['boot', 'done']);
    expect(coverage([], []).states).toEqual(['off', 'boot', 'boot.a', 'boot.b', 'done']);
  });

  it('cuttable must be true or false', () => {
    expect(() => scenario('{ initial: a, states: { a: { cuttable: yes-please } } }')).toThrow(/cuttable is true or false/);
  });
});

describe('run coverage', () => {
  const cases = [
    caseResult({ coverage: coverage(['off', 'boot', 'boot.a'], [1, 0, 2]), cuts: [cut('boot.a')] }),
    caseResult({ coverage: coverage(['off', 'boot', 'boot.a', 'boot.b'], [1, 1, 0]), cuts: [cut('boot.b'), cut('off')] }),
    caseResult({ status: 'error', message: 'probe absent' }),
  ];

  it('counts cuts per state (a cut inside a state counts for it too), visits per case, transitions over the run', () => {
    const [cov] = runCoverage(cases);
    expect(cov!.cases).toBe(2);
    expect(cov!.states).toEqual([
      { state: 'off', cuttable: false, cuts: 1, visited: 2 },
      { state: 'boot', cuttable: true, cuts: 2, visited: 2 },
      { state: 'boot.a', cuttable: false, cuts: 1, visited: 2 },
      { state: 'boot.b', cuttable: false, cuts: 1, visited: 1 },
      { state: 'done', cuttable: true, cuts: 0, visited: 0 },
    ]);
    expect(cov!.uncut).toEqual(['done']);
    expect(cov!.transitions.slice(0, 3).map((t) => [t.count, t.cases])).toEqual([
      [2, 2],
      [1, 1],
      [2, 1],
    ]);
    expect(coverageProperties(cov!)).toMatchObject({
      'coverage.states': '4/5',
      'coverage.cuttable': '1/2',
      'coverage.uncut': 'done',
      'coverage.state.boot': 'cuts=2 visited=2 cuttable',
      'coverage.state.boot.b': 'cuts=1 visited=1',
    });
  });

  it('prints state | cuts | visited with cuttable states starred, and the uncut ones named', () => {
    const lines = coverageTable(runCoverage(cases)[0]!);
    expect(lines[0]).toMatch(
      /^coverage of rollback-powerfail over 2 cases: 4\/5 states visited, \d+\/\d+ transitions seen, 1\/2 cuttable states cut \(not yet: done\)$/,
    );
    expect(lines[1]).toMatch(/^ {2}state +cuts +visited$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}boot \* +2 +2$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}done \* +0 +0$/));
    expect(lines.at(-1)).toBe('  (* cuttable)');
  });

  it('goes into the JUnit testsuite properties', () => {
    const xml = renderJunit(runResult(cases, { coverage: runCoverage(cases) }));
    expect(xml).toContain('<property name="coverage.uncut" value="done"/>');
    expect(xml).toContain('<property name="coverage.state.boot" value="cuts=2 visited=2 cuttable"/>');
  });

  it('is empty for cases without a model', () => {
    expect(runCoverage([caseResult()])).toEqual([]);
  });
});
