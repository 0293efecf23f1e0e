import { describe, expect, it } from '@jest/globals';
import { lastHits, nextSampledHit, sampledHits } from '../../src/scenario/hitSample.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('which hits a sample of { every: N, edges: K } cuts at', () => {
  it('every N-th from 1, plus the first and last K (the factory copy: 553 words, every 64)', () => {
    expect(sampledHits(553, 64, 4)).toEqual([1, 2, 3, 4, 65, 129, 193, 257, 321, 385, 449, 513, 550, 551, 552, 553]);
    // Without edges: the plain every-N-th sample, which never cuts in the header words written last.
    expect(sampledHits(553, 64, 0)).toEqual([1, 65, 129, 193, 257, 321, 385, 449, 513]);
  });

  it('edges that overlap the every-N-th points are cut once, ascending', () => {
    // 17 = 1 + 16 is both an every-16th point and one of the last 4 of 17.
    expect(sampledHits(17, 16, 4)).toEqual([1, 2, 3, 4, 14, 15, 16, 17]);
    // N smaller than K: the first K run together with the every-N-th points.
    expect(sampledHits(12, 2, 4)).toEqual([1, 2, 3, 4, 5, 7, 9, 10, 11, 12]);
    expect(sampledHits(10, 1, 4)).toEqual(range(1, 10));
  });

  it('fewer than 2K hits: every hit, each once', () => {
    expect(sampledHits(7, 16, 4)).toEqual(range(1, 7));
    expect(sampledHits(8, 100, 4)).toEqual(range(1, 8));
    expect(sampledHits(9, 100, 4)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it('one hit, or none', () => {
    expect(sampledHits(1, 16, 4)).toEqual([1]);
    expect(sampledHits(1, 1, 0)).toEqual([1]);
    expect(sampledHits(0, 16, 4)).toEqual([]);
  });

  it('N larger than the count: the edges only (hit 1 alone without them)', () => {
    expect(sampledHits(553, 1000, 4)).toEqual([1, 2, 3, 4, 550, 551, 552, 553]);
    expect(sampledHits(553, 1000, 0)).toEqual([1]);
  });

  it('before the count is known the points run 1..K, then each 1 + k·N after', () => {
    const points: number[] = [];
    for (let hit = 1; hit < 60; hit = nextSampledHit(hit, 16, 4)) points.push(hit);
    expect(points).toEqual([1, 2, 3, 4, 17, 33, 49]);
    expect(nextSampledHit(1, 16, 0)).toBe(17);
    expect(nextSampledHit(5, 2, 4)).toBe(7);
  });

  it('the last K of a count, never below hit 1', () => {
    expect(lastHits(553, 4)).toEqual([550, 551, 552, 553]);
    expect(lastHits(2, 4)).toEqual([1, 2]);
    expect(lastHits(553, 0)).toEqual([]);
    expect(lastHits(0, 4)).toEqual([]);
  });
});
