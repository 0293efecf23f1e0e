import { describe, expect, it } from '@jest/globals';
import { Timeline } from '../../src/core/Timeline.js';

describe('Timeline.continueFrom', () => {
  it('reads the time given and goes on from it', () => {
    const timeline = new Timeline();
    timeline.continueFrom(5_000);
    expect(timeline.now()).toBeGreaterThanOrEqual(5_000);
    expect(timeline.now()).toBeLessThan(5_500);
  });
});
