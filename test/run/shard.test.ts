import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/core/errors.js';
import { parseShard, shardPlan, type PlannedScenario } from '../../src/run/Run.js';

const plan = (counts: number[]) =>
  counts.map((n, s) => ({
    scenario: { name: `s${s}` },
    rig: { name: `rig${s}` },
    cases: Array.from({ length: n }, (_, i) => ({ id: `s${s}[i=${i}]`, params: {}, repeat: 1 })),
  })) as unknown as PlannedScenario[];
const ids = (p: PlannedScenario[]) => p.flatMap((x) => x.cases.map((c) => c.id));

describe('--shard i/n', () => {
  it('splits the expanded cases into disjoint shards that cover them all and differ by at most one', () => {
    const all = ids(plan([5, 1, 4]));
    const shards = [1, 2, 3].map((index) => ids(shardPlan(plan([5, 1, 4]), { index, count: 3 })));
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(new Set(shards.flat()).size).toBe(all.length);
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(ids(shardPlan(plan([5, 1, 4]), { index: 2, count: 3 }))).toEqual(shards[1]); // stable
  });

  it('drops scenarios left without a case, so their rig is not leased', () => {
    const shard = shardPlan(plan([1, 1]), { index: 2, count: 2 });
    expect(shard.map((p) => p.rig.name)).toEqual(['rig1']);
  });

  it('parses i/n and rejects anything else as a usage error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow(ConfigError);
  });
});
