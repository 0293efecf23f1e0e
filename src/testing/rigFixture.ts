import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Board } from '../api/Board.js';
import { LeasedRig, type BoardOptions, type LeaseRigOptions } from '../api/LeasedRig.js';

export interface UseRigOptions extends Omit<LeaseRigOptions, 'label' | 'signal'>, Omit<BoardOptions, 'errorsFail'> {
  /** Timeout of the hooks that lease the rig (queueing for it included) and close it, ms; default 120s. */
  hookTimeout?: number;
}

/** What a test runner offers the fixture: its hooks, and what it knows of the test under way. */
export interface TestRunnerHooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
  beforeEach(fn: () => Promise<void>, timeout?: number): void;
  /** `errors`: the test's own errors, when the runner hands them to its afterEach hooks. */
  afterEach(fn: (errors: unknown[] | undefined) => Promise<void>, timeout?: number): void;
  /** The test under way: its full name (describe blocks and title) and its file. */
  currentTest(): { name: string; file?: string };
}

/** Where the JUnit properties of each test are left for jest-junit (see jestJunitProperties.cts). */
const PROPERTIES_DIR = '.junit-properties';

/** The file holding a test's properties: named by its full name, the one thing jest-junit's hook is given. */
function propertiesFile(reportDir: string, testName: string): string {
  return join(reportDir, PROPERTIES_DIR, `${createHash('sha256').update(testName).digest('hex').slice(0, 32)}.json`);
}

/**
 * The rig fixture of a test file: the rig leased before its first test (as `hil run` leases it: no other run
 * shares it) and released after its last; each test a case of one run, recorded under reports/<run>/ as `hil
 * run` records a case (console, timeline, result; `hil report` and the HTML read it), the board powered off
 * when the test ends, passed or failed, and on Ctrl-C. Returns the getter of the test's board.
 */
export function rigFixture(ref: string, options: UseRigOptions, hooks: TestRunnerHooks): () => Board {
  const { hookTimeout = 120_000, model, params, ...lease } = options;
  let leased: LeasedRig | undefined;
  let board: Board | undefined;
  const reportDir = () => resolve(lease.cwd ?? process.cwd(), lease.reportDir ?? process.env['HIL_REPORT_DIR'] ?? 'reports');

  hooks.beforeAll(async () => {
    const file = hooks.currentTest().file;
    leased = await LeasedRig.open(ref, {
      ...lease,
      label: file ? basename(file).replace(/(\.(test|spec|jest))?\.[cm]?[jt]sx?$/, '') : undefined,
    });
  }, hookTimeout);

  hooks.beforeEach(async () => {
    if (!leased) throw new Error(`rig ${ref} was not leased (its beforeAll failed)`);
    // The runner's own verdict decides the case when it hands the test's errors over; a board call's error
    // fails it otherwise.
    board = await leased.board(hooks.currentTest().name, { model, params, errorsFail: false });
  }, hookTimeout);

  hooks.afterEach(async (errors) => {
    const current = board;
    board = undefined;
    if (!current) return;
    const name = hooks.currentTest().name;
    let late: unknown;
    await current.close({ error: errors?.[0] }).catch((err: unknown) => (late = err));
    const result = current.result;
    if (result) {
      const file = propertiesFile(reportDir(), name);
      mkdirSync(join(file, '..'), { recursive: true });
      const properties = {
        ...result.properties,
        'hil.status': result.status,
        'hil.case': relative(reportDir(), join(leased!.runDir, result.dir)),
      };
      writeFileSync(file, `${JSON.stringify({ name, properties }, null, 2)}\n`);
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the model's failure after the test's last call, as it was
    if (late !== undefined) throw late;
  }, hookTimeout);

  hooks.afterAll(async () => {
    await leased?.close();
  }, hookTimeout);

  return () => {
    if (!board) throw new Error(`no board: use the rig ${ref} inside a test of the file that called useRig`);
    return board;
  };
}
