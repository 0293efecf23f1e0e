/**
 * `hil/jest`: the rig fixture for jest. In a test file:
 *
 *     const board = useRig('virtual', { model: 'rollback-powerfail' });
 *     test('rolls back', async () => { await board().power.on(); ... });
 *
 * The rig is leased for the file, each test is a case under reports/ (docs/api.md).
 */
import type { Board } from './api/Board.js';
import { rigFixture, type UseRigOptions } from './testing/rigFixture.js';

export type { UseRigOptions } from './testing/rigFixture.js';

type Hook = (fn: () => Promise<void>, timeout?: number) => void;

interface JestGlobals {
  beforeAll: Hook;
  afterAll: Hook;
  beforeEach: Hook;
  afterEach: Hook;
  expect: { getState(): { currentTestName?: string; testPath?: string } };
}

/** jest-circus's state: the running test and the errors it threw, which jest hands no afterEach hook. */
function runningTestErrors(): unknown[] | undefined {
  const key = Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'JEST_STATE_SYMBOL');
  const state = key && ((globalThis as Record<symbol, unknown>)[key] as { currentlyRunningTest?: { errors?: unknown[] } } | undefined);
  const errors = state?.currentlyRunningTest?.errors;
  // jest-circus keeps a failed test function's error with the stack of the call that started it: [error, asyncError].
  return errors?.map((e) => (Array.isArray(e) ? (e[0] as unknown) : e));
}

/**
 * Leases the rig `ref` (a name such as `virtual`, or a path) for this test file and gives each test its own
 * board: `board()` inside a test. Call at the top of the file or of a describe block.
 */
export function useRig(ref: string, options: UseRigOptions = {}): () => Board {
  const g = globalThis as unknown as Partial<JestGlobals>;
  if (!g.beforeAll || !g.afterAll || !g.beforeEach || !g.afterEach || !g.expect)
    throw new Error('hil/jest: useRig needs jest and its globals (beforeAll, afterEach, expect; injectGlobals must stay on)');
  const jest = g as JestGlobals;
  return rigFixture(ref, options, {
    beforeAll: jest.beforeAll,
    afterAll: jest.afterAll,
    beforeEach: jest.beforeEach,
    afterEach: (fn, timeout) => jest.afterEach(() => fn(runningTestErrors()), timeout),
    currentTest: () => {
      const state = jest.expect.getState();
      return { name: state.currentTestName ?? 'test', file: state.testPath };
    },
  });
}
