import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Scenario } from '../../src/config/Scenario.js';
import { ConfigError } from '../../src/errors.js';
import { expandCases } from '../../src/run/cases.js';
import { HitSweep, MISSED_HIT } from '../../src/run/HitSweep.js';
import { caseResult } from '../report/fixtures.js';

function scenario(hit: string, params = ''): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'hil-hits-'));
  const file = join(dir, 'hits.yaml');
  writeFileSync(
    file,
    ['name: hits', ...(params ? [`params: ${params}`] : []), 'steps:', `  - cut: { at: { symbol: flash_program_word, hit: ${hit} } }`, 'expect: { model: { initial: a, states: { a: {} } } }'].join('\n'),
  );
  return loadScenario(file);
}

function sweepOf(s: Scenario): HitSweep {
  return new HitSweep({ ...s, hitSweep: s.hitSweep! }, expandCases(s));
}

/** A finished case at `hit`: passed, or failed because the breakpoint was never reached. */
const ran = (hit: number, missed = false) =>
  caseResult({ id: `hits[hit=${hit}]`, scenario: 'hits', status: missed ? 'fail' : 'pass', properties: missed ? { [MISSED_HIT]: String(hit) } : {} });

describe('cut at: { hit: all | { every: N } }', () => {
  it('loads as a sweep over the parameter hit, starting at 1', () => {
    const all = scenario('all');
    expect(all.hitSweep).toEqual({ param: 'hit', every: 1 });
    expect(expandCases(all).map((c) => c.id)).toEqual(['hits[hit=1]']);
    expect(scenario('{ every: 64 }').hitSweep).toEqual({ param: 'hit', every: 64 });
    expect(scenario('7').hitSweep).toBeUndefined();
  });

  it('refuses a bad step, or a parameter hit already defined, naming the field', () => {
    const bad = (() => {
      try {
        scenario('{ every: 0 }');
      } catch (err) {
        return (err as Error).message;
      }
    })();
    // One message, located at the field.
    expect(bad?.split('\n')).toEqual([expect.stringMatching(/hits\.yaml:3:\d+ steps\[0\]\.cut\.at\.hit: every takes a whole number of hits, 1 or more$/)]);
    expect(() => scenario('all', '{ hit: [1, 2] }')).toThrow(ConfigError);
    expect(() => scenario('all', '{ hit: [1, 2] }')).toThrow(/sweeps through the parameter "hit", which params already defines/);
  });

  it('goes on 1, 1+N, 1+2N ... until a case finds no such hit, which ends the sweep as a skip', () => {
    const sweep = sweepOf(scenario('{ every: 200 }'));
    // Passed points end nothing.
    expect(sweep.settle(ran(1))).toBe(false);
    expect(sweep.next()?.id).toBe('hits[hit=201]');
    expect(sweep.settle(ran(201))).toBe(false);
    expect(sweep.next()?.id).toBe('hits[hit=401]');
    // Another job already took 601 and 801 before 601 came back empty.
    expect(sweep.next()?.id).toBe('hits[hit=601]');
    expect(sweep.next()?.id).toBe('hits[hit=801]');
    const end = ran(601, true);
    expect(sweep.settle(end)).toBe(true);
    expect(end).toMatchObject({ status: 'skipped', message: 'end of the sweep: no hit 601 (the firmware made fewer calls)' });
    expect(sweep.next()).toBeUndefined();
    const past = ran(801, true);
    expect(sweep.settle(past)).toBe(true);
    expect(past.status).toBe('skipped');
  });

  it('a first hit that never comes is a failure, not the end of a sweep', () => {
    const sweep = sweepOf(scenario('all'));
    const first = ran(1, true);
    expect(sweep.settle(first)).toBe(false);
    expect(first.status).toBe('fail');
    // A case that failed for another reason is the board's failure whatever its hit.
    const other = caseResult({ id: 'hits[hit=2]', scenario: 'hits', status: 'fail', properties: {} });
    expect(sweep.settle(other)).toBe(false);
    expect(other.status).toBe('fail');
  });
});
