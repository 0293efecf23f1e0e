import { describe, expect, it, jest } from '@jest/globals';
import { CaseFailure } from '../../src/core/errors.js';
import { Timeline } from '../../src/core/Timeline.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { raceStep } from '../../src/run/raceStep.js';
import { expectationSpec } from '../helpers/expectationSpec.js';
import { forbidden, patterns, rollbackModel } from '../helpers/rollbackModel.js';

describe('raceStep', () => {
  it('ends a step that never finishes as soon as the model fails, with no timer firing', async () => {
    jest.useFakeTimers();
    try {
      const model = createExpectation(expectationSpec({ patterns, forbidden, model: rollbackModel() }), { timeline: new Timeline() });
      const abort = new AbortController();
      const work = new Promise<void>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error)));
      const race = raceStep(work, model, abort, new AbortController().signal, 60_000, 'step 1 (sleep)');
      let err: unknown = 'pending';
      race.then(
        () => (err = 'resolved'),
        (e: unknown) => (err = e),
      );
      model.feedLine({ t: 1, text: 'HardFault at 0x08001234', raw: Buffer.from('HardFault at 0x08001234\r\n') });
      // Only microtasks run here: the failure itself ends the race, not a poll.
      for (let i = 0; i < 50; i++) await Promise.resolve();
      expect(err).toBeInstanceOf(CaseFailure);
      expect((err as CaseFailure).message).toContain('forbidden line matched /HardFault/');
      expect(abort.signal.reason).toBe(err);
      model.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
