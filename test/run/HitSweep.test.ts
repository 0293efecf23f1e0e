import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Scenario } from '../../src/scenario/Scenario.js';
import { ConfigError } from '../../src/core/errors.js';
import { expandCases } from '../../src/scenario/cases.js';
import { HitSweep } from '../../src/run/HitSweep.js';
import { HITS_SEEN, MISSED_HIT, MISSED_SWEEP } from '../../src/steps/codeCut.js';
import { PRUNED_AT } from '../../src/run/ExploredStates.js';
import { sampledHits } from '../../src/scenario/hitSample.js';
import { caseResult } from '../helpers/results.js';

function scenario(hit: string, params = ''): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'hil-hits-'));
  const file = join(dir, 'hits.yaml');
  writeFileSync(
    file,
    [
      'name: hits',
      ...(params ? [`params: ${params}`] : []),
      'steps:',
      `  - cut: { at: { symbol: flash_program_word, hit: ${hit} } }`,
      'expect: { model: { initial: a, states: { a: {} } } }',
    ].join('\n'),
  );
  return loadScenario(file);
}

function sweepOf(s: Scenario): HitSweep {
  return new HitSweep({ ...s, hitSweep: s.hitSweep! }, expandCases(s));
}

/** A finished case at `hit`: passed, or failed because the breakpoint was never reached (the probe counted `seen` calls, if it can). */
const ran = (hit: number, missed = false, seen?: number) =>
  caseResult({
    id: `hits[hit=${hit}]`,
    scenario: 'hits',
    params: { hit: String(hit) },
    status: missed ? 'fail' : 'pass',
    properties: missed ? { [MISSED_HIT]: String(hit), ...(seen === undefined ? {} : { [HITS_SEEN]: String(seen) }) } : {},
  });

/**
 * Runs a sweep against firmware that calls the function `count` times, `jobs` cases at once (the oldest case
 * ends first): the hits that were cut at, and the cases that ended the sweep.
 */
function simulate(sweep: HitSweep, count: number, jobs: number) {
  const running: number[] = [1];
  const cut: number[] = [];
  const ends: number[] = [];
  for (;;) {
    while (running.length < jobs) {
      const spec = sweep.next();
      if (!spec) break;
      running.push(Number(spec.params['hit']));
    }
    const hit = running.shift();
    if (hit === undefined) break;
    const result = ran(hit, hit > count, count);
    sweep.settle(result);
    if (result.status === 'pass') cut.push(hit);
    else ends.push(hit);
    const spec = running.length < jobs ? sweep.next() : undefined;
    if (spec) running.push(Number(spec.params['hit']));
  }
  return { cut: cut.sort((a, b) => a - b), ends };
}

