/**
 * `hil/vitest`: the rig fixture for vitest. In a test file:
 *
 *     const board = useRig('virtual', { model: 'rollback-powerfail' });
 *     test('rolls back', async () => { await board().power.on(); ... });
 *
 * The rig is leased for the file, each test is a case under reports/ (docs/api.md).
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Board } from './api/Board.js';
import { rigFixture, type UseRigOptions } from './testing/rigFixture.js';

export type { UseRigOptions } from './testing/rigFixture.js';

/**
 * Leases the rig `ref` (a name such as `virtual`, or a path) for this test file and gives each test its own
 * board: `board()` inside a test. Call at the top of the file or of a describe block.
 */
export function useRig(ref: string, options: UseRigOptions = {}): () => Board {
  return rigFixture(ref, options, {
    beforeAll: (fn, timeout) => beforeAll(fn, timeout),
    afterAll: (fn, timeout) => afterAll(fn, timeout),
    beforeEach: (fn, timeout) => beforeEach(fn, timeout),
    // vitest marks the test failed, with its errors, before its afterEach hooks run.
    afterEach: (fn, timeout) =>
      afterEach((context) => fn(context.task.result?.state === 'fail' ? [...(context.task.result.errors ?? [])] : []), timeout),
    currentTest: () => {
      const state = expect.getState();
      return { name: state.currentTestName ?? 'test', file: state.testPath };
    },
  });
}
