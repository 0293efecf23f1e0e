import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/Scenario.js';
import { ConfigError } from '../../src/core/errors.js';
import { expandCases, generateCases } from '../../src/scenario/cases.js';
import { cpuMsSince } from '../helpers/cpuTime.js';

function scenario(params: string): ReturnType<typeof loadScenario> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-cases-'));
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'name: sweep',
      `params: ${params}`,
      'steps:',
      '  - power: on',
      "  - cut: { after: '${cut_after}' }",
      'expect: { model: { initial: a, states: { a: {} } } }',
    ].join('\n'),
  );
  return loadScenario(file);
}

describe('case expansion', () => {
  it('makes one case per list value, named by its parameters', () => {
    const ids = expandCases(scenario('{ cut_after: [20ms, 60ms, 120ms] }')).map((c) => c.id);
    expect(ids).toEqual(['sweep[cut_after=20ms]', 'sweep[cut_after=60ms]', 'sweep[cut_after=120ms]']);
  });

  it('takes the cartesian product of several parameters, in file order', () => {
    const cases = expandCases(scenario('{ cut_after: [20ms, 60ms], board: [a, b, c] }'));
    expect(cases).toHaveLength(6);
    expect(cases[0]!.id).toBe('sweep[cut_after=20ms,board=a]');
    expect(cases[5]!.params).toEqual({ cut_after: '60ms', board: 'c' });
  });

  it('expands a range, keeping the unit', () => {
    const ids = expandCases(scenario('{ cut_after: { from: 0ms, to: 40ms, step: 10ms } }')).map((c) => c.params['cut_after']);
    expect(ids).toEqual(['0ms', '10ms', '20ms', '30ms', '40ms']);
  });

  it('draws the same seeded random points every time, inside the bounds', () => {
    const a = expandCases(scenario('{ cut_after: { random: 20, seed: 7, within: [0ms, 400ms] } }')).map((c) => c.params['cut_after']!);
    const b = expandCases(scenario('{ cut_after: { random: 20, seed: 7, within: [0ms, 400ms] } }')).map((c) => c.params['cut_after']!);
    const c = expandCases(scenario('{ cut_after: { random: 20, seed: 8, within: [0ms, 400ms] } }')).map((x) => x.params['cut_after']!);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const point of a) expect(parseFloat(point)).toBeGreaterThanOrEqual(0);
    for (const point of a) expect(parseFloat(point)).toBeLessThanOrEqual(400);
  });

  it('--param fixes a value or sweeps a comma list', () => {
    const s = scenario('{ cut_after: [20ms, 60ms] }');
    expect(expandCases(s, { overrides: { cut_after: '75ms' } }).map((c) => c.id)).toEqual(['sweep[cut_after=75ms]']);
    expect(expandCases(s, { overrides: { cut_after: '1ms, 2ms' } })).toHaveLength(2);
    expect(() => expandCases(s, { overrides: { cut_aftr: '1ms' } })).toThrow(/did you mean "cut_after"/);
  });

  it('--repeat numbers each repetition', () => {
    const ids = expandCases(scenario('{ cut_after: [20ms] }'), { repeat: 3 }).map((c) => c.id);
    expect(ids).toEqual(['sweep[cut_after=20ms]#1', 'sweep[cut_after=20ms]#2', 'sweep[cut_after=20ms]#3']);
  });

  it("--case picks one case, or rebuilds a point that is not in today's sweep", () => {
    const s = scenario('{ cut_after: [20ms, 60ms] }');
    expect(expandCases(s, { only: ['sweep[cut_after=60ms]'] }).map((c) => c.params)).toEqual([{ cut_after: '60ms' }]);
    expect(expandCases(s, { only: ['sweep[cut_after=130ms]'] }).map((c) => c.params)).toEqual([{ cut_after: '130ms' }]);
    expect(() => expandCases(s, { only: ['other[cut_after=1ms]'] })).toThrow(ConfigError);
  });

  it('refuses more than 100,000 cases at load, counting them as a product, with the file, line and count', () => {
    const started = process.cpuUsage();
    expect(() =>
      scenario(
        '{ a: { from: 1, to: 1000, step: 1 }, b: { from: 1, to: 1000, step: 1 }, c: { from: 1, to: 1000, step: 1 }, d: { from: 1, to: 1000, step: 1 }, e: { from: 1, to: 1000, step: 1 } }',
      ),
    ).toThrow(
      /sweep\.yaml:2:1 params: the parameters make 1000000000000000 cases \(1000 a x 1000 b x 1000 c x 1000 d x 1000 e\); the limit is 100000/,
    );
    expect(cpuMsSince(started)).toBeLessThan(2_000);
    expect(() => scenario('{ cut_after: { from: 1ms, to: 1000ms, step: 1ms }, b: { from: 1, to: 100, step: 1 } }')).not.toThrow();
  });

  it('refuses a run that --param or --repeat takes past 100,000 cases', () => {
    const s = scenario('{ cut_after: { from: 1ms, to: 1000ms, step: 1ms }, board: [a] }');
    expect(() => expandCases(s, { repeat: 101 })).toThrow(
      /params: the run would make 101000 cases \(1000 cut_after x 1 board x 101 repeats\); the limit is 100000/,
    );
    expect(() => expandCases(s, { overrides: { board: Array.from({ length: 101 }, (_, i) => `b${i}`).join(',') } })).toThrow(
      /101000 cases/,
    );
    expect(expandCases(s, { repeat: 100 })).toHaveLength(100_000);
  });
});

describe('generateCases', () => {
  it('yields the product in file order, last parameter fastest', () => {
    const ids = Array.from(generateCases('s', { a: ['1', '2'], b: ['x', 'y', 'z'] }), (c) => c.id);
    expect(ids).toEqual(['s[a=1,b=x]', 's[a=1,b=y]', 's[a=1,b=z]', 's[a=2,b=x]', 's[a=2,b=y]', 's[a=2,b=z]']);
    expect(Array.from(generateCases('s', { a: ['1'], b: [] }))).toEqual([]);
    expect(Array.from(generateCases('s', {}), (c) => c.id)).toEqual(['s']);
  });

  it('builds a case only when asked for it', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => String(i));
    const cases = generateCases('s', { a: many, b: many, c: many });
    expect(cases.next().value!.id).toBe('s[a=0,b=0,c=0]');
    expect(cases.next().value!.id).toBe('s[a=0,b=0,c=1]');
  });
});
