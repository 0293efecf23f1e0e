import { describe, expect, it } from '@jest/globals';
import { runJobs } from '../../src/run/runJobs.js';
import { sleep } from '../../src/core/sleep.js';

describe('runJobs', () => {
  it('runs every item, never more than N at once, each worker on its own job number', async () => {
    const items = [30, 5, 5, 5, 20, 5];
    let running = 0;
    let peak = 0;
    const seen: Array<[number, number]> = [];
    await runJobs(
      2,
      () => items.shift(),
      async (ms, job) => {
        running++;
        peak = Math.max(peak, running);
        seen.push([ms, job]);
        await sleep(ms);
        running--;
      },
    );
    expect(peak).toBe(2);
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map(([, job]) => job))).toEqual(new Set([0, 1]));
    // The worker stuck on the 30 ms item does not hold up the others: job 1 takes the short ones meanwhile.
    expect(seen.filter(([, job]) => job === 1).length).toBeGreaterThanOrEqual(3);
  });

  it('asks for the next item only when a worker is free, so the answer can depend on results so far', async () => {
    const done: number[] = [];
    let n = 0;
    await runJobs(
      1,
      () => (done.length < 3 ? ++n : undefined),
      async (i) => {
        done.push(i);
      },
    );
    expect(done).toEqual([1, 2, 3]);
  });
});