describe('cut at: { hit: all | { every: N } }', () => {
  it('loads as a sweep over the parameter hit, starting at 1', () => {
    const all = scenario('all');
    expect(all.hitSweep).toEqual({ param: 'hit', every: 1, edges: 4 });
    expect(expandCases(all).map((c) => c.id)).toEqual(['hits[hit=1]']);
    // By default the first and last 4 hits are in the sample too.
    expect(scenario('{ every: 64 }').hitSweep).toEqual({ param: 'hit', every: 64, edges: 4 });
    expect(scenario('{ every: 64, edges: 0 }').hitSweep).toEqual({ param: 'hit', every: 64, edges: 0 });
    expect(scenario('{ every: 64, edges: 8 }').hitSweep).toEqual({ param: 'hit', every: 64, edges: 8 });
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
    expect(bad?.split('\n')).toEqual([
      expect.stringMatching(/hits\.yaml:3:\d+ steps\[0\]\.cut\.at\.hit: every takes a whole number of hits, 1 or more$/),
    ]);
    const refusal = (hit: string) => {
      try {
        scenario(hit);
      } catch (err) {
        return (err as Error).message.split('\n');
      }
    };
    expect(refusal('{ every: 16, edges: -1 }')).toEqual([
      expect.stringMatching(/hits\.yaml:3:\d+ steps\[0\]\.cut\.at\.hit: edges takes a whole number of hits, 0 or more$/),
    ]);
    expect(refusal('{ every: 16, edges: two }')).toEqual([
      expect.stringMatching(/steps\[0\]\.cut\.at\.hit: edges takes a whole number of hits, 0 or more$/),
    ]);
    expect(refusal('{ every: 16, edge: 4 }')).toEqual([
      expect.stringMatching(/steps\[0\]\.cut\.at\.hit: hit takes \{ every: N, edges: K \}, not edge$/),
    ]);
    expect(refusal('{ edges: 4 }')).toEqual([
      expect.stringMatching(/steps\[0\]\.cut\.at\.hit: every takes a whole number of hits, 1 or more$/),
    ]);
    expect(() => scenario('all', '{ hit: [1, 2] }')).toThrow(ConfigError);
    expect(() => scenario('all', '{ hit: [1, 2] }')).toThrow(/sweeps through the parameter "hit", which params already defines/);
  });

  it('goes on 1, 1+N, 1+2N ... until a case finds no such hit, which ends the sweep as a skip', () => {
    const sweep = sweepOf(scenario('{ every: 200, edges: 0 }'));
    // Passed points end nothing.
    expect(sweep.settle(ran(1))).toBe(false);
    expect(sweep.next()?.id).toBe('hits[hit=201]');
    expect(sweep.settle(ran(201))).toBe(false);
    expect(sweep.next()?.id).toBe('hits[hit=401]');
    // Another job already took 601 and 801 before 601 came back empty.
    expect(sweep.next()?.id).toBe('hits[hit=601]');
    expect(sweep.next()?.id).toBe('hits[hit=801]');
    const end = ran(601, true, 553);
    expect(sweep.settle(end)).toBe(true);
    expect(end).toMatchObject({ status: 'skipped', message: 'end of the sweep: no hit 601 (the firmware made 553 calls)' });
    expect(sweep.next()).toBeUndefined();
    const past = ran(801, true, 553);
    expect(sweep.settle(past)).toBe(true);
    expect(past.status).toBe('skipped');
  });

  it('with edges: the first K, every N-th, then, once a case past the end told the count, the last K', () => {
    const sweep = sweepOf(scenario('{ every: 200 }'));
    const ids = () => Array.from({ length: 6 }, () => sweep.next()?.id);
    expect(ids()).toEqual(['hits[hit=2]', 'hits[hit=3]', 'hits[hit=4]', 'hits[hit=201]', 'hits[hit=401]', 'hits[hit=601]']);
    expect(sweep.settle(ran(601, true, 553))).toBe(true);
    // Named by hit number, as any other point: 'hits[hit=553]' replays with --case.
    expect(ids()).toEqual(['hits[hit=550]', 'hits[hit=551]', 'hits[hit=552]', 'hits[hit=553]', undefined, undefined]);
  });

  it.each([
    [553, 16, 4],
    [553, 64, 4],
    [553, 1000, 4],
    [553, 1000, 0],
    [553, 1, 4],
    [17, 16, 4],
    [12, 2, 4],
    [7, 16, 4],
    [1, 16, 4],
    [2, 1, 4],
  ])('count %i, every %i, edges %i: one job or two cut at exactly the sample, each hit once', (count, every, edges) => {
    for (const jobs of [1, 2]) {
      const { cut, ends } = simulate(sweepOf(scenario(`{ every: ${every}, edges: ${edges} }`)), count, jobs);
      expect(cut).toEqual(sampledHits(count, every, edges));
      expect(ends.length).toBeGreaterThanOrEqual(1);
      expect(ends.every((hit) => hit > count)).toBe(true);
    }
  });

  it('a probe that cannot count: the sweep still ends, without the last hits', () => {
    const sweep = sweepOf(scenario('{ every: 200 }'));
    for (let i = 0; i < 5; i++) sweep.next();
    const end = ran(401, true);
    expect(sweep.settle(end)).toBe(true);
    expect(end.message).toBe('end of the sweep: no hit 401 (the firmware made fewer calls)');
    expect(sweep.next()).toBeUndefined();
  });

  it('a first hit that never comes is a failure, not the end of a sweep', () => {
    const sweep = sweepOf(scenario('all'));
    const first = ran(1, true);
    expect(sweep.settle(first)).toBe(false);
    expect(first.status).toBe('fail');
    // Counted: no call at all is a failure whatever the hit (the first edges run at once on several jobs).
    const never = ran(3, true, 0);
    expect(sweep.settle(never)).toBe(false);
    expect(never.status).toBe('fail');
    // A case that failed for another reason is the board's failure whatever its hit.
    const other = caseResult({ id: 'hits[hit=2]', scenario: 'hits', status: 'fail', properties: {} });
    expect(sweep.settle(other)).toBe(false);
    expect(other.status).toBe('fail');
  });

  it('with other parameters (a fault model and its seed), each hit runs every combination the run planned', () => {
    const s = scenario('{ every: 100, edges: 1 }', '{ fault: [torn-word, after-op], seed: [1, 2] }');
    const planned = expandCases(s, { overrides: { seed: '2' } });
    expect(planned.map((c) => c.id)).toEqual(['hits[fault=torn-word,seed=2,hit=1]', 'hits[fault=after-op,seed=2,hit=1]']);
    const sweep = new HitSweep({ ...s, hitSweep: s.hitSweep! }, planned);
    expect([sweep.next(), sweep.next(), sweep.next()].map((c) => c?.id)).toEqual([
      'hits[fault=torn-word,seed=2,hit=101]',
      'hits[fault=after-op,seed=2,hit=101]',
      'hits[fault=torn-word,seed=2,hit=201]',
    ]);
  });

  it('a second sweeping cut sweeps hit2 within each hit of the first, depth first, each level finding its own end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-hits-'));
    const file = join(dir, 'double.yaml');
    writeFileSync(
      file,
      [
        'name: double',
        'steps:',
        '  - cut: { at: { symbol: flash_program_word, hit: { every: 10, edges: 1 } } }',
        '  - cut: { at: { symbol: flash_program_word, hit: { every: 10, edges: 1 } } }',
        'expect: { model: { initial: a, states: { a: {} } } }',
      ].join('\n'),
    );
    const s = loadScenario(file);
    expect(s.hitSweeps.map((l) => l.param)).toEqual(['hit', 'hit2']);
    expect(s.params).toEqual({ hit: ['1'], hit2: ['1'] });
    const planned = expandCases(s);
    expect(planned.map((c) => c.id)).toEqual(['double[hit=1,hit2=1]']);
    const sweep = new HitSweep({ ...s, hitSweep: s.hitSweep! }, planned);
    // The first cut's function is called 15 times, the recovery's 12 times: the sweep finds both ends.
    const ids: string[] = [];
    for (let spec = sweep.next(); spec; spec = sweep.next()) {
      ids.push(spec.id);
      const hit = Number(spec.params['hit']);
      const hit2 = Number(spec.params['hit2']);
      const missed = hit > 15 ? { sweep: 'hit', seen: 15, at: hit } : hit2 > 12 ? { sweep: 'hit2', seen: 12, at: hit2 } : undefined;
      const result = caseResult({
        id: spec.id,
        scenario: 'double',
        params: spec.params,
        status: missed ? 'fail' : 'pass',
        properties: missed ? { [MISSED_HIT]: String(missed.at), [HITS_SEEN]: String(missed.seen), [MISSED_SWEEP]: missed.sweep } : {},
      });
      expect(sweep.settle(result)).toBe(missed !== undefined);
      if (missed) expect(result.message).toMatch(/^end of the sweep/);
      expect(ids.length).toBeLessThan(100);
    }
    // Below hit 1: hit2 2 (1 was planned), 11, 21 (past 12: the end), then the last, 12.
    expect(ids.slice(0, 4)).toEqual(['double[hit=1,hit2=11]', 'double[hit=1,hit2=21]', 'double[hit=1,hit2=12]', 'double[hit=11,hit2=1]']);
    const firstHits = [...new Set(ids.map((id) => Number(/hit=(\d+)/.exec(id)![1])))];
    expect(firstHits).toEqual([1, 11, 21, 15]);
  });

  it('a case pruned at the first cut closes what the sweep would have run below it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-hits-'));
    const file = join(dir, 'double.yaml');
    writeFileSync(
      file,
      [
        'name: double',
        'steps:',
        '  - cut: { at: { symbol: f, hit: all } }',
        '  - cut: { at: { symbol: f, hit: all } }',
        'expect: { model: { initial: a, states: { a: {} } } }',
      ].join('\n'),
    );
    const s = loadScenario(file);
    const sweep = new HitSweep({ ...s, hitSweep: s.hitSweep! }, expandCases(s));
    expect(sweep.next()?.id).toBe('double[hit=1,hit2=2]');
    const pruned = caseResult({
      id: 'double[hit=1,hit2=2]',
      scenario: 'double',
      params: { hit: '1', hit2: '2' },
      status: 'skipped',
      properties: { [PRUNED_AT]: 'hit' },
    });
    expect(sweep.settle(pruned)).toBe(false);
    expect(sweep.next()?.id).toBe('double[hit=2,hit2=1]');
  });

  it('more than three sweeping cuts are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-hits-'));
    const file = join(dir, 'four.yaml');
    writeFileSync(
      file,
      [
        'name: four',
        'steps:',
        ...Array(4).fill('  - cut: { at: { symbol: f, hit: all } }'),
        'expect: { model: { initial: a, states: { a: {} } } }',
      ].join('\n'),
    );
    expect(() => loadScenario(file)).toThrow(/sweeps the hits of 3 cut steps at most/);
  });
});
